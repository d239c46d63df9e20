import { platform } from '#platform';
import type { Algorithm } from '../algorithms.js';
import { AuthError } from '../errors.js';
import type { JwsHeader } from '../jws.js';
import { createLoopHold, type EventLoopHold, KeyFetchError } from './fetch-json.js';
import { type KeyLease, type KeySource, selectKey, type VerificationKey } from './key.js';

/** How a remote key set is kept. Every duration is in seconds. */
export interface KeySetPolicy {
  /** Age after which the keys are refreshed in the background (requests go on with the cached keys). Default 600. */
  maxAge?: number;
  /** How long past `maxAge` cached keys stay usable while every refresh fails; then 503. Default 3600. */
  staleIfError?: number;
  /**
   * Least time between refetches asked for by tokens with an unknown `kid`: a key the issuer publishes
   * is accepted at most this long after its first use, whatever `kid`s were probed before. Default 30.
   */
  cooldown?: number;
  /** Timeout of one request to the key server, connection to last byte. Default 5. */
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

/** The bounds of one request to a key server. */
export function requestLimits(policy: ResolvedKeySetPolicy): { timeoutMs: number; maxBytes: number } {
  return { timeoutMs: policy.timeout * 1000, maxBytes: policy.maxBodyBytes };
}

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
  /** Keys currently held (usable or not). */
  readonly keys: number;
  /** Whether the held keys may still be used (fresh, or stale within `staleIfError`). */
  readonly usable: boolean;
  readonly fetches: number;
  /** Failed fetches in a row. */
  readonly failures: number;
  readonly fetchedAt: number | undefined;
  /** Internal reason of the last failure; for operators, never for clients. */
  readonly lastError: string | undefined;
}

export interface KeyStore extends KeySource {
  status(): KeyStoreStatus;
  /** Resolves once keys are usable (fetching them if need be); rejects with AuthError KEYS_UNAVAILABLE. */
  ready(): Promise<void>;
}

/** The outcome of one fetch of the key set, for logs and metrics. Reasons are internal, never for clients. */
export type KeyFetchOutcome =
  | { readonly result: 'ok'; readonly keys: number; readonly kids: readonly string[] }
  | {
      readonly result: 'failed' | 'refused';
      readonly reason: string;
      /** Whether cached keys are still usable (stale within `staleIfError`). */
      readonly usable: boolean;
    };

/** What a key store reports as it happens. */
export interface KeyStoreEvents {
  /** A fetch of the key set starts; what it returns is called once with the outcome. */
  fetchStarted(): (outcome: KeyFetchOutcome) => void;
  /** A token's `kid` was still missing from a key set fetched again for it. */
  kidMissing(kid: string): void;
}

/** Options shared by the remote key sources. */
export interface KeyStoreOptions {
  readonly now?: () => number;
  readonly events?: KeyStoreEvents;
}

/** Loads the whole key set once; `hold` says whether its requests keep the process alive. */
type KeySetLoader = (hold: EventLoopHold) => Promise<VerificationKey[]>;

/**
 * Keeps a remote key set: single-flight fetches, background refresh after `maxAge`, stale keys
 * served while the server is down (up to `staleIfError`), exponential backoff after failures, and one
 * cooldown for unknown `kid`s. No timers, and background requests do not hold the process open:
 * everything is decided when a token arrives.
 *
 * Unknown `kid`s share the cooldown and are not remembered one by one: a caller who probes the
 * issuer's next `kid` before it is published must not keep that key refused once it is. Any fetch
 * after the publication brings it, and one is allowed at most `cooldown` after the last.
 */
export function createKeyStore(
  load: KeySetLoader,
  algorithms: readonly Algorithm[],
  policy: ResolvedKeySetPolicy,
  now: () => number = Date.now,
  events?: KeyStoreEvents,
): KeyStore {
  const ms = (seconds: number) => seconds * 1000;
  const maxAge = ms(policy.maxAge);
  const usableFor = ms(policy.maxAge + policy.staleIfError);
  const cooldown = ms(policy.cooldown);

  let keys: readonly VerificationKey[] | undefined;
  let fetchedAt: number | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let nextAttemptAt = Number.NEGATIVE_INFINITY;
  let failures = 0;
  let fetches = 0;
  let lastError: string | undefined;
  let inflight: { readonly done: Promise<boolean>; readonly hold: EventLoopHold } | undefined;

  const lease: { refreshAt: number; expiresAt: number; refresh(): void } = {
    refreshAt: Number.POSITIVE_INFINITY,
    expiresAt: Number.NEGATIVE_INFINITY,
    refresh() {
      // Where I/O dies with its request, a background fetch would be cancelled: resolve() refreshes instead.
      if (mayFetch(now()) && !platform.requestScopedIo) void fetchKeys(false);
    },
  };

  /**
   * Single-flight: every caller shares the fetch under way (on Workers, every caller of one request:
   * see `requestScopedIo`). `waiting`: a caller awaits the result.
   */
  function fetchKeys(waiting: boolean): Promise<boolean> {
    if (inflight && !(waiting && platform.requestScopedIo)) {
      if (waiting) inflight.hold.hold();
      return inflight.done;
    }
    lastAttemptAt = now();
    fetches++;
    const fetched = events?.fetchStarted();
    const hold = createLoopHold(waiting);
    const done = load(hold).then(
      (loaded) => {
        keys = keep(keys, loaded, lease);
        fetchedAt = now();
        lease.refreshAt = fetchedAt + maxAge;
        lease.expiresAt = fetchedAt + usableFor;
        failures = 0;
        nextAttemptAt = Number.NEGATIVE_INFINITY;
        lastError = undefined;
        if (inflight === flight) inflight = undefined;
        fetched?.({ result: 'ok', keys: keys.length, kids: keys.map((k) => k.kid ?? '') });
        return true;
      },
      (error: unknown) => {
        failures++;
        lastError = error instanceof Error ? error.message : String(error);
        nextAttemptAt = now() + Math.min(ms(policy.backoff) * 2 ** (failures - 1), ms(policy.maxBackoff));
        if (inflight === flight) inflight = undefined;
        const refused = error instanceof KeyFetchError && error.refused;
        fetched?.({ result: refused ? 'refused' : 'failed', reason: lastError, usable: usable(now()) });
        return false;
      },
    );
    const flight = { done, hold };
    inflight = flight;
    return done;
  }

  const mayFetch = (t: number) => inflight !== undefined || t >= nextAttemptAt;
  const usable = (t: number) => keys !== undefined && t <= lease.expiresAt;
  const retryAfter = () => Math.max(1, Math.ceil((nextAttemptAt - now()) / 1000));
  const unavailable = () => new AuthError('KEYS_UNAVAILABLE', 'KEYS_UNAVAILABLE', { retryAfter: retryAfter() });
  const notFound = () => new AuthError('UNAUTHENTICATED', 'KEY_NOT_FOUND');

  /** Synchronous while the cached set is usable and holds the key: no promise on the hot path. */
  function resolve(header: JwsHeader): VerificationKey | Promise<VerificationKey> {
    const t = now();
    if (!usable(t)) return resolveCold(header);
    if (t >= lease.refreshAt) {
      // Awaited by the request that found it due; the cached keys still serve if it fails.
      if (platform.requestScopedIo && mayFetch(t)) return resolveCold(header);
      lease.refresh();
    }
    return selectKey(keys as readonly VerificationKey[], header) ?? resolveUnknown(header);
  }

  async function resolveCold(header: JwsHeader): Promise<VerificationKey> {
    if (!mayFetch(now())) throw unavailable();
    await fetchKeys(true);
    if (!usable(now())) throw unavailable();
    return selectKey(keys as readonly VerificationKey[], header) ?? resolveUnknown(header);
  }

  async function resolveUnknown(header: JwsHeader): Promise<VerificationKey> {
    if (inflight) {
      // The fetch under way may bring the key.
      await fetchKeys(true);
      const found = usable(now()) ? selectKey(keys as readonly VerificationKey[], header) : undefined;
      if (found) return found;
    }
    const t = now();
    if (t - lastAttemptAt < cooldown || !mayFetch(t)) {
      // A server we cannot reach may hold the key: that is an outage, not a bad token.
      if (failures > 0) throw unavailable();
      throw notFound();
    }
    const fetched = await fetchKeys(true);
    const found = usable(now()) ? selectKey(keys as readonly VerificationKey[], header) : undefined;
    if (found) return found;
    if (!fetched) throw unavailable();
    events?.kidMissing(header.kid ?? '');
    throw notFound();
  }

  async function ready(): Promise<void> {
    if (usable(now())) return;
    // Within a backoff the answer is known: a readiness probe must not hammer a key server that is down.
    if (!mayFetch(now())) throw unavailable();
    await fetchKeys(true);
    if (!usable(now())) throw unavailable();
  }

  return {
    algorithms,
    resolve,
    ready,
    status: () => ({
      keys: keys?.length ?? 0,
      usable: usable(now()),
      fetches,
      failures,
      fetchedAt,
      lastError,
    }),
  };
}

/**
 * The new set, keeping the old object for a key that stayed (so tokens cached with it stay valid),
 * and retiring every key that left (so tokens cached with it are dropped).
 */
function keep(
  previous: readonly VerificationKey[] | undefined,
  loaded: readonly VerificationKey[],
  lease: KeyLease,
): VerificationKey[] {
  const next = loaded.map((k) => previous?.find((p) => sameKey(p, k)) ?? k);
  for (const k of next) k.lease = lease;
  if (previous) for (const p of previous) if (!next.includes(p)) p.retired = true;
  return next;
}

function sameKey(a: VerificationKey, b: VerificationKey): boolean {
  if (a.kid !== b.kid || a.algorithms.size !== b.algorithms.size || !platform.sameKey(a.key, b.key)) return false;
  for (const alg of a.algorithms) if (!b.algorithms.has(alg)) return false;
  return true;
}
