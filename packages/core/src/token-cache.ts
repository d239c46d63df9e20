import type { VerificationKey } from './keys/key.js';
import type { AuthUser } from './types.js';

interface Entry {
  readonly user: AuthUser;
  readonly validUntil: number;
  readonly key: VerificationKey;
}

export const DEFAULT_CACHE_ENTRIES = 10_000;

/**
 * Verified tokens, by their exact text. Bounded (the oldest entry goes first), an entry ends when
 * its token expires or its key leaves the key set, and the user it returns is frozen: nothing
 * mutable is shared between requests.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly maxEntries: number) {}

  get(token: string, now: number): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.validUntil || entry.key.retired) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  set(token: string, user: AuthUser, validUntil: number, key: VerificationKey): void {
    if (this.maxEntries <= 0) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(token, { user, validUntil, key });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
