import { AuthError, type AuthUser, authErrorHeaders, type Requirement, type Verifier } from '@gatehousejs/core';
import { denialOf } from '@gatehousejs/core/adapter';
import { GraphQLError } from 'graphql';

/** The extensions every Gatehouse error carries. */
export interface AuthErrorExtensions {
  readonly code: AuthError['code'];
}

/**
 * An AuthError as a GraphQL error: the fixed message, `extensions.code`, and no original error, so
 * nothing of the cause (and no stack) can reach a client. With `http`, servers that read
 * `extensions.http` (graphql-yoga) answer with the error's status and headers.
 */
export function toGraphQLError(error: AuthError, http = false, realm?: string): GraphQLError {
  const extensions: Record<string, unknown> = { code: error.code };
  if (http) extensions.http = { status: error.status, headers: authErrorHeaders(error, realm) };
  return new GraphQLError(error.message, { extensions });
}

/** The AuthError for a caller who fails a requirement, reported through the verifier when there is one. */
export function denialFor(user: AuthUser | null, requirement: Requirement, verifier: Verifier | undefined): AuthError {
  const denial = denialOf(verifier, user, requirement);
  if (denial) return denial;
  // The caller passed after all: should never happen, and must still never let a denied read through.
  return new AuthError(user ? 'FORBIDDEN' : 'UNAUTHENTICATED', user ? 'ROLE_MISSING' : 'NO_CREDENTIALS');
}
