import { AuthError } from './errors.js';
import type { CredentialSource, HeaderRecord } from './types.js';

/** Longest `Authorization` header read at all; a longer one is rejected before any decoding. */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 16 * 1024;

/** RFC 9110 `token`: an auth-scheme. */
const SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 `token68`: the only credential syntax Bearer allows (RFC 6750 §2.1). */
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;
/** A second credential after a comma (`Basic x, Bearer y`: a merged duplicate header). */
const SECOND_BEARER = /,\s*bearer(?:\s|$)/i;

/**
 * Reads the Bearer token from `Authorization`, the only place a token is taken from (never the URL).
 * Returns null when no credentials were sent. Throws BAD_REQUEST for two credentials, an empty
 * Bearer or a malformed header, and UNAUTHENTICATED for another scheme: a credential that is
 * present is never ignored.
 */
export function extractBearerToken(source: CredentialSource): string | null {
  const values = authorizationValues(source);
  if (values.length === 0) return null;
  if (values.length > 1) throw new AuthError('BAD_REQUEST', 'MULTIPLE_CREDENTIALS');
  return parseAuthorization(values[0] as string);
}

/** Parses one `Authorization` header value: the token, null for an empty value, or an AuthError. */
export function parseAuthorization(value: string): string | null {
  if (value.length > MAX_AUTHORIZATION_HEADER_LENGTH) throw new AuthError('UNAUTHENTICATED', 'TOKEN_TOO_LARGE');
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const space = trimmed.indexOf(' ');
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (!SCHEME.test(scheme)) throw new AuthError('BAD_REQUEST', 'MALFORMED_CREDENTIALS');
  if (scheme.length !== 6 || scheme.toLowerCase() !== 'bearer') {
    if (SECOND_BEARER.test(trimmed)) throw new AuthError('BAD_REQUEST', 'MULTIPLE_CREDENTIALS');
    throw new AuthError('UNAUTHENTICATED', 'UNSUPPORTED_SCHEME');
  }
  // `Bearer` alone leaves an empty token, which token68 refuses below (malformed).
  const token = space === -1 ? '' : trimmed.slice(space + 1).trimStart();
  if (TOKEN68.test(token)) return token;
  // `Bearer a b`, `Bearer a, Bearer b` (a merged duplicate header): two credentials.
  if (/[\s,]/.test(token)) throw new AuthError('BAD_REQUEST', 'MULTIPLE_CREDENTIALS');
  throw new AuthError('BAD_REQUEST', 'MALFORMED_CREDENTIALS');
}

/**
 * Reads a Frontegg access token from `x-api-key`, where Frontegg's SDK takes it. Returns null when
 * the header is absent; throws BAD_REQUEST when it is sent twice, empty, or together with
 * `Authorization` (two credentials: which one counts would be a guess).
 */
export function extractApiKey(source: CredentialSource): string | null {
  const values = headerValues(source, API_KEY_HEADER);
  if (values.length === 0) return null;
  if (values.length > 1 || authorizationValues(source).length > 0) {
    throw new AuthError('BAD_REQUEST', 'MULTIPLE_CREDENTIALS');
  }
  const value = (values[0] as string).trim();
  if (value.length > MAX_AUTHORIZATION_HEADER_LENGTH) throw new AuthError('UNAUTHENTICATED', 'TOKEN_TOO_LARGE');
  // An empty value is not token68 either.
  if (!TOKEN68.test(value)) throw new AuthError('BAD_REQUEST', 'MALFORMED_CREDENTIALS');
  return value;
}

const API_KEY_HEADER = 'x-api-key';

/** `Authorization`, in any case. */
export function isAuthorizationName(name: string): boolean {
  return isHeaderName(name, 'authorization');
}

function isHeaderName(name: string, lowerCase: string): boolean {
  return name.length === lowerCase.length && name.toLowerCase() === lowerCase;
}

function authorizationValues(source: CredentialSource): readonly string[] {
  return headerValues(source, 'authorization');
}

/** Every value of one header (`name` in lower case), duplicates included. */
function headerValues(source: CredentialSource, name: string): readonly string[] {
  if (typeof source !== 'object' || source === null) {
    throw new TypeError('expected a Request, Headers, IncomingMessage or header record');
  }
  // A request (WHATWG or Node) first: an Express request also has a `get()`, but only its raw headers show duplicates.
  if ('headers' in source && typeof source.headers === 'object' && source.headers !== null) {
    const headers = source.headers as Headers | HeaderRecord;
    if (isHeaders(headers)) return fromHeaders(headers, name);
    const raw = (source as { rawHeaders?: unknown }).rawHeaders;
    // Node keeps only the first of duplicate `Authorization` headers in `headers`; the raw list has them all.
    if (Array.isArray(raw)) {
      const values = fromRawHeaders(raw, name);
      if (values.length > 0) return values;
    }
    return fromRecord(headers, name);
  }
  if (isHeaders(source)) return fromHeaders(source, name);
  return fromRecord(source as HeaderRecord, name);
}

/** The global Headers, or any implementation of it (servers such as graphql-yoga bring their own). */
function isHeaders(value: object): value is Headers {
  return typeof (value as { get?: unknown }).get === 'function';
}

/** WHATWG Headers join duplicates with `, `, which the parser then reads as two credentials. */
function fromHeaders(headers: Headers, name: string): readonly string[] {
  const value: string | null | undefined = headers.get(name);
  return typeof value === 'string' ? [value] : [];
}

function fromRawHeaders(raw: readonly unknown[], wanted: string): readonly string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (typeof name === 'string' && isHeaderName(name, wanted)) {
      values.push(String(raw[i + 1]));
    }
  }
  return values;
}

function fromRecord(record: HeaderRecord, wanted: string): readonly string[] {
  const values: string[] = [];
  for (const name of Object.keys(record)) {
    if (!isHeaderName(name, wanted)) continue;
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) values.push(...value);
    else throw new AuthError('BAD_REQUEST', 'MALFORMED_CREDENTIALS');
  }
  return values;
}
