import type { IncomingMessage, ServerResponse } from 'node:http';
import { denialOf } from './adapter.js';
import { verifierFromEnv } from './env.js';
import { AuthError, authErrorHeaders } from './errors.js';
import { defineRequirement } from './requirement.js';
import type { AuthUser, Requirement } from './types.js';
import type { Verifier } from './verifier.js';

export interface WithAuthenticationOptions extends Requirement {
  /** Default: `verifierFromEnv()`, made once for the process. */
  verifier?: Verifier;
}

/*
 * Importing this module makes `req.user` known on Express's `Request`, with no cast. Express reads its
 * `Request` from the global `Express` namespace, which exists whether or not @types/express is
 * installed; `user` is declared exactly as @types/passport declares it, so both can be used together.
 */
declare global {
  namespace Express {
    interface User extends AuthUser {}
    interface Request {
      /** The verified caller, set by `withAuthentication()`. */
      user?: User | undefined;
    }
  }
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
        const denial = denialOf(verifier, user, requirement);
        if (denial) throw denial;
        (req as AuthenticatedRequest).user = user as AuthUser;
      })
      .then(
        () => next?.(),
        (error: unknown) => sendAuthError(res, error, verifier.realm),
      );
  };
}

/**
 * Answers an auth failure as JSON with its challenge in `realm` (the verifier's: `verifier.realm`);
 * anything that is not an AuthError becomes a generic 401, never a trace.
 */
export function sendAuthError(res: ServerResponse, error: unknown, realm?: string): void {
  const authError = error instanceof AuthError ? error : new AuthError('UNAUTHENTICATED', 'TOKEN_MALFORMED');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = authError.status;
  for (const [name, value] of Object.entries(authErrorHeaders(authError, realm))) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(authError.toJSON()));
}
