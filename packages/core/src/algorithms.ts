import { platform } from '#platform';
import type { KeyType, PlatformKey } from './platform/contract.js';

export type AsymmetricAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';
export type SymmetricAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type Algorithm = AsymmetricAlgorithm | SymmetricAlgorithm;

interface AlgorithmSpec {
  /** The key types this algorithm may be used with. */
  readonly keyTypes: readonly KeyType[];
  /** EC curve, by its JWK name. */
  readonly curve?: string;
  /** Exact signature length in bytes, where the algorithm fixes it. */
  readonly signatureLength?: number;
}

const rsa: AlgorithmSpec = { keyTypes: ['rsa'] };
const pss: AlgorithmSpec = { keyTypes: ['rsa', 'rsa-pss'] };
const ec = (curve: string, signatureLength: number): AlgorithmSpec => ({ keyTypes: ['ec'], curve, signatureLength });
const hmac = (signatureLength: number): AlgorithmSpec => ({ keyTypes: ['secret'], signatureLength });

const SPECS: Readonly<Record<Algorithm, AlgorithmSpec>> = {
  RS256: rsa,
  RS384: rsa,
  RS512: rsa,
  PS256: pss,
  PS384: pss,
  PS512: pss,
  ES256: ec('P-256', 64),
  ES384: ec('P-384', 96),
  ES512: ec('P-521', 132),
  EdDSA: { keyTypes: ['ed25519', 'ed448'] },
  Ed25519: { keyTypes: ['ed25519'], signatureLength: 64 },
  HS256: hmac(32),
  HS384: hmac(48),
  HS512: hmac(64),
};

/** Group orders of the curves, big-endian: a valid ECDSA signature has 0 < r, s < n. */
const CURVE_ORDERS: Readonly<Record<string, Uint8Array>> = {
  'P-256': hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  'P-384': hex('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
  'P-521': hex(
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  ),
};

export const SUPPORTED_ALGORITHMS: readonly Algorithm[] = Object.freeze(Object.keys(SPECS) as Algorithm[]);
const MIN_RSA_MODULUS_BITS = 2048;
const MIN_HMAC_SECRET_BYTES = 32;

export function isSupportedAlgorithm(alg: unknown): alg is Algorithm {
  return typeof alg === 'string' && Object.hasOwn(SPECS, alg);
}

/** The algorithms a key can verify: RSA keys RS and PS, an EC key its curve's ES, secrets HS, never `none`. */
export function algorithmsForKey(key: PlatformKey): Algorithm[] {
  return SUPPORTED_ALGORITHMS.filter((alg) => keyFitsAlgorithm(key, alg));
}

export function keyFitsAlgorithm(key: PlatformKey, alg: Algorithm): boolean {
  const spec = SPECS[alg];
  const { info } = key;
  if (!spec.keyTypes.includes(info.type)) return false;
  if (info.type === 'secret') return (info.secretBytes ?? 0) >= MIN_HMAC_SECRET_BYTES;
  if (spec.curve) return info.curve === spec.curve;
  if (info.type === 'rsa' || info.type === 'rsa-pss') return (info.modulusBits ?? 0) >= MIN_RSA_MODULUS_BITS;
  return true;
}

/**
 * Verifies a JWS signature: the shape of the signature is checked here, the same for every
 * platform, then the platform checks the cryptography. On Node that is synchronous (node:crypto:
 * the async WebCrypto hop costs more than RSA itself); elsewhere it is WebCrypto, a promise.
 */
export function verifySignature(
  alg: Algorithm,
  key: PlatformKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): boolean | Promise<boolean> {
  if (!keyFitsAlgorithm(key, alg) || !hasValidShape(alg, key, signature)) return false;
  return platform.verify(alg, key, signingInput, signature);
}

/**
 * The signature's length (fixed by the algorithm, or the RSA modulus length), and for ECDSA
 * 0 < r, s < n: a zero or out-of-range half is never a signature, whatever a crypto library says.
 */
function hasValidShape(alg: Algorithm, key: PlatformKey, signature: Uint8Array): boolean {
  const spec = SPECS[alg];
  if (spec.signatureLength !== undefined) {
    if (signature.length !== spec.signatureLength) return false;
    if (spec.curve) {
      const order = CURVE_ORDERS[spec.curve] as Uint8Array;
      const half = signature.length / 2;
      return inRange(signature.subarray(0, half), order) && inRange(signature.subarray(half), order);
    }
    return true;
  }
  const bits = key.info.modulusBits;
  return bits === undefined || signature.length === Math.ceil(bits / 8);
}

/** 0 < value < order, both big-endian of the same length. */
function inRange(value: Uint8Array, order: Uint8Array): boolean {
  let zero = true;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return false;
  for (let i = 0; i < value.length; i++) {
    const a = value[i] as number;
    const b = order[i] as number;
    if (a !== b) return a < b;
  }
  return false;
}

function hex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
