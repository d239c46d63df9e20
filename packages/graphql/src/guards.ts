import type { Requirement } from '@gatehousejs/core';
import { denialOf } from '@gatehousejs/core/adapter';
import { defaultTypeResolver, type GraphQLError, type GraphQLFieldResolver, type GraphQLTypeResolver } from 'graphql';
import { toGraphQLError } from './errors.js';
import type { RequirementList } from './requirements.js';
import { type ExecutionState, stateOf } from './state.js';

/**
 * Throws the generic FORBIDDEN/UNAUTHENTICATED error unless the execution's caller meets every
 * requirement. Without Gatehouse state (the schema executed without the plugin or executor), the
 * caller is unknown and treated as anonymous: protected data never flows by accident.
 */
export function enforce(state: ExecutionState | undefined, requirements: RequirementList): void {
  for (const requirement of requirements) {
    const denied = decide(state, requirement);
    // graphql-js gives each path its own located error; this one is only their original.
    if (denied) throw denied;
  }
}

/** Core's decision (observed by the verifier), made once per execution and requirement. */
function decide(state: ExecutionState | undefined, requirement: Requirement): GraphQLError | null {
  if (!state) return errorOf(denialOf(undefined, null, requirement));
  let decided = state.decisions.get(requirement);
  if (decided === undefined) {
    decided = errorOf(denialOf(state.verifier, state.user, requirement));
    state.decisions.set(requirement, decided);
  }
  return decided;
}

const errorOf = (denial: ReturnType<typeof denialOf>): GraphQLError | null => (denial ? toGraphQLError(denial) : null);

/** Wraps the resolver of a protected field. When the pre-execution pass already allowed it, it costs one branch. */
export function guardResolver<TSource, TContext, TArgs>(
  requirements: RequirementList,
  resolve: GraphQLFieldResolver<TSource, TContext, TArgs>,
): GraphQLFieldResolver<TSource, TContext, TArgs> {
  return function guardedResolver(source, args, context, info) {
    const state = stateOf(context);
    if (state === undefined || state.checkFields) enforce(state, requirements);
    return resolve(source, args, context, info);
  };
}

/**
 * Wraps the type resolution of an interface or union: an object of a protected type the caller may
 * not see becomes null with an error that names neither the type nor the requirement.
 */
export function guardTypeResolver<TSource, TContext>(
  protectedTypes: ReadonlyMap<string, RequirementList>,
  resolveType: GraphQLTypeResolver<TSource, TContext> | undefined,
): GraphQLTypeResolver<TSource, TContext> {
  const resolve = resolveType ?? (defaultTypeResolver as GraphQLTypeResolver<TSource, TContext>);
  return function guardedTypeResolver(value, context, info, abstractType) {
    const admit = (resolved: unknown) => {
      const name =
        typeof resolved === 'string'
          ? resolved
          : typeof resolved === 'object' && resolved !== null && 'name' in resolved
            ? String((resolved as { name: unknown }).name)
            : undefined;
      const requirements = name === undefined ? undefined : protectedTypes.get(name);
      if (requirements) enforce(stateOf(context), requirements);
      return resolved;
    };
    const resolved = resolve(value, context, info, abstractType);
    return isThenable(resolved)
      ? (resolved.then(admit) as ReturnType<GraphQLTypeResolver<TSource, TContext>>)
      : (admit(resolved) as ReturnType<GraphQLTypeResolver<TSource, TContext>>);
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
