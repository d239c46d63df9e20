import type { ClaimsPolicy } from './claims.js';
import { checkIssuerUrls, requireAudience } from './claims-policy.js';
import type { DecisionHook, DecisionObserver } from './decision.js';
import { DEFAULT_REALM, GatehouseConfigError, isValidRealm } from './errors.js';
import { DEFAULT_MAX_TOKEN_LENGTH, type DecodeLimits, normalizeType } from './jws.js';
import type { FronteggOptions } from './keys/frontegg.js';
import { DEFAULT_ACCESS_TOKEN_CACHE_SECONDS } from './keys/frontegg-access-tokens.js';
import type { JsonWebKey, KeySource } from './keys/key.js';
import { DEFAULT_KEY_SET_POLICY, type KeySetPolicy, type ResolvedKeySetPolicy } from './keys/key-store.js';
import { allowedAlgorithms, selectKeySource } from './keys/select.js';
import { type Operations, type OperationsOptions, operationsFor } from './operations.js';
import type { StateStore } from './state/store.js';
import { DEFAULT_CACHE_ENTRIES } from './token-cache.js';
import { type ClaimMapping, compileClaimMapping, FRONTEGG_CLAIMS } from './user.js';
import { warnIfAnyAudience } from './warnings.js';

export interface VerifierOptions extends OperationsOptions {
  /**
   * Accepted `iss` values, compared exactly; a URL must have no query or fragment. With no other key
   * source, the issuer's keys are found by OIDC discovery.
   */
  issuer?: string | string[];
  /**
   * Accepted `aud` values: the token must name at least one. Required (RFC 9068 §4) except in Frontegg
   * mode; `false` accepts any audience, on purpose.
   */
  audience?: string | string[] | false;
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
  /**
   * Where revocations, once-only claims and cached answers are shared with other instances: e.g.
   * `redisStore()` from `@gatehousejs/redis`. Default: a memory store of this verifier alone.
   */
  store?: StateStore;
  /** Frontegg mode: seconds an answer about an access token is used. Default 10. */
  accessTokenCacheSeconds?: number;
}

/** @internal Everything a verifier runs on, checked once when it is made. */
export interface VerifierSettings {
  readonly now: () => number;
  readonly source: KeySource;
  readonly limits: DecodeLimits;
  readonly claimsPolicy: ClaimsPolicy;
  readonly mapping: Required<ClaimMapping>;
  /** Verified-token cache size; 0: no cache. */
  readonly cacheEntries: number;
  readonly realm: string;
  /** Who hears every decision (`onDecision`; the logger and metrics go here too). */
  readonly observers: readonly DecisionObserver[];
  /** Logs, metrics and spans. */
  readonly operations: Operations;
  /** How remote key sets (and Frontegg's API) are asked. */
  readonly keySet: ResolvedKeySetPolicy;
  /** The shared state store given, if any. */
  readonly store: StateStore | undefined;
  /** Frontegg mode: seconds an access token's answer is used. */
  readonly accessTokenCacheSeconds: number;
}

const DEFAULT_TYPES = ['', 'jwt', 'at+jwt'];
const DEFAULT_CLOCK_TOLERANCE = 5;
const DEFAULT_MAX_LIFETIME = 7 * 24 * 3600;

/** Checks the options of `createVerifier`; every mistake is a GatehouseConfigError that names the option. */
export function normalizeOptions(options: VerifierOptions): VerifierSettings {
  if (typeof options !== 'object' || options === null) throw new GatehouseConfigError('createVerifier needs options');
  const now = optionalFunction(options.now, 'now') ?? Date.now;
  const operations = operationsFor(options);
  const keySet = keySetPolicy(options.keySet);
  const source = selectKeySource(options, keySet, now, operations);
  const onDecision = optionalFunction(options.onDecision, 'onDecision');
  warnIfAnyAudience(options.audience, operations.warn);
  const observers: DecisionObserver[] = onDecision ? [onDecision] : [];
  if (operations.observe) observers.push(operations.observe);
  return {
    now,
    source,
    limits: {
      maxTokenLength: positive(options.maxTokenLength, 'maxTokenLength') ?? DEFAULT_MAX_TOKEN_LENGTH,
      types: typeSet(options.types),
      algorithms: new Set(allowedAlgorithms(options.algorithms, source.algorithms)),
    },
    claimsPolicy: {
      issuers: checkIssuerUrls(list(options.issuer, 'issuer'), 'issuer'),
      audiences:
        options.audience === false
          ? undefined
          : requireAudience(list(options.audience, 'audience'), options.frontegg !== undefined),
      clockTolerance: nonNegative(options.clockTolerance, 'clockTolerance') ?? DEFAULT_CLOCK_TOLERANCE,
      maxTokenAge: positive(options.maxTokenAge, 'maxTokenAge'),
      maxTokenLifetime: positive(options.maxTokenLifetime, 'maxTokenLifetime') ?? DEFAULT_MAX_LIFETIME,
    },
    mapping: compileClaimMapping({ ...FRONTEGG_CLAIMS, ...definedOnly(options.claims ?? {}) }),
    cacheEntries: cacheEntries(options.cache),
    realm: realmOf(options.realm),
    observers,
    operations,
    keySet,
    store: storeOption(options.store),
    accessTokenCacheSeconds:
      nonNegative(options.accessTokenCacheSeconds, 'accessTokenCacheSeconds') ?? DEFAULT_ACCESS_TOKEN_CACHE_SECONDS,
  };
}

const STORE_METHODS = ['addRevocation', 'readRevocations', 'watch', 'claimOnce', 'getValue', 'setValue'] as const;

function storeOption(store: StateStore | undefined): StateStore | undefined {
  if (store === undefined) return undefined;
  if (typeof store !== 'object' || store === null || STORE_METHODS.some((m) => typeof store[m] !== 'function')) {
    throw new GatehouseConfigError(
      'store must be a state store, e.g. memoryStore() or redisStore() from @gatehousejs/redis',
    );
  }
  return store;
}

function keySetPolicy(given: KeySetPolicy | undefined): ResolvedKeySetPolicy {
  for (const name of Object.keys(given ?? {})) {
    // A misspelt or foreign option (`timeoutMs`) must not be ignored: durations here are seconds.
    if (!Object.hasOwn(DEFAULT_KEY_SET_POLICY, name)) {
      throw new GatehouseConfigError(
        `keySet.${name} is not an option (${Object.keys(DEFAULT_KEY_SET_POLICY).join(', ')}; durations in seconds)`,
      );
    }
  }
  const policy = { ...DEFAULT_KEY_SET_POLICY, ...definedOnly(given ?? {}) };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new GatehouseConfigError(`keySet.${name} must be a non-negative number of seconds`);
    }
  }
  return policy;
}

function cacheEntries(cache: VerifierOptions['cache']): number {
  if (cache === false) return 0;
  const entries = cache?.maxEntries ?? DEFAULT_CACHE_ENTRIES;
  if (!Number.isSafeInteger(entries) || entries < 0) {
    throw new GatehouseConfigError('cache.maxEntries must be a non-negative integer');
  }
  return entries;
}

function realmOf(realm: unknown): string {
  if (realm === undefined) return DEFAULT_REALM;
  if (!isValidRealm(realm))
    throw new GatehouseConfigError('realm must be printable ASCII without quotes or backslashes');
  return realm;
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

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
