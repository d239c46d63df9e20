import { decodeBase64url, encodeBase64url } from '../base64url.js';
import type { PublicJwk } from './contract.js';

/**
 * PEM public keys as JWK members, without node:crypto: SPKI (`PUBLIC KEY`), PKCS#1
 * (`RSA PUBLIC KEY`) and X.509 certificates (`CERTIFICATE`, whose SPKI is taken). A minimal DER
 * reader, bounds-checked at every step; anything else, private keys included, throws.
 */
export function pemToJwk(pem: string): PublicJwk {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match) throw new TypeError('not PEM');
  const der = decodeBase64url(
    (match[2] as string).replace(/\s+/g, '').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
  );
  if (!der) throw new TypeError('PEM body is not base64');
  switch (match[1]) {
    case 'PUBLIC KEY':
      return spkiToJwk(der, 0);
    case 'RSA PUBLIC KEY':
      return rsaPublicKey(der, 0);
    case 'CERTIFICATE':
      return spkiToJwk(der, certificateSpki(der));
    default:
      throw new TypeError('not a public key');
  }
}

interface Element {
  readonly tag: number;
  /** Offset of the content. */
  readonly start: number;
  /** Offset just past the content. */
  readonly end: number;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OID = 0x06;

function read(der: Uint8Array, offset: number, limit = der.length): Element {
  if (offset + 2 > limit) throw new TypeError('truncated DER');
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 3 || start + octets > limit) throw new TypeError('bad DER length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] as number);
    start += octets;
  }
  const end = start + length;
  if (end > limit) throw new TypeError('truncated DER');
  return { tag, start, end };
}

function expect(der: Uint8Array, offset: number, tag: number, limit?: number): Element {
  const element = read(der, offset, limit);
  if (element.tag !== tag) throw new TypeError('unexpected DER element');
  return element;
}

const OIDS: Readonly<Record<string, string>> = {
  '2a864886f70d010101': 'rsa',
  '2a8648ce3d0201': 'ec',
  '2b6570': 'ed25519',
  '2a8648ce3d030107': 'P-256',
  '2b81040022': 'P-384',
  '2b81040023': 'P-521',
};
const COORDINATE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

function oid(der: Uint8Array, element: Element): string | undefined {
  let hex = '';
  for (let i = element.start; i < element.end; i++) hex += (der[i] as number).toString(16).padStart(2, '0');
  return OIDS[hex];
}

function spkiToJwk(der: Uint8Array, offset: number): PublicJwk {
  const spki = expect(der, offset, SEQUENCE);
  const algorithm = expect(der, spki.start, SEQUENCE, spki.end);
  const algorithmId = expect(der, algorithm.start, OID, algorithm.end);
  const key = expect(der, algorithm.end, BIT_STRING, spki.end);
  if (key.end !== spki.end || der[key.start] !== 0) throw new TypeError('bad SPKI');
  const bits = key.start + 1;
  switch (oid(der, algorithmId)) {
    case 'rsa':
      return rsaPublicKey(der.subarray(bits, key.end), 0);
    case 'ed25519':
      if (key.end - bits !== 32) throw new TypeError('bad Ed25519 key');
      return { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(der.subarray(bits, key.end)) };
    case 'ec': {
      const curve = oid(der, expect(der, algorithmId.end, OID, algorithm.end));
      const size = curve === undefined ? undefined : COORDINATE_BYTES[curve];
      // Uncompressed points only: a JWK cannot carry a compressed one.
      if (size === undefined || key.end - bits !== 1 + 2 * size || der[bits] !== 0x04) {
        throw new TypeError('unsupported EC key');
      }
      return {
        kty: 'EC',
        crv: curve,
        x: encodeBase64url(der.subarray(bits + 1, bits + 1 + size)),
        y: encodeBase64url(der.subarray(bits + 1 + size, key.end)),
      };
    }
    default:
      throw new TypeError('unsupported key type');
  }
}

function rsaPublicKey(der: Uint8Array, offset: number): PublicJwk {
  const sequence = expect(der, offset, SEQUENCE);
  const n = expect(der, sequence.start, INTEGER, sequence.end);
  const e = expect(der, n.end, INTEGER, sequence.end);
  if (e.end !== sequence.end) throw new TypeError('bad RSA key');
  return { kty: 'RSA', n: unsigned(der, n), e: unsigned(der, e) };
}

/** A DER INTEGER as unsigned big-endian base64url (its sign octet dropped). */
function unsigned(der: Uint8Array, element: Element): string {
  let start = element.start;
  while (start < element.end - 1 && der[start] === 0) start++;
  return encodeBase64url(der.subarray(start, element.end));
}

/** Offset of the SPKI inside a certificate's tbsCertificate. */
function certificateSpki(der: Uint8Array): number {
  const certificate = expect(der, 0, SEQUENCE);
  const tbs = expect(der, certificate.start, SEQUENCE, certificate.end);
  let offset = tbs.start;
  // [0] EXPLICIT version, when present.
  if (der[offset] === 0xa0) offset = read(der, offset, tbs.end).end;
  // serialNumber, signature, issuer, validity, subject.
  for (let i = 0; i < 5; i++) offset = read(der, offset, tbs.end).end;
  return offset;
}
