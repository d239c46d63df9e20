import { Buffer, isUtf8 } from 'node:buffer';
import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import type { Algorithm } from '../algorithms.js';
import type { KeyInfo, KeyType, Platform, PlatformKey, PublicJwk } from './contract.js';
import { EventLoopHold, fetchJson } from './node-fetch.js';

/** node:crypto keys, checked synchronously. */
interface NodeKey extends PlatformKey {
  readonly object: KeyObject;
}

const DIGESTS: Readonly<Record<Algorithm, string | null>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
  Ed25519: null,
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
};

const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function wrap(object: KeyObject): NodeKey {
  if (object.type === 'private') throw new TypeError('not a public key');
  if (object.type === 'secret') return { object, info: { type: 'secret', secretBytes: object.symmetricKeySize ?? 0 } };
  const type = object.asymmetricKeyType as KeyType | undefined;
  if (type === undefined || type === 'secret') throw new TypeError('unsupported key type');
  const details = object.asymmetricKeyDetails;
  const info: KeyInfo =
    type === 'ec'
      ? { type, curve: CURVES[details?.namedCurve ?? ''] ?? details?.namedCurve ?? '' }
      : type === 'rsa' || type === 'rsa-pss'
        ? { type, modulusBits: details?.modulusLength ?? 0 }
        : { type };
  return { object, info };
}

function verifyWithNode(alg: Algorithm, key: PlatformKey, data: Uint8Array, signature: Uint8Array): boolean {
  const { object } = key as NodeKey;
  const digest = DIGESTS[alg];
  if (object.type === 'secret') {
    const expected = createHmac(digest as string, object)
      .update(data)
      .digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  try {
    if (alg.startsWith('PS')) {
      return verify(
        digest,
        data,
        { key: object, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    }
    if (alg.startsWith('ES')) return verify(digest, data, { key: object, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(digest, data, object, signature);
  } catch {
    return false;
  }
}

/** A Buffer over the same memory: node:buffer's methods, no copy. */
const asBuffer = (bytes: Uint8Array) =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const platform: Platform = {
  name: 'node',
  requestScopedIo: false,
  /**
   * Node's decoder is lenient (it skips what it does not know), so the test is exact: the bytes
   * must encode back to the very same text. That is cheaper than checking the alphabet first.
   */
  decodeBase64url(input) {
    const bytes = Buffer.from(input, 'base64url');
    return bytes.toString('base64url') === input ? bytes : undefined;
  },
  decodeUtf8(bytes) {
    const buffer = asBuffer(bytes);
    return isUtf8(buffer) ? buffer.toString('utf8') : undefined;
  },
  latin1Bytes: (text) => Buffer.from(text, 'latin1'),
  importPublicJwk: (jwk: PublicJwk) => wrap(createPublicKey({ key: { ...jwk }, format: 'jwk' })),
  importPublicPem: (pem) => wrap(createPublicKey(pem)),
  importSecret: (bytes) => wrap(createSecretKey(asBuffer(bytes))),
  // createPublicKey already refused whatever node:crypto cannot use.
  prepare: () => true,
  sameKey: (a, b) => (a as NodeKey).object.equals((b as NodeKey).object),
  verify: verifyWithNode,
  fetchJson,
  createLoopHold: (held) => new EventLoopHold(held),
};
