import { extractBearerToken, isAuthorizationName } from './credentials.js';
import { isAuthError } from './errors.js';
import type { CredentialSource, HeaderRecord } from './types.js';

export interface ConnectionParamsOptions {
  /**
   * Whether `connectionParams` may carry credentials here. When false (say, for an SSE URL, which
   * ends up in access logs), a credential found in them is refused as malformed (400), never
   * ignored. Default true.
   */
  readonly allowed?: boolean;
}

/** An empty Bearer, which {@link extractBearerToken} refuses as malformed (400). */
const MALFORMED = 'Bearer';
const NO_CREDENTIALS: HeaderRecord = Object.freeze({});

/**
 * The credentials of a connection whose client may send them in `connectionParams` (graphql-ws,
 * tRPC `wsLink` and `httpSubscriptionLink`), since browsers cannot set headers on a WebSocket or an
 * EventSource. Reads the params' own `authorization` (any case, a full header value) and `token`
 * (a bare token, read as `Bearer <token>`); a value that is not a string is a malformed credential.
 * They join the request's `Authorization` header as one more credential, so that the verifier
 * refuses two credentials in all (params and header, or two params) as a bad request (400).
 * Without credentials in the params, the request is returned as it is.
 */
export function credentialsWithConnectionParams(
  request: CredentialSource | undefined,
  params: unknown,
  options: ConnectionParamsOptions = {},
): CredentialSource {
  const fromParams = paramCredentials(params);
  if (fromParams.length === 0) return request ?? NO_CREDENTIALS;
  const values = options.allowed === false ? [MALFORMED] : fromParams;
  const fromRequest = request === undefined ? null : requestCredential(request);
  if (fromRequest !== null) values.push(fromRequest);
  return { authorization: values.length === 1 ? values[0] : values };
}

function paramCredentials(params: unknown): string[] {
  if (typeof params !== 'object' || params === null) return [];
  const values: string[] = [];
  // Own keys only: `__proto__` or an inherited property is never a credential.
  for (const key of Object.keys(params)) {
    const isAuthorization = isAuthorizationName(key);
    if (!isAuthorization && key !== 'token') continue;
    const value: unknown = (params as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') values.push(MALFORMED);
    else values.push(isAuthorization ? value : `Bearer ${value}`);
  }
  return values;
}

/** The request's credential as one `Authorization` value: its token, malformed when it is bad, or null. */
function requestCredential(request: CredentialSource): string | null {
  try {
    const token = extractBearerToken(request);
    return token === null ? null : `Bearer ${token}`;
  } catch (error) {
    if (isAuthError(error)) return MALFORMED;
    throw error;
  }
}
