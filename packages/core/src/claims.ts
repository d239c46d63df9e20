import { AuthError, type AuthErrorReason } from './errors.js';

export interface ClaimsPolicy {
  readonly issuers: readonly string[] | undefined;
  readonly audiences: readonly string[] | undefined;
  /** Seconds. */
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
  readonly maxTokenLifetime: number;
}

const invalid = (reason: AuthErrorReason) => new AuthError('UNAUTHENTICATED', reason);
const isTime = (value: unknown): value is number => Number.isFinite(value);

/**
 * Checks the registered claims; returns when the verified token stops being valid (ms since epoch).
 * `exp` is required; `nbf` and `iat` may not lie in the future; the lifetime (`exp` − `iat`) is bounded.
 */
export function checkRegisteredClaims(payload: Record<string, unknown>, policy: ClaimsPolicy, nowMs: number): number {
  const now = nowMs / 1000;
  const { exp, nbf, iat, iss, aud, sub, jti } = payload;
  const tolerance = policy.clockTolerance;

  if (exp === undefined) throw invalid('EXPIRATION_MISSING');
  if (!isTime(exp)) throw invalid('CLAIMS_INVALID');
  if (exp <= now - tolerance) throw invalid('TOKEN_EXPIRED');
  if (nbf !== undefined) {
    if (!isTime(nbf)) throw invalid('CLAIMS_INVALID');
    if (nbf > now + tolerance) throw invalid('TOKEN_NOT_YET_VALID');
  }
  if (iat !== undefined) {
    if (!isTime(iat)) throw invalid('CLAIMS_INVALID');
    if (iat > now + tolerance) throw invalid('ISSUED_IN_FUTURE');
  }
  if (policy.maxTokenAge !== undefined) {
    if (iat === undefined) throw invalid('ISSUED_AT_MISSING');
    if (now - (iat as number) > policy.maxTokenAge + tolerance) throw invalid('TOKEN_TOO_OLD');
  }
  const start = iat === undefined ? Math.max(now, isTime(nbf) ? nbf : now) : (iat as number);
  if (exp - start > policy.maxTokenLifetime) throw invalid('LIFETIME_TOO_LONG');

  if (!isOptionalString(iss) || !isOptionalString(sub) || !isOptionalString(jti)) throw invalid('CLAIMS_INVALID');
  if (aud !== undefined && !isAudience(aud)) throw invalid('CLAIMS_INVALID');
  // Bound to a key of its sender (RFC 9449 DPoP, RFC 8705 mTLS): as a plain Bearer token it proves nothing.
  if (payload.cnf !== undefined) throw invalid('TOKEN_SENDER_CONSTRAINED');
  // `iss` is a string or absent here; the issuers are strings, so an absent one never matches.
  if (policy.issuers && !policy.issuers.includes(iss as string)) throw invalid('ISSUER_MISMATCH');
  if (policy.audiences && !audienceMatches(aud, policy.audiences)) throw invalid('AUDIENCE_MISMATCH');
  return validUntilOf(payload, policy);
}

/**
 * When a token with these claims stops being accepted under `policy`, in ms since the epoch: `exp`
 * plus the clock tolerance, earlier with `maxTokenAge` (`iat` plus the age plus the tolerance).
 * Infinity for claims without a numeric `exp` (nothing ends them in time).
 */
export function validUntilOf(claims: Readonly<Record<string, unknown>>, policy: ClaimsPolicy): number {
  const { exp, iat } = claims;
  const tolerance = policy.clockTolerance;
  let validUntil = isTime(exp) ? exp + tolerance : Number.POSITIVE_INFINITY;
  if (policy.maxTokenAge !== undefined && isTime(iat)) {
    validUntil = Math.min(validUntil, iat + policy.maxTokenAge + tolerance);
  }
  return validUntil * 1000;
}

const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

function isAudience(aud: unknown): boolean {
  return typeof aud === 'string' || (Array.isArray(aud) && aud.every((value) => typeof value === 'string'));
}

/** `aud` as `isAudience` let it through: absent, a string, or a list of strings. */
function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  if (!Array.isArray(aud)) return false;
  // A loop, not `some`: no closure per verification.
  for (const value of aud) if (accepted.includes(value)) return true;
  return false;
}
