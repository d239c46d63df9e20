// `@gatehousejs/graphql/yoga`: the graphql-yoga (and envelop) plugin, on its own entry so that
// users of plain `execute` never load graphql-yoga or its types.
import {
  type AuthError,
  type AuthUser,
  authErrorHeaders,
  type CredentialSource,
  GatehouseConfigError,
  isAuthError,
  type Verifier,
} from '@gatehousejs/core';
import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLAuthContext } from './context.js';
import { credentialsOf } from './credentials.js';
import { toGraphQLError } from './errors.js';
import { type AuthExecutionOptions, runGated } from './execute.js';
import { tableOf } from './table.js';

export interface UseGatehouseOptions extends AuthExecutionOptions {
  verifier: Verifier;
  /** Where the credentials of an operation are read from. Default: see `credentialsOf`. */
  credentials?: (context: Record<string, unknown>) => CredentialSource;
}

type Authentication = { readonly user: AuthUser | null } | { readonly error: AuthError };

const AUTHENTICATION: unique symbol = Symbol('gatehouse.authentication');
type Carrier = Record<string, unknown> & { [AUTHENTICATION]?: Promise<Authentication> };

/**
 * The graphql-yoga (and envelop) plugin: authenticates each request once, puts `user` in the
 * context, rejects an operation that selects a denied field before it executes (HTTP 401 with
 * `WWW-Authenticate`, or 403), guards what only run time can decide, and ends subscriptions when
 * their token expires. A present but invalid token fails the request even for public fields.
 */
export function useGatehouse(options: UseGatehouseOptions): Plugin<GraphQLAuthContext> {
  const { verifier } = options;
  if (!verifier || typeof verifier.authenticate !== 'function' || typeof verifier.verify !== 'function') {
    throw new GatehouseConfigError('useGatehouse needs a verifier (createVerifier or verifierFromEnv)');
  }
  const byRequest = new WeakMap<Request, Promise<Authentication>>();

  const authenticate = (source: () => CredentialSource): Promise<Authentication> =>
    Promise.resolve()
      .then(() => verifier.authenticate(source()))
      .then(
        (user): Authentication => ({ user }),
        (error: unknown): Authentication => {
          if (isAuthError(error)) return { error };
          throw error;
        },
      );

  const forRequest = (request: Request, server?: unknown): Promise<Authentication> => {
    let pending = byRequest.get(request);
    if (!pending) {
      pending = authenticate(() =>
        options.credentials ? options.credentials({ request }) : (nodeRequestOf(server) ?? request),
      );
      byRequest.set(request, pending);
    }
    return pending;
  };

  const authenticationOf = (context: Carrier): Promise<Authentication> => {
    let pending = context[AUTHENTICATION];
    if (!pending) {
      pending = isHttpContext(context)
        ? forRequest(context.request, context)
        : authenticate(() => (options.credentials ? options.credentials(context) : credentialsOf(context)));
      context[AUTHENTICATION] = pending;
    }
    return pending;
  };

  const gated =
    (run: (args: ExecutionArgs) => ReturnType<typeof runGated>, kind: 'execute' | 'subscribe') =>
    async (args: ExecutionArgs) => {
      const authentication = await authenticationOf(args.contextValue as Carrier);
      // Status and headers only mean something on an HTTP answer (yoga strips them from the body).
      const http = isHttpContext(args.contextValue as Carrier);
      if ('error' in authentication) {
        return {
          errors: [toGraphQLError(authentication.error, { http: http ? { realm: verifier.realm } : undefined })],
        };
      }
      return runGated(args, authentication.user, options, http, run, kind);
    };

  return {
    onSchemaChange({ schema }) {
      if (!tableOf(schema)) {
        throw new GatehouseConfigError('useGatehouse: pass the schema through authDirectiveTransformer first');
      }
    },
    onRequestParse({ request, serverContext, endResponse, fetchAPI }) {
      return forRequest(request, serverContext).then((authentication) => {
        if ('error' in authentication)
          endResponse(errorResponse(authentication.error, fetchAPI.Response, verifier.realm));
      });
    },
    async onContextBuilding({ context, extendContext }) {
      const authentication = await authenticationOf(context as unknown as Carrier);
      extendContext({ user: 'user' in authentication ? authentication.user : null });
    },
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(gated(executeFn as (args: ExecutionArgs) => ReturnType<typeof runGated>, 'execute'));
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(gated(subscribeFn as (args: ExecutionArgs) => ReturnType<typeof runGated>, 'subscribe'));
    },
  };
}

/** An operation that arrived as an HTTP request (not over a WebSocket, whose context has `connectionParams`). */
function isHttpContext(context: Carrier): context is Carrier & { request: Request } {
  const request = context.request as Request | undefined;
  return (
    typeof request === 'object' &&
    request !== null &&
    typeof request.url === 'string' &&
    typeof request.headers?.get === 'function' &&
    !('connectionParams' in context)
  );
}

/**
 * The Node request behind a fetch `Request`, when yoga runs on `node:http` (its server context has
 * `req`). Node keeps only the first of several `Authorization` headers in `req.headers`, and so does
 * the `Request` made from it; the raw header list has them all, so that two credentials are refused.
 */
function nodeRequestOf(server: unknown): CredentialSource | undefined {
  if (typeof server !== 'object' || server === null) return undefined;
  const req = (server as { req?: unknown }).req;
  if (typeof req !== 'object' || req === null) return undefined;
  const { rawHeaders, headers } = req as { rawHeaders?: unknown; headers?: unknown };
  return Array.isArray(rawHeaders) && typeof headers === 'object' && headers !== null
    ? (req as CredentialSource)
    : undefined;
}

/** A request-level failure (bad, expired or malformed credentials, keys unavailable) as an HTTP answer. */
function errorResponse(error: AuthError, ResponseClass: typeof Response, realm: string): Response {
  const body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
  return new ResponseClass(JSON.stringify(body), {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...authErrorHeaders(error, realm) },
  });
}
