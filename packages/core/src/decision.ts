import type { Refusal } from './authorize.js';
import type { AuthErrorCode, AuthErrorReason } from './errors.js';
import type { AnyRequirement, AuthUser } from './types.js';

/**
 * One authentication or authorization outcome, for audit logs and metrics. Never holds the token.
 * - `authenticated`: a token was verified (`cached`: answered from the verified-token cache);
 * - `rejected`: credentials were refused (a bad token, a malformed header, keys unavailable), or
 *   a requirement met no credentials at all (`reason: 'NO_CREDENTIALS'`, with the requirement);
 * - `authorized` / `forbidden`: an authenticated user met, or failed, a requirement.
 */
export type AuthDecision =
  | { readonly type: 'authenticated'; readonly userId: string; readonly tenantId?: string; readonly cached: boolean }
  | {
      readonly type: 'rejected';
      readonly code: AuthErrorCode;
      readonly reason: AuthErrorReason;
      readonly requirement?: AnyRequirement;
    }
  | { readonly type: 'authorized'; readonly userId: string; readonly requirement: AnyRequirement }
  | {
      readonly type: 'forbidden';
      readonly userId: string;
      readonly requirement: AnyRequirement;
      readonly code: 'FORBIDDEN';
      readonly reason: AuthErrorReason;
    };

/** Receives decisions. It may be async; what it throws or rejects with is ignored. */
export type DecisionHook = (decision: AuthDecision) => void;

/** @internal Where a verifier's decisions go: `onDecision`, and the logger and metrics that watch it. */
export type DecisionObserver = DecisionHook;

/**
 * One function that hands each decision, frozen, to every observer; undefined when there are none,
 * so that no decision is even built. An observer that throws (or rejects) never changes a decision,
 * and one that mutates what it receives cannot change the requirement checked next time.
 */
export function observation(observers: readonly DecisionObserver[]): ((decision: AuthDecision) => void) | undefined {
  if (observers.length === 0) return undefined;
  return (decision) => {
    const frozen = Object.freeze(decision);
    for (const observer of observers) notify(observer, frozen);
  };
}

function notify(observer: DecisionObserver, decision: AuthDecision): void {
  try {
    const result = observer(decision) as unknown;
    if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<void>).then === 'function') {
      (result as PromiseLike<void>).then(undefined, ignore);
    }
  } catch {
    // An audit sink failing must not turn a denial into a crash or an allow into a denial.
  }
}

function ignore(): void {}

/** The decision an authorization outcome is observed as (`refusal` undefined: granted). */
export function authorizationDecision(
  user: AuthUser | null | undefined,
  requirement: AnyRequirement | null | undefined,
  refusal: Refusal | undefined,
): AuthDecision {
  const frozen = frozenRequirement(requirement);
  if (!user) return { type: 'rejected', code: 'UNAUTHENTICATED', reason: 'NO_CREDENTIALS', requirement: frozen };
  if (refusal === undefined) return { type: 'authorized', userId: user.id, requirement: frozen };
  return { type: 'forbidden', userId: user.id, code: 'FORBIDDEN', reason: refusal, requirement: frozen };
}

/** A frozen view of a requirement for a decision; a requirement that is already frozen is shared as is. */
export function frozenRequirement(requirement: AnyRequirement | null | undefined): AnyRequirement {
  if (requirement === undefined || requirement === null) return EMPTY;
  const { roles, permissions } = requirement;
  if (Object.isFrozen(requirement) && isFrozenOrAbsent(roles) && isFrozenOrAbsent(permissions)) return requirement;
  const copy: { roles?: readonly string[]; permissions?: readonly string[] } = {};
  if (roles !== undefined) copy.roles = Object.freeze(Array.isArray(roles) ? [...roles] : []);
  if (permissions !== undefined) copy.permissions = Object.freeze(Array.isArray(permissions) ? [...permissions] : []);
  return Object.freeze(copy);
}

const EMPTY: AnyRequirement = Object.freeze({});
const isFrozenOrAbsent = (value: unknown) => value === undefined || Object.isFrozen(value);
