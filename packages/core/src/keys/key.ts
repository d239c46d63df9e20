import { platform } from '#platform';
import { type Algorithm, algorithmsForKey, isSupportedAlgorithm, keyFitsAlgorithm } from '../algorithms.js';
import { AuthError } from '../errors.js';
import { type JwsHeader, MAX_KID_LENGTH } from '../jws.js';
import type { PlatformKey, PublicJwk } from '../platform/contract.js';

/** A key that can verify tokens, with the algorithms it is bound to. */
export interface VerificationKey {
  readonly key: PlatformKey;
  readonly kid: string | undefined;
  readonly algorithms: ReadonlySet<Algorithm>;
  /** Set when the key leaves its key set: verifications cached with it are dropped. */
  retired: boolean;
  /** For keys of a remote set: how long the set may be trusted. Static keys have none. */
  lease?: KeyLease;
}

/**
 * The freshness of a remote key set, shared by its keys, so that a cached verification follows its
 * key set: refreshed when due, refused once the set is too stale to trust.
 */
export interface KeyLease {
  /** ms since the epoch after which the set is refreshed in the background. */
  readonly refreshAt: number;
  /** ms since the epoch after which the set is no longer used (503 until a fetch succeeds). */
  readonly expiresAt: number;
  /** Starts a background refresh, unless one is under way or a backoff holds it off. */
  refresh(): void;
}

/** Where a verifier gets its keys. `resolve` rejects with AuthError: KEY_NOT_FOUND (401) or KEYS_UNAVAILABLE (503). */
export interface KeySource {
  /** Algorithms this source can ever verify: the default allowlist. */
  readonly algorithms: readonly Algorithm[];
  resolve(header: JwsHeader): VerificationKey | Promise<VerificationKey>;
}

/**
 * A JWK as given in options (a static public key): members beyond the public ones (`alg`, `kid`,
 * `use`...) are allowed and ignored here.
 */
export interface JsonWebKey {
  kty?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
  alg?: string;
  kid?: string;
  use?: string;
  [member: string]: unknown;
}

export function verificationKey(key: PlatformKey, kid?: string, alg?: Algorithm): VerificationKey | undefined {
  const algorithms = alg ? (keyFitsAlgorithm(key, alg) ? [alg] : []) : algorithmsForKey(key);
  if (algorithms.length === 0) return undefined;
  return { key, kid, algorithms: new Set(algorithms), retired: false };
}

const ASYMMETRIC_KTY = new Set(['RSA', 'EC', 'OKP']);

/**
 * Imports one member of a JWKS. Resolves to undefined for a key that must not be used: symmetric
 * (`oct`: a published secret is no secret), not for signatures, an unsupported or unfitting `alg`,
 * a weak RSA modulus, or anything malformed or that the platform's crypto refuses.
 */
export async function importJwk(jwk: unknown): Promise<VerificationKey | undefined> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const { kty, kid, use, alg, key_ops: keyOps } = jwk as Record<string, unknown>;
  if (typeof kty !== 'string' || !ASYMMETRIC_KTY.has(kty)) return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (keyOps !== undefined && (!Array.isArray(keyOps) || !keyOps.includes('verify'))) return undefined;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    return undefined;
  }
  if (alg !== undefined && !isSupportedAlgorithm(alg)) return undefined;
  let key: PlatformKey;
  try {
    key = platform.importPublicJwk(publicMembers(jwk as Record<string, unknown>));
  } catch {
    return undefined;
  }
  const verification = verificationKey(key, kid as string | undefined, alg as Algorithm | undefined);
  if (!verification || !(await platform.prepare(key, verification.algorithms))) return undefined;
  return verification;
}

const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'crv', 'x', 'y'] as const;

function publicMembers(jwk: Record<string, unknown>): PublicJwk {
  const out: Record<string, unknown> = {};
  for (const name of PUBLIC_MEMBERS) if (jwk[name] !== undefined) out[name] = jwk[name];
  return out as unknown as PublicJwk;
}

/** A static public key: PEM (SPKI, PKCS#1 or a certificate) or a JWK. Throws on anything else. */
export function importPublicKey(input: string | JsonWebKey): PlatformKey {
  if (typeof input === 'string') return platform.importPublicPem(input);
  if (input.kty === 'oct') throw new TypeError('a symmetric JWK is a secret: pass it as `secret`');
  return platform.importPublicJwk(publicMembers(input as Record<string, unknown>));
}

export function importSecret(input: string | Uint8Array): PlatformKey {
  return platform.importSecret(typeof input === 'string' ? new TextEncoder().encode(input) : input.slice());
}

/**
 * Picks the key for a token: the key with the token's `kid`; else, when exactly one key has no
 * `kid` or the token has none, the one key that fits its `alg`. Returns undefined when nothing
 * fits, and throws KEY_AMBIGUOUS rather than guess between several.
 */
export function selectKey(keys: readonly VerificationKey[], header: JwsHeader): VerificationKey | undefined {
  if (header.kid !== undefined) {
    for (const k of keys) if (k.kid === header.kid) return k;
  }
  let found: VerificationKey | undefined;
  for (const k of keys) {
    if (header.kid !== undefined && k.kid !== undefined) continue;
    if (!k.algorithms.has(header.alg)) continue;
    if (found) throw new AuthError('UNAUTHENTICATED', 'KEY_AMBIGUOUS');
    found = k;
  }
  return found;
}
