import { platform } from '#platform';
import { type Algorithm, isSupportedAlgorithm } from './algorithms.js';
import { AuthError, type AuthErrorReason } from './errors.js';
import { parseJsonObject } from './json.js';

export interface JwsHeader {
  readonly alg: Algorithm;
  readonly kid?: string;
  readonly typ?: string;
}

export interface DecodedJws {
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
}

export interface DecodeLimits {
  readonly maxTokenLength: number;
  /** Lower-cased accepted `typ` values (without `application/`); `''` stands for an absent `typ`. */
  readonly types: ReadonlySet<string>;
  readonly algorithms: ReadonlySet<string>;
}

export const DEFAULT_MAX_TOKEN_LENGTH = 8192;
export const MAX_KID_LENGTH = 256;

const invalid = (reason: AuthErrorReason) => new AuthError('UNAUTHENTICATED', reason);

/**
 * Splits and decodes a compact JWS, checking everything that can be checked without a key:
 * size, shape, canonical base64url, UTF-8 JSON objects without duplicate members, `alg` in the
 * allowlist, `typ`, `kid`, and no `crit`. `jku`, `x5u`, `jwk` and `x5c` are never used.
 * The header is checked before the payload is decoded, so a refused algorithm costs little.
 */
export function decodeJws(token: string, limits: DecodeLimits): DecodedJws {
  if (token.length > limits.maxTokenLength) throw invalid('TOKEN_TOO_LARGE');
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw invalid('TOKEN_MALFORMED');
  }
  const header = decodeHeader(token.slice(0, firstDot), limits);
  const payload = decodeJsonSegment(token.slice(firstDot + 1, secondDot), 'TOKEN_MALFORMED');
  // A stripped signature is a missing one, whatever the header claims.
  if (secondDot === token.length - 1) throw invalid('SIGNATURE_INVALID');
  const signature = platform.decodeBase64url(token.slice(secondDot + 1));
  if (!signature) throw invalid('TOKEN_MALFORMED');
  return { header, payload, signingInput: platform.latin1Bytes(token.slice(0, secondDot)), signature };
}

/** Checked headers by their exact text, per verifier: an issuer's tokens share a handful of headers. */
const HEADER_CACHE_SIZE = 64;
const headerCaches = new WeakMap<DecodeLimits, Map<string, JwsHeader>>();

/** The same result as checking the segment afresh (only accepted headers are kept), without the decoding. */
function decodeHeader(segment: string, limits: DecodeLimits): JwsHeader {
  let cache = headerCaches.get(limits);
  const known = cache?.get(segment);
  if (known) return known;
  const header = Object.freeze(checkHeader(decodeJsonSegment(segment, 'HEADER_INVALID'), limits));
  if (!cache) {
    cache = new Map();
    headerCaches.set(limits, cache);
  }
  if (cache.size >= HEADER_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(segment, header);
  return header;
}

function decodeJsonSegment(segment: string, reason: AuthErrorReason): Record<string, unknown> {
  const bytes = platform.decodeBase64url(segment);
  if (!bytes) throw invalid('TOKEN_MALFORMED');
  // RFC 7515 and 7519 require UTF-8; replacement characters would give two spellings to one text.
  const text = platform.decodeUtf8(bytes);
  const json = text === undefined ? undefined : parseJsonObject(text);
  if (!json) throw invalid(reason);
  return json;
}

function checkHeader(header: Record<string, unknown>, limits: DecodeLimits): JwsHeader {
  const { alg, kid, typ } = header;
  if (!isSupportedAlgorithm(alg) || !limits.algorithms.has(alg)) throw invalid('ALGORITHM_NOT_ALLOWED');
  // Any `crit` (and so `b64: false`) asks for processing this verifier does not do: reject, as RFC 7515 §4.1.11 says.
  if (Object.hasOwn(header, 'crit') || Object.hasOwn(header, 'b64')) throw invalid('CRITICAL_HEADER');
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw invalid('HEADER_INVALID');
  }
  if (typ !== undefined && typeof typ !== 'string') throw invalid('HEADER_INVALID');
  const type = normalizeType(typ);
  // '' stands for an absent typ: an empty one (or a bare `application/`) is not absent.
  if (!limits.types.has(type) || (type === '' && typ !== undefined)) throw invalid('TYPE_NOT_ALLOWED');
  return { alg, kid: kid as string | undefined, typ: typ as string | undefined };
}

/** `typ` compares case-insensitively, with an optional `application/` prefix (RFC 7515 §4.1.9). */
export function normalizeType(typ: string | undefined): string {
  if (typ === undefined) return '';
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice(12) : lower;
}
