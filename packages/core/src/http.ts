import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifierFromEnv } from './env.js';
import { AuthError, authErrorHeaders } from './errors.js';
import { defineRequirement } from './requirement.js';
import type { AuthUser, Requirement } from './types.js';
import type { Verifier } from './verifier.js';

export interface WithAuthenticationOptions extends Requirement {
  /** Default: `verifierFromEnv()`, made once for the process. */
  verifier?: Verifier;
}

export type AuthenticatedRequest<R extends IncomingMessage = IncomingMessage> = R & { user: AuthUser };
type Next = (error?: unknown) => void;

let defaultVerifier: Verifier | undefined;
function sharedVerifier(): Verifier {
  defaultVerifier ??= verifierFromEnv();
  return defaultVerifier;
}

/**
 * Middleware for Express, Connect and `node:http` routes: verifies the Bearer token, checks the
 * requirement, sets `req.user` and calls `next()`, or answers 401/403/400/503 with
 * `{ error, message }` and `WWW-Authenticate`. `next()` is called only on success.
 */
export function withAuthentication(options: WithAuthenticationOptions = {}) {
  const { verifier: given, ...rest } = options;
  const requirement = defineRequirement(rest, 'withAuthentication');
  const verifier = given ?? sharedVerifier();
  return function gatehouseMiddleware(req: IncomingMessage, res: ServerResponse, next?: Next): Promise<void> {
    return verifier
      .authenticate(req)
      .then((user) => {
        // The names were typed by the caller (WithAuthenticationOptions) and checked by defineRequirement.
        (req as AuthenticatedRequest).user = verifier.authorize(user, requirement as Requirement);
      })
      .then(
        () => next?.(),
        (error: unknown) => sendAuthError(res, error),
      );
  };
}

/** Answers an auth failure as JSON; anything that is not an AuthError becomes a generic 401, never a trace. */
export function sendAuthError(res: ServerResponse, error: unknown): void {
  const authError = error instanceof AuthError ? error : new AuthError('UNAUTHENTICATED', 'TOKEN_MALFORMED');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = authError.status;
  for (const [name, value] of Object.entries(authErrorHeaders(authError))) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(authError.toJSON()));
}
