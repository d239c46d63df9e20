export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'KEYS_UNAVAILABLE';
export type AuthErrorStatus = 401 | 403 | 400 | 503;

/** Internal reason codes: for logs and audit hooks, never sent to clients by default. */
export type AuthErrorReason =
  // credentials
  | 'NO_CREDENTIALS'
  | 'MULTIPLE_CREDENTIALS'
  | 'MALFORMED_CREDENTIALS'
  | 'UNSUPPORTED_SCHEME'
  // token structure
  | 'TOKEN_TOO_LARGE'
  | 'TOKEN_MALFORMED'
  | 'HEADER_INVALID'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'TYPE_NOT_ALLOWED'
  | 'CRITICAL_HEADER'
  // keys and signature
  | 'KEY_NOT_FOUND'
  | 'KEY_AMBIGUOUS'
  | 'SIGNATURE_INVALID'
  | 'KEYS_UNAVAILABLE'
  // claims
  | 'EXPIRATION_MISSING'
  | 'ISSUED_AT_MISSING'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'ISSUED_IN_FUTURE'
  | 'TOKEN_TOO_OLD'
  | 'LIFETIME_TOO_LONG'
  | 'ISSUER_MISMATCH'
  | 'AUDIENCE_MISMATCH'
  | 'CLAIMS_INVALID'
  /** A sender-constrained token (`cnf`: DPoP, mTLS) presented as a plain Bearer token. */
  | 'TOKEN_SENDER_CONSTRAINED'
  // shared state
  | 'TOKEN_REVOKED'
  | 'STATE_UNAVAILABLE'
  | 'ACCESS_TOKEN_UNAVAILABLE'
  | 'LOGOUT_TOKEN_INVALID'
  | 'LOGOUT_TOKEN_REPLAYED'
  // authorization
  | 'ROLE_MISSING'
  | 'PERMISSION_MISSING';

const STATUS: Record<AuthErrorCode, AuthErrorStatus> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  KEYS_UNAVAILABLE: 503,
};

/** The only messages a client ever sees: they never echo tokens, key ids, algorithms, URLs or library text. */
export const AUTH_ERROR_MESSAGES = {
  NO_CREDENTIALS: 'Authentication required',
  INVALID_TOKEN: 'Invalid or expired token',
  BAD_REQUEST: 'Malformed authorization header',
  FORBIDDEN: 'Insufficient permissions',
  KEYS_UNAVAILABLE: 'Authentication is temporarily unavailable',
} as const;

export type AuthErrorMessage = (typeof AUTH_ERROR_MESSAGES)[keyof typeof AUTH_ERROR_MESSAGES];

/** The `realm` of challenges when the verifier names none. */
export const DEFAULT_REALM = 'gatehouse';
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export interface AuthErrorInit {
  /** Seconds, for `Retry-After` on 503. */
  retryAfter?: number;
}

/**
 * A mark that survives two copies of this package in one process (an ES module and a CommonJS copy, or
 * two versions): `isAuthError` and `instanceof AuthError` recognise an AuthError made by either copy.
 */
const AUTH_ERROR_BRAND = Symbol.for('@gatehousejs/core:AuthError');

/**
 * The one error type of Gatehouse. `code` and `status` say what happened to the client;
 * `reason` says why, for logs. The stack is never captured: auth failures are expected
 * outcomes, and a trace must not reach a client whatever the environment.
 */
export class AuthError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Only AuthError itself answers by brand; a subclass keeps the ordinary prototype check.
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about
    return this === AuthError ? isAuthError(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }

  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly status: AuthErrorStatus;
  readonly reason: AuthErrorReason;
  /**
   * RFC 6750 challenge for `WWW-Authenticate` in the default realm (absent for 503). HTTP edges
   * render it in the verifier's realm with `authErrorHeaders(error, verifier.realm)`.
   */
  readonly wwwAuthenticate?: string;
  /** Seconds, for `Retry-After` on 503. */
  readonly retryAfter?: number;

  constructor(code: AuthErrorCode, reason: AuthErrorReason, init: AuthErrorInit = {}) {
    super(messageFor(code, reason));
    this.code = code;
    this.status = STATUS[code];
    this.reason = reason;
    if (code === 'KEYS_UNAVAILABLE') {
      this.retryAfter = init.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS;
    } else {
      this.wwwAuthenticate = challenge(this);
    }
    this.stack = `${this.name}: ${this.message}`;
    Object.defineProperty(this, AUTH_ERROR_BRAND, { value: true });
  }

  /** What may be sent to a client. */
  toJSON(): { error: AuthErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** True for an AuthError from any copy of `@gatehousejs/core` loaded in the process (ESM or CommonJS). */
export function isAuthError(value: unknown): value is AuthError {
  return value instanceof Error && (value as { [AUTH_ERROR_BRAND]?: unknown })[AUTH_ERROR_BRAND] === true;
}

function messageFor(code: AuthErrorCode, reason: AuthErrorReason): AuthErrorMessage {
  switch (code) {
    case 'UNAUTHENTICATED':
      return isMissingCredential(reason) ? AUTH_ERROR_MESSAGES.NO_CREDENTIALS : AUTH_ERROR_MESSAGES.INVALID_TOKEN;
    case 'BAD_REQUEST':
      return AUTH_ERROR_MESSAGES.BAD_REQUEST;
    case 'FORBIDDEN':
      return AUTH_ERROR_MESSAGES.FORBIDDEN;
    case 'KEYS_UNAVAILABLE':
      return AUTH_ERROR_MESSAGES.KEYS_UNAVAILABLE;
  }
}

/** RFC 6750 §3.1: a request without a Bearer credential (none, or another scheme) gets a challenge without an error code. */
function isMissingCredential(reason: AuthErrorReason): boolean {
  return reason === 'NO_CREDENTIALS' || reason === 'UNSUPPORTED_SCHEME';
}

/**
 * The RFC 6750 `WWW-Authenticate` challenge for an error, from its code and reason, in `realm`
 * (checked with {@link isValidRealm} when the verifier is made). Undefined for 503, which has none.
 */
export function challenge(error: AuthError, realm: string = DEFAULT_REALM): string | undefined {
  const base = `Bearer realm="${realm}"`;
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return isMissingCredential(error.reason) ? base : `${base}, error="invalid_token"`;
    case 'BAD_REQUEST':
      return `${base}, error="invalid_request"`;
    case 'FORBIDDEN':
      return `${base}, error="insufficient_scope"`;
    case 'KEYS_UNAVAILABLE':
      return undefined;
  }
}

/** Headers an HTTP response for this error carries; `realm`: the verifier's (`verifier.realm`). */
export function authErrorHeaders(error: AuthError, realm: string = DEFAULT_REALM): Record<string, string> {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const value = realm === DEFAULT_REALM ? error.wwwAuthenticate : challenge(error, realm);
  if (value) headers['www-authenticate'] = value;
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  return headers;
}

/** A `realm` fits in a quoted-string without escapes: printable ASCII except `"` and `\\`. */
export function isValidRealm(realm: unknown): realm is string {
  return typeof realm === 'string' && realm.length > 0 && realm.length <= 256 && /^[ !#-[\]-~]+$/.test(realm);
}

/** A configuration mistake found when a verifier, directive or router is built: fail at start, never per request. */
export class GatehouseConfigError extends Error {
  override readonly name = 'GatehouseConfigError';
  readonly code = 'INVALID_CONFIGURATION' as const;
}
