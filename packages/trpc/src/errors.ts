import { type AuthErrorCode, authErrorHeaders, isAuthError } from '@gatehousejs/core';
import { type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import { RequestAuth } from './context.js';

/** How each core outcome reaches a tRPC client. */
const TRPC_CODE_OF: Readonly<Record<AuthErrorCode, TRPC_ERROR_CODE_KEY>> = Object.freeze({
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_REQUEST: 'BAD_REQUEST',
  KEYS_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
});

const INTERNAL_MESSAGE = 'Internal server error';

/**
 * Turns an auth failure into the TRPCError a client sees: the code from {@link TRPC_CODE_OF}, the
 * message from core's fixed set, the AuthError as `cause` (for `onError` logs) and no stack, so that
 * nothing about the token or the verification reaches the client, whatever `isDev` says.
 * Anything else (a configuration mistake, a bug) becomes a generic INTERNAL_SERVER_ERROR.
 */
export function toTRPCError(error: unknown): TRPCError {
  if (isAuthError(error)) {
    return withoutStack(new TRPCError({ code: TRPC_CODE_OF[error.code], message: error.message, cause: error }));
  }
  if (error instanceof TRPCError) return error;
  return withoutStack(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, cause: error }));
}

function withoutStack(error: TRPCError): TRPCError {
  Object.defineProperty(error, 'stack', { value: undefined, writable: true, configurable: true });
  return error;
}

/**
 * A `responseMeta` for adapters whose `createContext` gets no response object (AWS Lambda, custom
 * adapters): adds `WWW-Authenticate` (in the realm of the context's verifier), `Retry-After` and
 * `Cache-Control: no-store` when a call failed authentication. The fetch, standalone, express and
 * Next.js adapters get them without it.
 */
export function authResponseMeta(opts: { errors: readonly unknown[]; ctx?: unknown }): {
  headers?: Record<string, string>;
} {
  for (const error of opts.errors) {
    const cause = error instanceof TRPCError ? error.cause : undefined;
    if (isAuthError(cause)) return { headers: authErrorHeaders(cause, realmOf(opts.ctx)) };
  }
  return {};
}

function realmOf(ctx: unknown): string | undefined {
  const auth = (ctx as { gatehouse?: unknown } | null | undefined)?.gatehouse;
  return auth instanceof RequestAuth ? auth.verifier.realm : undefined;
}
