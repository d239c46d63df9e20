import type { Algorithm } from '../algorithms.js';
import { decodeBase64url } from '../base64url.js';
import type { KeyInfo, LoopHold, Platform, PlatformKey, PublicJwk } from './contract.js';
import { pemToJwk } from './pem.js';
import { fetchJson } from './web-fetch.js';

/**
 * WebCrypto keys. WebCrypto binds a key to one algorithm and hash when it is imported, so each
 * key keeps one imported CryptoKey per algorithm, imported once (on first use, or when a key set
 * is loaded) and kept for the life of the key.
 */
interface WebKey extends PlatformKey {
  readonly jwk?: PublicJwk;
  readonly secret?: Uint8Array;
  readonly imported: Map<Algorithm, Promise<CryptoKey | undefined>>;
}

type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512';
interface Params {
  readonly importParams: RsaHashedImportParams | EcKeyImportParams | HmacImportParams | { name: string };
  readonly verifyParams: { name: string; hash?: Hash; saltLength?: number };
}

const rsa = (hash: Hash): Params => ({
  importParams: { name: 'RSASSA-PKCS1-v1_5', hash },
  verifyParams: { name: 'RSASSA-PKCS1-v1_5' },
});
const pss = (hash: Hash, saltLength: number): Params => ({
  importParams: { name: 'RSA-PSS', hash },
  verifyParams: { name: 'RSA-PSS', saltLength },
});
const ecdsa = (hash: Hash, namedCurve: string): Params => ({
  importParams: { name: 'ECDSA', namedCurve },
  verifyParams: { name: 'ECDSA', hash },
});
const hmac = (hash: Hash): Params => ({ importParams: { name: 'HMAC', hash }, verifyParams: { name: 'HMAC' } });
const ed25519: Params = { importParams: { name: 'Ed25519' }, verifyParams: { name: 'Ed25519' } };

const PARAMS: Readonly<Record<Algorithm, Params>> = {
  RS256: rsa('SHA-256'),
  RS384: rsa('SHA-384'),
  RS512: rsa('SHA-512'),
  PS256: pss('SHA-256', 32),
  PS384: pss('SHA-384', 48),
  PS512: pss('SHA-512', 64),
  ES256: ecdsa('SHA-256', 'P-256'),
  ES384: ecdsa('SHA-384', 'P-384'),
  ES512: ecdsa('SHA-512', 'P-521'),
  EdDSA: ed25519,
  Ed25519: ed25519,
  HS256: hmac('SHA-256'),
  HS384: hmac('SHA-384'),
  HS512: hmac('SHA-512'),
};

const COORDINATE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** The description of a public JWK, checked as far as can be without importing it. */
function describeJwk(jwk: PublicJwk): KeyInfo {
  const bytes = (value: unknown) => (typeof value === 'string' ? decodeBase64url(value) : undefined);
  if (jwk.kty === 'RSA') {
    const n = bytes(jwk.n);
    const e = bytes(jwk.e);
    if (!n || !e || e.length === 0) throw new TypeError('bad RSA key');
    return { type: 'rsa', modulusBits: bitLength(n) };
  }
  if (jwk.kty === 'EC') {
    const size = COORDINATE_BYTES[jwk.crv ?? ''];
    if (size === undefined || bytes(jwk.x)?.length !== size || bytes(jwk.y)?.length !== size) {
      throw new TypeError('bad EC key');
    }
    return { type: 'ec', curve: jwk.crv };
  }
  // Ed448 has no WebCrypto algorithm that runs everywhere: such a key is refused.
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && bytes(jwk.x)?.length === 32) return { type: 'ed25519' };
  throw new TypeError('unsupported key type');
}

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}

function publicKey(jwk: PublicJwk): WebKey {
  const members: PublicJwk = { kty: jwk.kty };
  for (const name of ['n', 'e', 'crv', 'x', 'y'] as const) if (jwk[name] !== undefined) members[name] = jwk[name];
  return { info: describeJwk(members), jwk: members, imported: new Map() };
}

/** The CryptoKey of a key for one algorithm: imported the first time, then the same promise. */
function cryptoKey(key: WebKey, alg: Algorithm): Promise<CryptoKey | undefined> {
  let imported = key.imported.get(alg);
  if (!imported) {
    const params = PARAMS[alg].importParams;
    const subtle = globalThis.crypto.subtle;
    imported = (
      key.secret
        ? subtle.importKey('raw', key.secret as BufferSource, params, false, ['verify'])
        : subtle.importKey('jwk', key.jwk as JsonWebKey, params, false, ['verify'])
    ).catch(() => undefined);
    key.imported.set(alg, imported);
  }
  return imported;
}

async function verifyWithWebCrypto(
  alg: Algorithm,
  key: PlatformKey,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const imported = await cryptoKey(key as WebKey, alg);
  if (!imported) return false;
  try {
    return await globalThis.crypto.subtle.verify(
      PARAMS[alg].verifyParams,
      imported,
      signature as BufferSource,
      data as BufferSource,
    );
  } catch {
    return false;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NO_HOLD: LoopHold = { hold() {} };

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const platform: Platform = {
  name: 'web',
  requestScopedIo: typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers',
  decodeBase64url,
  decodeUtf8(bytes) {
    try {
      return utf8.decode(bytes);
    } catch {
      return undefined;
    }
  },
  latin1Bytes(text) {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  },
  importPublicJwk: publicKey,
  importPublicPem: (pem) => publicKey(pemToJwk(pem)),
  importSecret: (bytes): WebKey => ({
    info: { type: 'secret', secretBytes: bytes.length },
    secret: bytes.slice(),
    imported: new Map(),
  }),
  prepare(key, algorithms) {
    const imports = [...algorithms].map((alg) => cryptoKey(key as WebKey, alg));
    return Promise.all(imports).then((keys) => keys.every((k) => k !== undefined));
  },
  sameKey(a, b) {
    const x = a as WebKey;
    const y = b as WebKey;
    if (x.secret || y.secret) return sameBytes(x.secret, y.secret);
    const p = x.jwk as PublicJwk;
    const q = y.jwk as PublicJwk;
    return p.kty === q.kty && p.n === q.n && p.e === q.e && p.crv === q.crv && p.x === q.x && p.y === q.y;
  },
  verify: verifyWithWebCrypto,
  fetchJson,
  createLoopHold: () => NO_HOLD,
};
