import { type AuthError, authErrorHeaders } from '@gatehousejs/core';
import { type ASTNode, GraphQLError } from 'graphql';

/** The extensions every Gatehouse error carries. */
export interface AuthErrorExtensions {
  readonly code: AuthError['code'];
}

/** How an AuthError is rendered as a GraphQL error. */
export interface GraphQLErrorOptions {
  /** The answer goes out over HTTP: add `extensions.http` (status and challenge in this realm) for servers that read it (graphql-yoga). */
  readonly http?: { readonly realm: string | undefined } | undefined;
  /** The denied field: its response path and the nodes that selected it (their `locations`). */
  readonly at?: { readonly path: readonly (string | number)[]; readonly nodes: readonly ASTNode[] } | undefined;
}

/**
 * An AuthError as a GraphQL error: the fixed message, `extensions.code`, the denied field's `path`
 * and `locations` when there is one, and no original error, so nothing of the cause (and no
 * stack) can reach a client.
 */
export function toGraphQLError(error: AuthError, options: GraphQLErrorOptions = {}): GraphQLError {
  const extensions: Record<string, unknown> = { code: error.code };
  if (options.http) {
    extensions.http = { status: error.status, headers: authErrorHeaders(error, options.http.realm) };
  }
  return new GraphQLError(error.message, { extensions, path: options.at?.path, nodes: options.at?.nodes });
}
