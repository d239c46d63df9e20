import type { CredentialSource } from '@gatehousejs/core';
import { credentialsWithConnectionParams } from '@gatehousejs/core/adapter';

/**
 * Where a GraphQL context keeps the caller's credentials: the HTTP request (`request`, `req`, or
 * graphql-ws `extra.request`, the upgrade request), joined by graphql-ws `connectionParams`
 * (`authorization` in any case, or a bare `token`), since browsers cannot set headers on a
 * WebSocket. Credentials in both places are two credentials, which core refuses as a bad request.
 */
export function credentialsOf(context: Record<string, unknown>): CredentialSource {
  const request = (context.request ?? context.req ?? (context.extra as { request?: unknown } | undefined)?.request) as
    | CredentialSource
    | undefined;
  return credentialsWithConnectionParams(request, context.connectionParams);
}
