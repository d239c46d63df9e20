import { verifySignature } from './algorithms.js';
import { type ClaimsPolicy, checkRegisteredClaims, validUntilOf } from './claims.js';
import { extractApiKey, extractBearerToken } from './credentials.js';
import { type AuthDecision, observation } from './decision.js';
import { AuthError } from './errors.js';
import { type DecodedJws, type DecodeLimits, decodeJws } from './jws.js';
import type { FronteggKeyStore } from './keys/frontegg.js';
import { ACCESS_TOKEN_TYPES, type AccessTokenType, FronteggAccessTokens } from './keys/frontegg-access-tokens.js';
import type { VerificationKey } from './keys/key.js';
import type { KeyStore, KeyStoreStatus } from './keys/key-store.js';
import { normalizeOptions, type VerifierOptions } from './options.js';
import type { SyncState } from './state/revocation-sync.js';
import { type RevocationTarget, type RevokeOptions, SharedState } from './state/shared-state.js';
import { TokenCache } from './token-cache.js';
import type { AuthUser, CredentialSource } from './types.js';
import { buildUser } from './user.js';
import { registerInternals, type TokenCheck } from './verifier-internals.js';

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
   * once, without asking the key server again. With a shared state store it also waits for the store
   * and rejects (KEYS_UNAVAILABLE, reason STATE_UNAVAILABLE) while it cannot be reached.
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
  /**
   * Revokes a token (`jti`), or every token of a user (`sub`) or of a session (`sid`) issued until
   * now, on every instance sharing the store, cached verifications included. Rejects (503
   * `STATE_UNAVAILABLE`) when the revocation cannot be stored; `until` defaults to now plus the
   * longest token lifetime.
   */
  revoke(target: RevocationTarget, options?: RevokeOptions): Promise<void>;
  /** `ready` when in step with the state store, `unavailable` when it cannot be reached, `starting` before its first read. */
  stateStatus(): SyncState;
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
  const { now, source, limits, claimsPolicy, mapping } = settings;
  const cache = settings.cacheEntries > 0 ? new TokenCache(settings.cacheEntries) : undefined;
  const observe = observation(settings.observers);
  const timed = settings.operations.telemetry.verified;
  const state = new SharedState(settings.store, {
    now,
    longestLifetimeMs: (claimsPolicy.maxTokenLifetime + claimsPolicy.clockTolerance) * 1000,
  });
  const accessTokens =
    'vendor' in source
      ? new FronteggAccessTokens(
          (source as FronteggKeyStore).vendor,
          settings.keySet,
          state,
          settings.accessTokenCacheSeconds,
          now,
        )
      : undefined;

  /** Registered claims and the user of a token whose signature was checked; throws AuthError. */
  function accept(jws: DecodedJws, valid: boolean): { user: AuthUser; validUntil: number } {
    if (!valid) throw new AuthError('UNAUTHENTICATED', 'SIGNATURE_INVALID');
    const validUntil = checkRegisteredClaims(jws.payload, claimsPolicy, now());
    return { user: buildUser(jws.payload, mapping), validUntil };
  }

  /** The revocation check; undefined when it answered at once (the usual case: no await). Throws AuthError. */
  function checkState(user: AuthUser): Promise<void> | undefined {
    const admitted = state.admit(user);
    return admitted instanceof Promise ? admitted.then(() => undefined) : undefined;
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

  /** Whether the signature holds (at once on node:crypto, a promise on WebCrypto); throws for an algorithm the key is not for. */
  function signatureValid(jws: DecodedJws, key: VerificationKey): boolean | Promise<boolean> {
    if (!key.algorithms.has(jws.header.alg)) throw new AuthError('UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    return verifySignature(jws.header.alg, key.key, jws.signingInput, jws.signature);
  }

  function verified(token: string, jws: DecodedJws, key: VerificationKey): Promise<AuthUser> {
    let valid: boolean | Promise<boolean>;
    try {
      valid = signatureValid(jws, key);
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

  /** A token other than a Bearer access token checked with this verifier's keys under `policy`; its claims. */
  async function checkToken(token: string, decodeLimits: DecodeLimits, policy: ClaimsPolicy) {
    if (typeof token !== 'string') throw malformed();
    const jws = decodeJws(token, decodeLimits);
    const key = await source.resolve(jws.header);
    if (!(await signatureValid(jws, key))) throw new AuthError('UNAUTHENTICATED', 'SIGNATURE_INVALID');
    checkRegisteredClaims(jws.payload, policy, now());
    return jws.payload;
  }

  /**
   * A Frontegg access token from `x-api-key`: signature and claims first, then the state checks,
   * then Frontegg's answer about it, which gives its roles and permissions.
   */
  async function verifyAccessToken(token: string, lookups: FronteggAccessTokens): Promise<AuthUser> {
    if (token.length > limits.maxTokenLength) throw new AuthError('UNAUTHENTICATED', 'TOKEN_TOO_LARGE');
    const claims = Object.freeze({ ...(await checkToken(token, limits, claimsPolicy)) });
    const { type, sub, tenantId } = claims;
    if (typeof type !== 'string' || !ACCESS_TOKEN_TYPES.has(type) || typeof sub !== 'string' || sub === '') {
      throw new AuthError('UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
    await checkState(Object.freeze({ id: sub, roles: [], permissions: [], claims }));
    const answer = await lookups.lookup(type as AccessTokenType, sub);
    if (tenantId !== undefined && tenantId !== answer.tenantId)
      throw new AuthError('UNAUTHENTICATED', 'CLAIMS_INVALID');
    const user: AuthUser = Object.freeze({
      id: type === 'userAccessToken' ? (answer.userId as string) : sub,
      // Frozen once, when the answer was read.
      roles: answer.roles,
      permissions: answer.permissions,
      tenantId: answer.tenantId,
      type,
      claims,
    });
    observe?.({ type: 'authenticated', userId: user.id, tenantId: user.tenantId, cached: false });
    return user;
  }

  function authenticate(request: CredentialSource): Promise<AuthUser | null> {
    let token: string | null;
    let apiKey: string | null = null;
    try {
      // Frontegg's SDK takes access tokens from `x-api-key`; elsewhere that header means nothing to Gatehouse.
      if (accessTokens) apiKey = extractApiKey(request);
      token = apiKey === null ? extractBearerToken(request) : null;
    } catch (error) {
      // Not an AuthError: the caller passed something that holds no headers at all.
      return error instanceof AuthError ? fail(error) : Promise.reject(error);
    }
    if (apiKey !== null && accessTokens) return verifyAccessToken(apiKey, accessTokens).catch(fail);
    return token === null ? Promise.resolve(null) : verify(token);
  }

  const verifier: ObservedVerifier = {
    verify,
    authenticate,
    keyStatus: () => ('status' in source ? (source as KeyStore).status() : undefined),
    ready: () =>
      Promise.all(['ready' in source ? (source as KeyStore).ready() : undefined, state.ready()]).then(() => undefined),
    realm: settings.realm,
    validUntil: (user) => validUntilOf(user.claims, claimsPolicy),
    revoke: (target, revokeOptions) => state.revoke(target, revokeOptions),
    stateStatus: () => state.state,
    [OBSERVE]: observe,
    [CLOCK]: now,
  };
  registerInternals(verifier, {
    state,
    audiences: claimsPolicy.audiences,
    clockTolerance: claimsPolicy.clockTolerance,
    now,
    checkToken: (token: string, check: TokenCheck) =>
      checkToken(
        token,
        { ...limits, types: check.types },
        { ...claimsPolicy, audiences: check.audiences, maxTokenAge: undefined },
      ),
  });
  return verifier;
}
