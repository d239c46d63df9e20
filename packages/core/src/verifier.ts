import type { JsonWebKey } from 'node:crypto';
import { type Algorithm, algorithmsForKey, isSupportedAlgorithm, verifySignature } from './algorithms.js';
import { unmetCondition } from './authorize.js';
import { checkRegisteredClaims } from './claims.js';
import { extractBearerToken } from './credentials.js';
import { type DecisionHook, frozenRequirement, report } from './decision.js';
import { AuthError, type AuthErrorInit, GatehouseConfigError, isValidRealm } from './errors.js';
import { DEFAULT_MAX_TOKEN_LENGTH, type DecodedJws, type DecodeLimits, decodeJws, normalizeType } from './jws.js';
import { discoveryKeySource } from './keys/discovery.js';
import { type FronteggOptions, fronteggKeySource } from './keys/frontegg.js';
import { jwksKeySource } from './keys/jwks.js';
import { importPublicKey, importSecret, type KeySource, type VerificationKey } from './keys/key.js';
import { DEFAULT_KEY_SET_POLICY, type KeySetPolicy, type KeyStore, type KeyStoreStatus } from './keys/key-store.js';
import { staticKey, staticKeySource } from './keys/static.js';
import { keyServerUrl } from './keys/url.js';
import { DEFAULT_CACHE_ENTRIES, TokenCache } from './token-cache.js';
import type { AuthUser, CredentialSource, Requirement } from './types.js';
import { buildUser, type ClaimMapping, FRONTEGG_CLAIMS } from './user.js';

export interface VerifierOptions {
  /** Accepted `iss` values, compared exactly. With no other key source, the issuer's keys are found by OIDC discovery. */
  issuer?: string | string[];
  /** Accepted `aud` values: the token must name at least one. */
  audience?: string | string[];
  /** A remote JWKS (rotation, caching, fault tolerance); https, or http on loopback. */
  jwksUri?: string;
  /** A static public key: PEM or JWK. */
  publicKey?: string | JsonWebKey;
  /** An HS256/384/512 shared secret, at least 32 bytes. */
  secret?: string | Uint8Array;
  /** Frontegg's public-key flow. */
  frontegg?: FronteggOptions;
  /** Algorithm allowlist; default: what the key source can verify. Never `none`. */
  algorithms?: string[];
  /** Accepted `typ` headers; default: absent, `JWT`, `at+jwt` (RFC 9068). */
  types?: string[];
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. Default 5. */
  clockTolerance?: number;
  /** Seconds: tokens issued longer ago are refused (requires `iat`). */
  maxTokenAge?: number;
  /** Seconds: tokens whose lifetime (`exp` − `iat`) is longer are refused. Default 7 days. */
  maxTokenLifetime?: number;
  /** Where roles, permissions and the rest are read from. Default: Frontegg's claim names. */
  claims?: ClaimMapping;
  /** How a remote key set is kept (JWKS, discovery, Frontegg). */
  keySet?: KeySetPolicy;
  /** Verified-token cache; `false` turns it off. Default 10,000 entries. */
  cache?: false | { maxEntries?: number };
  /** Longest token accepted, in characters. Default 8192. */
  maxTokenLength?: number;
  /** `realm` of the `WWW-Authenticate` challenge. Default `gatehouse`. */
  realm?: string;
  /** Receives every decision (never the token), for audit logs and metrics. */
  onDecision?: DecisionHook;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export interface Verifier {
  /** Verifies a token and builds its user; rejects with AuthError. */
  verify(token: string): Promise<AuthUser>;
  /** The user of a request, or null when it sent no credentials; rejects with AuthError for bad ones. */
  authenticate(request: CredentialSource): Promise<AuthUser | null>;
  /** `authorize()`, reported to `onDecision`. */
  authorize(user: AuthUser | null | undefined, requirement?: Requirement | null): AuthUser;
  /** The state of a remote key source, when there is one. */
  keyStatus(): KeyStoreStatus | undefined;
}

const DEFAULT_TYPES = ['', 'jwt', 'at+jwt'];
const DEFAULT_CLOCK_TOLERANCE = 5;
const DEFAULT_MAX_LIFETIME = 7 * 24 * 3600;

export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof options !== 'object' || options === null) throw new GatehouseConfigError('createVerifier needs options');
  const now = optionalFunction(options.now, 'now') ?? Date.now;
  const source = keySourceFor(options, now);
  const algorithms = allowedAlgorithms(options.algorithms, source.algorithms);
  const limits: DecodeLimits = {
    maxTokenLength: positive(options.maxTokenLength, 'maxTokenLength') ?? DEFAULT_MAX_TOKEN_LENGTH,
    types: typeSet(options.types),
    algorithms: new Set(algorithms),
  };
  const claimsPolicy = {
    issuers: list(options.issuer, 'issuer'),
    audiences: list(options.audience, 'audience'),
    clockTolerance: nonNegative(options.clockTolerance, 'clockTolerance') ?? DEFAULT_CLOCK_TOLERANCE,
    maxTokenAge: positive(options.maxTokenAge, 'maxTokenAge'),
    maxTokenLifetime: positive(options.maxTokenLifetime, 'maxTokenLifetime') ?? DEFAULT_MAX_LIFETIME,
  };
  const mapping = { ...FRONTEGG_CLAIMS, ...definedOnly(options.claims ?? {}) };
  const cache =
    options.cache === false ? undefined : new TokenCache(options.cache?.maxEntries ?? DEFAULT_CACHE_ENTRIES);
  const hook = optionalFunction(options.onDecision, 'onDecision');
  const realm = options.realm;
  if (realm !== undefined && !isValidRealm(realm)) {
    throw new GatehouseConfigError('realm must be printable ASCII without quotes or backslashes');
  }
  const init: AuthErrorInit | undefined = realm === undefined ? undefined : { realm };
  const inRealm = (error: AuthError) =>
    realm === undefined ? error : new AuthError(error.code, error.reason, { realm, retryAfter: error.retryAfter });

  /** The checks that need the key; throws AuthError. */
  function accept(token: string, jws: DecodedJws, key: VerificationKey): AuthUser {
    if (!key.algorithms.has(jws.header.alg)) throw new AuthError('UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    if (!verifySignature(jws.header.alg, key.key, jws.signingInput, jws.signature)) {
      throw new AuthError('UNAUTHENTICATED', 'SIGNATURE_INVALID');
    }
    const validUntil = checkRegisteredClaims(jws.payload, claimsPolicy, now());
    const user = buildUser(jws.payload, mapping);
    cache?.set(token, user, validUntil, key);
    if (hook) report(hook, { type: 'authenticated', userId: user.id, tenantId: user.tenantId, cached: false });
    return user;
  }

  /** Any failure of a token check as the AuthError a caller gets, reported. */
  const rejection = (error: unknown): AuthError =>
    rejected(error instanceof AuthError ? error : new AuthError('UNAUTHENTICATED', 'TOKEN_MALFORMED'));
  const refuse = (error: unknown): never => {
    throw rejection(error);
  };

  // Not an async function: when the key is at hand (static key, warm key set) the whole check runs
  // synchronously and costs one settled promise, not a chain of awaits.
  function verify(token: string): Promise<AuthUser> {
    if (typeof token !== 'string') return Promise.reject(rejected(new AuthError('UNAUTHENTICATED', 'TOKEN_MALFORMED')));
    // Before the cache: an oversized string is refused without being hashed.
    if (token.length > limits.maxTokenLength) {
      return Promise.reject(rejected(new AuthError('UNAUTHENTICATED', 'TOKEN_TOO_LARGE')));
    }
    const cached = cache?.get(token, now());
    if (cached) {
      if (hook) report(hook, { type: 'authenticated', userId: cached.id, tenantId: cached.tenantId, cached: true });
      return Promise.resolve(cached);
    }
    try {
      const jws = decodeJws(token, limits);
      const resolved = source.resolve(jws.header);
      if (resolved instanceof Promise) return resolved.then((key) => accept(token, jws, key)).catch(refuse);
      return Promise.resolve(accept(token, jws, resolved));
    } catch (error) {
      return Promise.reject(rejection(error));
    }
  }

  function rejected(error: AuthError): AuthError {
    report(hook, { type: 'rejected', code: error.code, reason: error.reason });
    return inRealm(error);
  }

  return {
    verify,
    async authenticate(request) {
      let token: string | null;
      try {
        token = extractBearerToken(request);
      } catch (error) {
        throw error instanceof AuthError ? rejected(error) : error;
      }
      return token === null ? null : verify(token);
    },
    authorize(user, requirement) {
      if (!user) {
        const error = new AuthError('UNAUTHENTICATED', 'NO_CREDENTIALS', init);
        if (hook) {
          report(hook, {
            type: 'rejected',
            code: error.code,
            reason: error.reason,
            requirement: frozenRequirement(requirement),
          });
        }
        throw error;
      }
      const failed = unmetCondition(user, requirement);
      if (failed) {
        if (hook) {
          report(hook, {
            type: 'forbidden',
            userId: user.id,
            code: 'FORBIDDEN',
            reason: failed,
            requirement: frozenRequirement(requirement),
          });
        }
        throw new AuthError('FORBIDDEN', failed, init);
      }
      if (hook) report(hook, { type: 'authorized', userId: user.id, requirement: frozenRequirement(requirement) });
      return user;
    },
    keyStatus: () => ('status' in source ? (source as KeyStore).status() : undefined),
  };
}

function keySourceFor(options: VerifierOptions, now: () => number): KeySource {
  const given = (['jwksUri', 'publicKey', 'secret', 'frontegg'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) {
    throw new GatehouseConfigError(
      `give one key source, not ${given.join(' and ')}: mixing them invites algorithm confusion`,
    );
  }
  const policy = { ...DEFAULT_KEY_SET_POLICY, ...definedOnly(options.keySet ?? {}) };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new GatehouseConfigError(`keySet.${name} must be a non-negative number of seconds`);
    }
  }
  const clock = { now };
  if (options.jwksUri !== undefined) return jwksKeySource(keyServerUrl(options.jwksUri, 'jwksUri'), policy, clock);
  if (options.frontegg !== undefined) {
    const { clientId, apiKey } = options.frontegg;
    if (typeof clientId !== 'string' || clientId === '') throw new GatehouseConfigError('frontegg.clientId is missing');
    if (typeof apiKey !== 'string' || apiKey === '') throw new GatehouseConfigError('frontegg.apiKey is missing');
    return fronteggKeySource(options.frontegg, policy, clock);
  }
  if (options.publicKey !== undefined) {
    if (holdsPrivateKey(options.publicKey)) {
      throw new GatehouseConfigError('publicKey holds a private key: give the public key only');
    }
    let key: ReturnType<typeof importPublicKey>;
    try {
      key = importPublicKey(options.publicKey);
    } catch {
      throw new GatehouseConfigError('publicKey is not a usable public key (PEM or JWK)');
    }
    const algorithms = algorithmsForJwkAlg(options.publicKey, algorithmsForKey(key));
    if (algorithms.length === 0) throw new GatehouseConfigError('publicKey is too weak or of an unsupported type');
    return staticKeySource(staticKey(key, algorithms));
  }
  if (options.secret !== undefined) {
    const secret: unknown = options.secret;
    if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
      throw new GatehouseConfigError('secret must be a string or a Uint8Array');
    }
    if (looksLikeKey(Buffer.from(secret).toString('latin1'))) {
      throw new GatehouseConfigError(
        'secret looks like a PEM, JWK or SSH key: pass a public key as publicKey, never as an HMAC secret',
      );
    }
    const key = importSecret(options.secret);
    const algorithms = algorithmsForKey(key);
    if (algorithms.length === 0) throw new GatehouseConfigError('secret must be at least 32 bytes');
    return staticKeySource(staticKey(key, algorithms));
  }
  if (typeof options.issuer === 'string') return discoveryKeySource(options.issuer, policy, clock);
  throw new GatehouseConfigError(
    'no key source: give jwksUri, publicKey, secret, frontegg, or a single issuer URL for OIDC discovery',
  );
}

function allowedAlgorithms(requested: string[] | undefined, available: readonly Algorithm[]): Algorithm[] {
  if (requested === undefined) return [...available];
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new GatehouseConfigError('algorithms must be a non-empty list');
  }
  for (const alg of requested) {
    if (typeof alg === 'string' && alg.trim().toLowerCase() === 'none') {
      throw new GatehouseConfigError('algorithm "none" is never accepted: unsigned tokens prove nothing');
    }
    if (!isSupportedAlgorithm(alg)) throw new GatehouseConfigError(`algorithm "${String(alg)}" is not supported`);
    if (!available.includes(alg)) throw new GatehouseConfigError(`algorithm "${alg}" does not fit the key source`);
  }
  return requested as Algorithm[];
}

function list(value: string | string[] | undefined, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
    throw new GatehouseConfigError(`${name} must be a non-empty string or list of strings`);
  }
  // Compared exactly: a stray space would make every token fail, or match a look-alike.
  if (values.some((v) => v.trim() !== v)) {
    throw new GatehouseConfigError(`${name} must not start or end with whitespace`);
  }
  return Object.freeze([...values]);
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GatehouseConfigError(`${name} must be a positive number`);
  }
  return value;
}

function nonNegative(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new GatehouseConfigError(`${name} must be a non-negative number`);
  }
  return value;
}

function typeSet(types: string[] | undefined): ReadonlySet<string> {
  if (types === undefined) return new Set(DEFAULT_TYPES);
  if (!Array.isArray(types) || types.length === 0 || types.some((t) => typeof t !== 'string')) {
    throw new GatehouseConfigError("types must be a non-empty list of strings ('' accepts tokens without typ)");
  }
  return new Set(types.map((t) => (t === '' ? '' : normalizeType(t))));
}

function optionalFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new GatehouseConfigError(`${name} must be a function`);
  return value;
}

function holdsPrivateKey(input: unknown): boolean {
  if (typeof input === 'string') return input.includes('PRIVATE KEY');
  return typeof input === 'object' && input !== null && 'd' in input;
}

/** A JWK that names its `alg` is bound to it. */
function algorithmsForJwkAlg(input: unknown, fitting: Algorithm[]): Algorithm[] {
  const alg = typeof input === 'object' && input !== null ? (input as { alg?: unknown }).alg : undefined;
  if (alg === undefined) return fitting;
  return fitting.filter((a) => a === alg);
}

function looksLikeKey(text: string): boolean {
  return text.includes('-----BEGIN') || /^\s*\{[\s\S]*"kty"/.test(text) || /^\s*(ssh|ecdsa-sha2)-/.test(text);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
