import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from 'node:crypto';

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
  /** The key types (node:crypto `asymmetricKeyType`, or 'secret') this algorithm may be used with. */
  readonly keyTypes: readonly string[];
  readonly digest: string | null;
  readonly curve?: string;
  /** Exact signature length in bytes, where the algorithm fixes it. */
  readonly signatureLength?: number;
  readonly pss?: boolean;
}

const rsa = (digest: string): AlgorithmSpec => ({ keyTypes: ['rsa'], digest });
const pss = (digest: string): AlgorithmSpec => ({ keyTypes: ['rsa', 'rsa-pss'], digest, pss: true });
const ec = (digest: string, curve: string, signatureLength: number): AlgorithmSpec => ({
  keyTypes: ['ec'],
  digest,
  curve,
  signatureLength,
});
const hmac = (digest: string, signatureLength: number): AlgorithmSpec => ({
  keyTypes: ['secret'],
  digest,
  signatureLength,
});

const SPECS: Readonly<Record<Algorithm, AlgorithmSpec>> = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: pss('sha256'),
  PS384: pss('sha384'),
  PS512: pss('sha512'),
  ES256: ec('sha256', 'prime256v1', 64),
  ES384: ec('sha384', 'secp384r1', 96),
  ES512: ec('sha512', 'secp521r1', 132),
  EdDSA: { keyTypes: ['ed25519', 'ed448'], digest: null },
  Ed25519: { keyTypes: ['ed25519'], digest: null, signatureLength: 64 },
  HS256: hmac('sha256', 32),
  HS384: hmac('sha384', 48),
  HS512: hmac('sha512', 64),
};

export const SUPPORTED_ALGORITHMS: readonly Algorithm[] = Object.freeze(Object.keys(SPECS) as Algorithm[]);
const MIN_RSA_MODULUS_BITS = 2048;
const MIN_HMAC_SECRET_BYTES = 32;

export function isSupportedAlgorithm(alg: unknown): alg is Algorithm {
  return typeof alg === 'string' && Object.hasOwn(SPECS, alg);
}

/** The algorithms a key can verify: RSA keys RS and PS, an EC key its curve's ES, secrets HS, never `none`. */
export function algorithmsForKey(key: KeyObject): Algorithm[] {
  return SUPPORTED_ALGORITHMS.filter((alg) => keyFitsAlgorithm(key, alg));
}

export function keyFitsAlgorithm(key: KeyObject, alg: Algorithm): boolean {
  const spec = SPECS[alg];
  const keyType = key.type === 'secret' ? 'secret' : key.asymmetricKeyType;
  if (keyType === undefined || !spec.keyTypes.includes(keyType)) return false;
  if (key.type === 'private') return false;
  if (keyType === 'secret') return (key.symmetricKeySize ?? 0) >= MIN_HMAC_SECRET_BYTES;
  const details = key.asymmetricKeyDetails;
  if (spec.curve) return details?.namedCurve === spec.curve;
  if (keyType === 'rsa' || keyType === 'rsa-pss') return (details?.modulusLength ?? 0) >= MIN_RSA_MODULUS_BITS;
  return true;
}

/** Verifies a JWS signature with node:crypto, synchronously: the async WebCrypto hop costs more than RSA itself. */
export function verifySignature(alg: Algorithm, key: KeyObject, signingInput: Buffer, signature: Buffer): boolean {
  const spec = SPECS[alg];
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) return false;
  // Defence in depth against algorithm confusion: HMAC only with a secret, signatures only with a public key.
  if ((key.type === 'secret') !== (spec.keyTypes[0] === 'secret')) return false;
  if (key.type === 'secret') {
    const expected = createHmac(spec.digest as string, key)
      .update(signingInput)
      .digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  try {
    if (spec.pss) {
      return verify(
        spec.digest,
        signingInput,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    }
    if (spec.curve) return verify(spec.digest, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(spec.digest, signingInput, key, signature);
  } catch {
    return false;
  }
}
