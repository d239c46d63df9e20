import type { AuthUser, Requirement, Verifier } from '@gatehousejs/core';
import type { GraphQLError } from 'graphql';

/** Where an execution's caller and verdict are kept on its context value. */
const STATE: unique symbol = Symbol('gatehouse.execution');

/** What the guards of one execution need. */
export interface ExecutionState {
  readonly user: AuthUser | null;
  /** Protected fields check at run time (see Verdict.checkFields); abstract types always do. */
  readonly checkFields: boolean;
  readonly verifier: Verifier | undefined;
  /**
   * Core's decision for each requirement checked at run time, made once per execution: the error
   * to throw, or null when allowed. A list of a thousand denied items reports one decision.
   */
  readonly decisions: Map<Requirement, GraphQLError | null>;
}

type Carrier = { [STATE]?: ExecutionState | undefined };

export function stateOf(context: unknown): ExecutionState | undefined {
  return typeof context === 'object' && context !== null ? (context as Carrier)[STATE] : undefined;
}

/**
 * Puts the state on the context value for the length of one execution and says how to take it off.
 * A context that already carries another execution's state (one context object shared by two
 * concurrent operations) is not overwritten: that execution gets a child context instead.
 */
export function attachState(context: unknown, state: ExecutionState): { context: object; release: () => void } {
  if (typeof context !== 'object' || context === null) {
    return { context: { [STATE]: state }, release: noop };
  }
  const carrier = context as Carrier;
  if ((Object.hasOwn(carrier, STATE) && carrier[STATE] !== undefined) || !Object.isExtensible(carrier)) {
    const child = Object.create(carrier) as Carrier;
    child[STATE] = state;
    return { context: child, release: noop };
  }
  carrier[STATE] = state;
  return {
    context: carrier,
    release: () => {
      // Not `delete`: that would slow every later property read on the caller's context.
      if (carrier[STATE] === state) carrier[STATE] = undefined;
    },
  };
}

function noop(): void {}
