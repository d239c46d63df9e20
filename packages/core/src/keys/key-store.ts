import type { Algorithm } from '../algorithms.js';
import { AuthError } from '../errors.js';
import type { JwsHeader } from '../jws.js';
import { type KeySource, selectKey, type VerificationKey } from './key.js';

/** How a remote key set is kept. Every duration is in seconds. */
export interface KeySetPolicy {
  /** Age after which the keys are refreshed in the background (requests go on with the cached keys). Default 600. */
  maxAge?: number;
  /** How long past `maxAge` cached keys stay usable while every refresh fails; then 503. Default 3600. */
  staleIfError?: number;
  /** Least time between refetches asked for by tokens with an unknown `kid`. Default 30. */
  cooldown?: number;
  /** Timeout of one request to the key server. Default 5. */
  timeout?: number;
  /** Largest answer read from the key server, in bytes. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Most keys taken from one key set; a larger set is refused. Default 100. */
  maxKeys?: number;
  /** First wait after a failed fetch; it doubles up to `maxBackoff`. Defaults 1 and 60. */
  backoff?: number;
  maxBackoff?: number;
}

export type ResolvedKeySetPolicy = Required<KeySetPolicy>;

export const DEFAULT_KEY_SET_POLICY: ResolvedKeySetPolicy = Object.freeze({
  maxAge: 600,
  staleIfError: 3600,
  cooldown: 30,
  timeout: 5,
  maxBodyBytes: 256 * 1024,
  maxKeys: 100,
  backoff: 1,
  maxBackoff: 60,
});

/** What the store knows about its key server, for health checks and tests. */
export interface KeyStoreStatus {
  readonly keys: number;
  readonly fetches: number;
  readonly failures: number;
  readonly fetchedAt: number | undefined;
  readonly lastError: string | undefined;
}

export interface KeyStore extends KeySource {
  /** Fetches now (single-flight), whatever the cooldown says. */
  refresh(): Promise<void>;
  status(): KeyStoreStatus;
}

const NEGATIVE_CACHE_SIZE = 1024;

/**
 * Keeps a remote key set: single-flight fetches, background refresh after `maxAge`, stale keys
 * served while the server is down (up to `staleIfError`), backoff after failures, a cooldown and a
 * negative cache for unknown `kid`s. No timers: everything is decided when a token arrives, so
 * nothing keeps the process alive.
 */
export function createKeyStore(
  load: () => Promise<VerificationKey[]>,
  algorithms: readonly Algorithm[],
  policy: ResolvedKeySetPolicy,
  now: () => number = Date.now,
): KeyStore {
  let keys: readonly VerificationKey[] | undefined;
  let fetchedAt: number | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let nextAttemptAt = 0;
  let failures = 0;
  let fetches = 0;
  let lastError: string | undefined;
  let inflight: Promise<boolean> | undefined;
  const unknownKids = new Map<string, number>();
  const ms = (seconds: number) => seconds * 1000;

  function fetchKeys(): Promise<boolean> {
    if (inflight) return inflight;
    lastAttemptAt = now();
    fetches++;
    inflight = load()
      .then((loaded) => {
        keys = keep(keys, loaded);
        fetchedAt = now();
        failures = 0;
        nextAttemptAt = 0;
        lastError = undefined;
        unknownKids.clear();
        return true;
      })
      .catch((error: unknown) => {
        failures++;
        lastError = error instanceof Error ? error.message : String(error);
        nextAttemptAt = now() + Math.min(ms(policy.backoff) * 2 ** (failures - 1), ms(policy.maxBackoff));
        return false;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  const mayFetch = () => inflight !== undefined || now() >= nextAttemptAt;
  const unavailable = () => new AuthError('KEYS_UNAVAILABLE', 'KEYS_UNAVAILABLE', { retryAfter: retryAfter() });
  const retryAfter = () => Math.max(1, Math.ceil((nextAttemptAt - now()) / 1000));
  const usable = () => fetchedAt !== undefined && now() - fetchedAt <= ms(policy.maxAge + policy.staleIfError);

  async function resolve(header: JwsHeader): Promise<VerificationKey> {
    if (!keys || !usable()) {
      if (!mayFetch() || !(await fetchKeys())) {
        if (!keys || !usable()) throw unavailable();
      }
    } else if (now() - (fetchedAt as number) > ms(policy.maxAge) && mayFetch()) {
      void fetchKeys();
    }
    const found = selectKey(keys as VerificationKey[], header);
    if (found) return found;
    return resolveUnknown(header);
  }

  async function resolveUnknown(header: JwsHeader): Promise<VerificationKey> {
    if (inflight) {
      await inflight;
      const found = keys ? selectKey(keys, header) : undefined;
      if (found) return found;
    }
    const kid = header.kid ?? '';
    const t = now();
    const seenAt = unknownKids.get(kid);
    const cooled = t - lastAttemptAt >= ms(policy.cooldown);
    if ((seenAt !== undefined && t - seenAt < ms(policy.cooldown)) || !cooled || !mayFetch()) {
      // A server we could not reach may hold the key: that is an outage, not a bad token.
      if (failures > 0) throw unavailable();
      throw new AuthError('UNAUTHENTICATED', 'KEY_NOT_FOUND');
    }
    const fetched = await fetchKeys();
    const found = keys ? selectKey(keys, header) : undefined;
    if (found) return found;
    if (!fetched) throw unavailable();
    if (unknownKids.size >= NEGATIVE_CACHE_SIZE) unknownKids.delete(unknownKids.keys().next().value as string);
    unknownKids.set(kid, now());
    throw new AuthError('UNAUTHENTICATED', 'KEY_NOT_FOUND');
  }

  return {
    algorithms,
    resolve,
    async refresh() {
      await fetchKeys();
    },
    status: () => ({ keys: keys?.length ?? 0, fetches, failures, fetchedAt, lastError }),
  };
}

/**
 * The new set, keeping the old object for a key that stayed (so tokens cached with it stay valid),
 * and retiring every key that left.
 */
function keep(previous: readonly VerificationKey[] | undefined, loaded: VerificationKey[]): VerificationKey[] {
  if (!previous) return loaded;
  const next = loaded.map((k) => previous.find((p) => p.kid === k.kid && p.key.equals(k.key)) ?? k);
  for (const p of previous) if (!next.includes(p)) p.retired = true;
  return next;
}
