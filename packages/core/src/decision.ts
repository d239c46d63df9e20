import type { AuthErrorCode, AuthErrorReason } from './errors.js';
import type { Requirement } from './types.js';

/** One authentication or authorization outcome, for audit logs and metrics. Never holds the token. */
export type AuthDecision =
  | { readonly type: 'authenticated'; readonly userId: string; readonly tenantId?: string; readonly cached: boolean }
  | { readonly type: 'rejected'; readonly code: AuthErrorCode; readonly reason: AuthErrorReason }
  | { readonly type: 'authorized'; readonly userId: string; readonly requirement: Requirement }
  | {
      readonly type: 'forbidden';
      readonly userId: string | undefined;
      readonly requirement: Requirement;
      readonly code: AuthErrorCode;
      readonly reason: AuthErrorReason;
    };

export type DecisionHook = (decision: AuthDecision) => void;

/** Calls the hook; a hook that throws never changes a decision. */
export function report(hook: DecisionHook | undefined, decision: AuthDecision): void {
  if (!hook) return;
  try {
    hook(decision);
  } catch {
    // An audit sink failing must not turn a denial into a crash or an allow into a denial.
  }
}
