import { GatehouseConfigError } from './errors.js';
import type { VerificationKey } from './keys/key.js';
import type { AuthUser } from './types.js';

interface Entry {
  readonly user: AuthUser;
  /** ms since the epoch at which the token stops being valid (its `exp`, tolerance included). */
  readonly validUntil: number;
  readonly key: VerificationKey;
  readonly size: number;
}

export const DEFAULT_CACHE_ENTRIES = 10_000;
/**
 * Total token text held, in characters (≈ bytes: tokens are ASCII). With typical 0.5–1 KB tokens
 * the entry count binds first; this bound keeps 8 KB tokens from growing the cache to 10,000 of them.
 */
const DEFAULT_CACHE_CHARS = 8 * 1024 * 1024;

/**
 * Verified tokens, by their exact text. Bounded in entries and in token text (the oldest entry
 * goes first); an entry ends when its token expires, when its key leaves the key set, or when the
 * key set grows too stale to trust; the user it returns is frozen, so nothing mutable is shared
 * between requests.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number = DEFAULT_CACHE_ENTRIES,
    private readonly maxChars: number = DEFAULT_CACHE_CHARS,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new GatehouseConfigError('cache.maxEntries must be a non-negative integer');
    }
    if (!Number.isSafeInteger(maxChars) || maxChars < 0) {
      throw new GatehouseConfigError('cache size in characters must be a non-negative integer');
    }
  }

  get(token: string, now: number): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    const lease = entry.key.lease;
    if (now >= entry.validUntil || entry.key.retired || (lease !== undefined && now > lease.expiresAt)) {
      this.remove(token, entry);
      return undefined;
    }
    // A hit must not hide that the key set is due for a refresh: that is how retired keys are found.
    if (lease !== undefined && now >= lease.refreshAt) lease.refresh();
    return entry.user;
  }

  set(token: string, user: AuthUser, validUntil: number, key: VerificationKey): void {
    const size = token.length;
    if (size > this.maxChars || this.maxEntries === 0) return;
    const previous = this.entries.get(token);
    if (previous) this.remove(token, previous);
    while (this.entries.size >= this.maxEntries || this.chars + size > this.maxChars) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldest, entry);
    }
    this.entries.set(token, { user, validUntil, key, size });
    this.chars += size;
  }

  private remove(token: string, entry: Entry): void {
    this.entries.delete(token);
    this.chars -= entry.size;
  }
}
