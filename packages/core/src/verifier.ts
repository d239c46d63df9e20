import { verifySignature } from './algorithms.js';
import { checkRegisteredClaims, validUntilOf } from './claims.js';
import { extractBearerToken } from './credentials.js';
import { type AuthDecision, observation } from './decision.js';
import { AuthError } from './errors.js';
import { type DecodedJws, decodeJws } from './jws.js';
import type { VerificationKey } from './keys/key.js';
import type { KeyStore, KeyStoreStatus } from './keys/key-store.js';
import { normalizeOptions, type VerifierOptions } from './options.js';
import { TokenCache } from './token-cache.js';
import type { AuthUser, CredentialSource } from './types.js';
import { buildUser } from './user.js';

export type { VerifierOptions } from './options.js';

export interface Verifier {
  /** Verifies a token and builds its user; rejects with AuthError. */
  verify(token: string): Promise<AuthUser>;
  /** The user of a request, or null when it sent no credentials; rejects with AuthError for bad ones. */
  authenticate(request: CredentialSource): Promise<AuthUser | null>;
  /** The state of a remote key source, when there is one. */
  keyStatus(): KeyStoreStatus | undefined;
  /**
   * Resolves once keys are loaded (at once for a static key); rejects with AuthError KEYS_UNAVAILABLE
   * while they cannot be. For startup and readiness probes: within a failure backoff it answers at
   * once, without asking the key server again.
   */
  ready(): Promise<void>;
  /** The `realm` of this verifier's `WWW-Authenticate` challenges: `authErrorHeaders(error, verifier.realm)`. */
  readonly realm: string;
  /**
   * When this verifier stops accepting `user`'s token, in ms since the epoch on its own clock (the
   * `now` option): `exp` plus `clockTolerance`, earlier with `maxTokenAge`. Infinity when nothing
   * ends it in time. Subscriptions end then (see `untilTokenExpiry`).
   */
  validUntil(user: AuthUser): number;
}

/** @internal Where adapters report the authorization decisions they ask core for (see `denialOf`). */
export const OBSERVE: unique symbol = Symbol('gatehouse.observe');

interface ObservedVerifier extends Verifier {
  readonly [OBSERVE]?: (decision: AuthDecision) => void;
  readonly [CLOCK]?: () => number;
}

/** @internal The verifier's clock, for adapters that must agree with it (see `clockOf`). */
export const CLOCK: unique symbol = Symbol('gatehouse.clock');

/** @internal The clock a verifier decides with (ms since the epoch); `Date.now` for one that does not say. */
export function clockOf(verifier: Verifier): () => number {
  return (verifier as ObservedVerifier)[CLOCK] ?? Date.now;
}

/** @internal The verifier's observation point, when it has observers. */
export function observerOf(verifier: Verifier): ((decision: AuthDecision) => void) | undefined {
  return (verifier as ObservedVerifier)[OBSERVE];
}

/** A token verified now (not from the cache): how long it may be cached, and with which key. */
interface Fresh {
  readonly validUntil: number;
  readonly key: VerificationKey;
}

const malformed = () => new AuthError('UNAUTHENTICATED', 'TOKEN_MALFORMED');

/**
 * A verifier. The pipeline of `verify`, one step each:
 * length → cache → `decodeJws` → `source.resolve` (key) → `accept` (signature, registered claims,
 * user) → `checkState` (revocation and other state; on cache hits too) → `admit` (cache, observe).
 * Every failure goes through `fail`, every decision through `observe`.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const settings = normalizeOptions(options);
  const { now, source, limits, claimsPolicy, mapping, stateChecks } = settings;
  const cache = settings.cacheEntries > 0 ? new TokenCache(settings.cacheEntries) : undefined;
  const observe = observation(settings.observers);
  const timed = settings.operations.telemetry.verified;

  /** Registered claims and the user of a token whose signature was checked; throws AuthError. */
  function accept(jws: DecodedJws, valid: boolean): { user: AuthUser; validUntil: number } {
    if (!valid) throw new AuthError('UNAUTHENTICATED', 'SIGNATURE_INVALID');
    const validUntil = checkRegisteredClaims(jws.payload, claimsPolicy, now());
    return { user: buildUser(jws.payload, mapping), validUntil };
  }

  /** The state checks, in order; undefined when all answered at once (the usual case: no await). */
  function checkState(user: AuthUser, from = 0): Promise<void> | undefined {
    for (let i = from; i < stateChecks.length; i++) {
      const pending = (stateChecks[i] as (typeof stateChecks)[number])(user);
      if (pending) return pending.then(() => checkState(user, i + 1));
    }
    return undefined;
  }

  /** A verified token's user, after its state checks: cached (when fresh) and observed. Never throws. */
  function admit(token: string, user: AuthUser, fresh?: Fresh): Promise<AuthUser> {
    let pending: Promise<void> | undefined;
    try {
      pending = checkState(user);
    } catch (error) {
      return fail(error);
    }
    if (pending) return pending.then(() => admitted(token, user, fresh), fail);
    return Promise.resolve(admitted(token, user, fresh));
  }

  function admitted(token: string, user: AuthUser, fresh?: Fresh): AuthUser {
    if (fresh) cache?.set(token, user, fresh.validUntil, fresh.key);
    observe?.({ type: 'authenticated', userId: user.id, tenantId: user.tenantId, cached: fresh === undefined });
    return user;
  }

  function verified(token: string, jws: DecodedJws, key: VerificationKey): Promise<AuthUser> {
    let valid: boolean | Promise<boolean>;
    try {
      if (!key.algorithms.has(jws.header.alg)) throw new AuthError('UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
      valid = verifySignature(jws.header.alg, key.key, jws.signingInput, jws.signature);
    } catch (error) {
      return fail(error);
    }
    // node:crypto answers at once; WebCrypto (every other runtime) with a promise.
    if (valid instanceof Promise) return valid.then((ok) => signed(token, jws, key, ok), fail);
    return signed(token, jws, key, valid);
  }

  function signed(token: string, jws: DecodedJws, key: VerificationKey, valid: boolean): Promise<AuthUser> {
    let accepted: ReturnType<typeof accept>;
    try {
      accepted = accept(jws, valid);
    } catch (error) {
      return fail(error);
    }
    return admit(token, accepted.user, { validUntil: accepted.validUntil, key });
  }

  /** Any failure as the AuthError a caller gets (anything unexpected: a malformed token), observed. */
  function fail(error: unknown): Promise<never> {
    const refused = error instanceof AuthError ? error : malformed();
    observe?.({ type: 'rejected', code: refused.code, reason: refused.reason });
    return Promise.reject(refused);
  }

  /** `check`, timed into `gatehouse.verify.duration` when a meter provider listens. */
  function verify(token: string): Promise<AuthUser> {
    if (!timed) return check(token);
    const start = performance.now();
    hit = false;
    const result = check(token);
    if (hit) {
      timed((performance.now() - start) / 1000, true);
      return result;
    }
    const record = () => timed((performance.now() - start) / 1000, false);
    result.then(record, record);
    return result;
  }
  /** Set by `check` when the verified-token cache answered. */
  let hit = false;

  // Not an async function: when the key is at hand (static key, warm key set) the whole check runs
  // synchronously and costs one settled promise, not a chain of awaits.
  function check(token: string): Promise<AuthUser> {
    if (typeof token !== 'string') return fail(malformed());
    // Before the cache: an oversized string is refused without being hashed.
    if (token.length > limits.maxTokenLength) return fail(new AuthError('UNAUTHENTICATED', 'TOKEN_TOO_LARGE'));
    const cached = cache?.get(token, now());
    if (cached) {
      hit = true;
      return admit(token, cached);
    }
    try {
      const jws = decodeJws(token, limits);
      const key = source.resolve(jws.header);
      if (key instanceof Promise) return key.then((k) => verified(token, jws, k), fail);
      return verified(token, jws, key);
    } catch (error) {
      return fail(error);
    }
  }

  function authenticate(request: CredentialSource): Promise<AuthUser | null> {
    let token: string | null;
    try {
      token = extractBearerToken(request);
    } catch (error) {
      // Not an AuthError: the caller passed something that holds no headers at all.
      return error instanceof AuthError ? fail(error) : Promise.reject(error);
    }
    return token === null ? Promise.resolve(null) : verify(token);
  }

  const verifier: ObservedVerifier = {
    verify,
    authenticate,
    keyStatus: () => ('status' in source ? (source as KeyStore).status() : undefined),
    ready: () => ('ready' in source ? (source as KeyStore).ready() : Promise.resolve()),
    realm: settings.realm,
    validUntil: (user) => validUntilOf(user.claims, claimsPolicy),
    [OBSERVE]: observe,
    [CLOCK]: now,
  };
  return verifier;
}
