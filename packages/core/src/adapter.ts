/**
 * `@gatehousejs/core/adapter`: what the Gatehouse adapters (tRPC, GraphQL, `withAuthentication`)
 * share beyond the public API. Not for applications: it may change in any minor release.
 */
import { type Refusal, refusalError, refusalOf } from './authorize.js';

export { type Refusal, refusalOf } from './authorize.js';
export { type ConnectionParamsOptions, credentialsWithConnectionParams } from './connection-params.js';
export { describeRequirement, isOpenRequirement } from './requirement.js';
export { isAsyncIterable, onTokenExpiry } from './token-expiry.js';
export type { HeaderRecord } from './types.js';
export { clockOf } from './verifier.js';

import { authorizationDecision } from './decision.js';
import type { AuthError } from './errors.js';
import type { AnyRequirement, AuthUser } from './types.js';
import { observerOf, type Verifier } from './verifier.js';

/**
 * Core's authorization decision (the one `authorize` makes) for a request, observed by the
 * verifier (`onDecision`, logs, metrics): undefined when `user` meets `requirement`, otherwise the
 * AuthError to answer with. Render its challenge with `authErrorHeaders(error, verifier.realm)`.
 */
export function denialOf(
  verifier: Verifier | undefined,
  user: AuthUser | null | undefined,
  requirement: AnyRequirement | null | undefined,
): AuthError | undefined {
  const refusal = refusalOf(user, requirement);
  report(verifier, user, requirement, refusal);
  return refusal === undefined ? undefined : refusalError(refusal);
}

/**
 * {@link denialOf} for a refusal already decided with `refusalOf` (GraphQL's pre-execution pass keeps
 * it with the verdict it caches): reports it to the verifier's observers and returns its AuthError,
 * without deciding again.
 */
export function reportedDenial(
  verifier: Verifier | undefined,
  user: AuthUser | null | undefined,
  requirement: AnyRequirement,
  refusal: Refusal,
): AuthError {
  report(verifier, user, requirement, refusal);
  return refusalError(refusal);
}

function report(
  verifier: Verifier | undefined,
  user: AuthUser | null | undefined,
  requirement: AnyRequirement | null | undefined,
  refusal: Refusal | undefined,
): void {
  const observe = verifier === undefined ? undefined : observerOf(verifier);
  observe?.(authorizationDecision(user, requirement, refusal));
}
