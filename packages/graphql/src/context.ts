import type { AuthUser } from '@gatehousejs/core';

/**
 * The GraphQL context as Gatehouse fills it (`useGatehouse`) and reads it (`createAuthExecutor`):
 * the verified caller, or null for an anonymous one. Type your resolvers' context with it.
 */
export interface GraphQLAuthContext {
  user: AuthUser | null;
}
