import { AuthError } from '../errors.js';
import type { SharedState } from '../state/shared-state.js';
import { createLoopHold, fetchJson, KeyFetchError } from './fetch-json.js';
import { type FronteggVendor, isRefusal } from './frontegg.js';
import { type ResolvedKeySetPolicy, requestLimits } from './key-store.js';

export type AccessTokenType = 'tenantAccessToken' | 'userAccessToken';

export const ACCESS_TOKEN_TYPES: ReadonlySet<string> = new Set<AccessTokenType>([
  'tenantAccessToken',
  'userAccessToken',
]);

/** What Frontegg says about an access token that exists. */
export interface AccessTokenAnswer {
  readonly id: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly userId?: string;
}

export const DEFAULT_ACCESS_TOKEN_CACHE_SECONDS = 10;
const LOCAL_ENTRIES = 10_000;

interface Cached {
  /** null: Frontegg answered 404, the token was deleted. */
  readonly answer: AccessTokenAnswer | null;
  /** ms since the epoch. */
  readonly fetchedAt: number;
}

/**
 * Frontegg's answers about access tokens, as its SDK gets them: `GET {gateway}/identity/resources/
 * vendor-only/{tenants|users}/access-tokens/v1/{id}` with the vendor token. An answer (a deletion
 * included) is used for `cacheSeconds` from when it was fetched, whether it is found in this
 * process or in the shared store. Lookups fail closed: 404 is 401 `TOKEN_REVOKED`; any other failure,
 * a timeout included, is 503 `ACCESS_TOKEN_UNAVAILABLE`.
 */
export class FronteggAccessTokens {
  private readonly local = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<Cached>>();
  private readonly request: { timeoutMs: number; maxBytes: number };
  private readonly ttlMs: number;

  constructor(
    private readonly vendor: FronteggVendor,
    policy: ResolvedKeySetPolicy,
    private readonly state: SharedState,
    cacheSeconds: number,
    private readonly now: () => number,
  ) {
    this.request = requestLimits(policy);
    this.ttlMs = cacheSeconds * 1000;
  }

  /** The answer for a token whose signature and claims were checked; throws AuthError. */
  async lookup(type: AccessTokenType, id: string): Promise<AccessTokenAnswer> {
    const key = `frontegg:access-token:${type}:${id}`;
    let cached = this.fresh(this.local.get(key));
    if (!cached) {
      let running = this.pending.get(key);
      if (!running) {
        running = this.load(key, type, id).finally(() => this.pending.delete(key));
        this.pending.set(key, running);
      }
      cached = await running;
    }
    if (cached.answer === null) throw new AuthError('UNAUTHENTICATED', 'TOKEN_REVOKED');
    return cached.answer;
  }

  private fresh(cached: Cached | undefined): Cached | undefined {
    return cached && this.now() - cached.fetchedAt < this.ttlMs ? cached : undefined;
  }

  private async load(key: string, type: AccessTokenType, id: string): Promise<Cached> {
    // The shared store is a cache here: when it fails, Frontegg is asked.
    const shared = this.fresh(parseCached(await this.state.getValue(key).catch(() => undefined)));
    const cached = shared ?? { answer: await this.fetch(type, id), fetchedAt: this.now() };
    this.remember(key, cached);
    if (!shared) {
      const ttl = cached.fetchedAt + this.ttlMs - this.now();
      if (ttl > 0) await this.state.setValue(key, JSON.stringify(cached), ttl).catch(() => undefined);
    }
    return cached;
  }

  private remember(key: string, cached: Cached): void {
    this.local.delete(key);
    if (this.local.size >= LOCAL_ENTRIES) this.local.delete(this.local.keys().next().value as string);
    this.local.set(key, cached);
  }

  private async fetch(type: AccessTokenType, id: string): Promise<AccessTokenAnswer | null> {
    const kind = type === 'tenantAccessToken' ? 'tenants' : 'users';
    const url = new URL(
      `identity/resources/vendor-only/${kind}/access-tokens/v1/${encodeURIComponent(id)}`,
      this.vendor.base,
    );
    for (let attempt = 0; ; attempt++) {
      try {
        const hold = createLoopHold(true);
        const token = await this.vendor.token(hold);
        const body = await fetchJson(url, { ...this.request, hold, headers: { 'x-access-token': token } });
        const answer = parseAnswer(body);
        if (!answer || answer.id !== id || (type === 'userAccessToken' && answer.userId === undefined)) {
          throw new KeyFetchError('unusable answer');
        }
        return answer;
      } catch (error) {
        if (error instanceof KeyFetchError && error.status === 404) return null;
        // A vendor token revoked early: sign in again, once.
        if (isRefusal(error) && attempt === 0) {
          this.vendor.forget();
          continue;
        }
        throw new AuthError('KEYS_UNAVAILABLE', 'ACCESS_TOKEN_UNAVAILABLE');
      }
    }
  }
}

function parseCached(text: string | undefined): Cached | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { answer?: unknown; fetchedAt?: unknown };
    if (typeof value.fetchedAt !== 'number') return undefined;
    if (value.answer === null) return { answer: null, fetchedAt: value.fetchedAt };
    const answer = parseAnswer(value.answer);
    return answer ? { answer, fetchedAt: value.fetchedAt } : undefined;
  } catch {
    return undefined;
  }
}

const MAX_NAMES = 1024;

function parseAnswer(body: unknown): AccessTokenAnswer | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { id, tenantId, roles, permissions, userId } = body as Record<string, unknown>;
  if (!isText(id) || !isText(tenantId)) return undefined;
  const roleNames = names(roles);
  const permissionNames = names(permissions);
  if (!roleNames || !permissionNames) return undefined;
  if (userId !== undefined && userId !== null && !isText(userId)) return undefined;
  const answer: AccessTokenAnswer = { id, tenantId, roles: roleNames, permissions: permissionNames };
  return isText(userId) ? { ...answer, userId } : answer;
}

const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 1024;

/** A list of names, frozen (users share it): strings, or Frontegg's role and permission objects (their `key`). */
function names(value: unknown): readonly string[] | undefined {
  if (value === undefined || value === null) return Object.freeze([]);
  if (!Array.isArray(value) || value.length > MAX_NAMES) return undefined;
  const out: string[] = [];
  for (const item of value) {
    const name = typeof item === 'object' && item !== null ? (item as { key?: unknown }).key : item;
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) return undefined;
    out.push(name);
  }
  return Object.freeze(out);
}
