import {
  AuthError,
  type AuthUser,
  authErrorHeaders,
  authorize,
  isAuthError,
  type Requirement,
  type Verifier,
} from '@gatehousejs/core';
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
export function toGraphQLError(error: AuthError, http = false): GraphQLError {
  const extensions: Record<string, unknown> = { code: error.code };
  if (http) extensions.http = { status: error.status, headers: authErrorHeaders(error) };
  return new GraphQLError(error.message, { extensions });
}

/** The AuthError for a caller who fails a requirement, reported through the verifier when there is one. */
export function denialFor(user: AuthUser | null, requirement: Requirement, verifier: Verifier | undefined): AuthError {
  try {
    if (verifier) verifier.authorize(user, requirement);
    else authorize(user, requirement);
  } catch (error) {
    if (isAuthError(error)) return error;
    throw error;
  }
  // The caller passed after all: should never happen, and must still never let a denied read through.
  return new AuthError(user ? 'FORBIDDEN' : 'UNAUTHENTICATED', user ? 'ROLE_MISSING' : 'NO_CREDENTIALS');
}
