import { constants, createHmac, type KeyObject, sign } from 'node:crypto';
import { encodeBase64url } from '../base64url.js';

export interface SignJwtInput {
  header: Record<string, unknown>;
  payload: Record<string, unknown> | string;
  /** A private key, or a secret (KeyObject, string or bytes) for HS*. Ignored for `alg: none`. */
  key?: KeyObject | string | Uint8Array;
}

/**
 * Signs a compact JWS with node:crypto, exactly as told: the header is not completed or checked.
 * For tests and demos that need any token at all, valid or hostile.
 */
export function signJwt({ header, payload, key }: SignJwtInput): string {
  const alg = String(header.alg);
  const encodedHeader = encodeBase64url(JSON.stringify(header));
  const encodedPayload = encodeBase64url(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const input = `${encodedHeader}.${encodedPayload}`;
  if (alg.toLowerCase() === 'none') return `${input}.`;
  if (key === undefined) throw new TypeError(`signJwt: ${alg} needs a key`);
  return `${input}.${encodeBase64url(signature(alg, Buffer.from(input), key))}`;
}

function signature(alg: string, data: Buffer, key: KeyObject | string | Uint8Array): Buffer {
  const digest = `sha${alg.slice(2)}`;
  if (alg.startsWith('HS')) {
    const secret = typeof key === 'string' ? Buffer.from(key) : key;
    return createHmac(digest, secret as KeyObject | Buffer)
      .update(data)
      .digest();
  }
  const privateKey = key as KeyObject;
  if (alg.startsWith('RS')) return sign(digest, data, privateKey);
  if (alg.startsWith('PS')) {
    return sign(digest, data, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  if (alg.startsWith('ES')) return sign(digest, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (alg === 'EdDSA' || alg === 'Ed25519') return sign(null, data, privateKey);
  throw new TypeError(`signJwt: unsupported algorithm ${alg}`);
}
