import { type CredentialSource, isAuthError, type Verifier } from '@gatehousejs/core';
import { createAuthExecutor, toGraphQLError } from '@gatehousejs/graphql';
import { type ExecutionResult, type GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';

/**
 * GraphQL without a server library: authenticate the request, then graphql-js `execute` wrapped by
 * Gatehouse, which rejects an operation selecting a denied field before any resolver runs.
 */
export function createRunner(schema: GraphQLSchema, verifier: Verifier) {
  const { execute } = createAuthExecutor({ verifier });
  return async function run(
    request: CredentialSource,
    source: string,
    variableValues?: Record<string, unknown>,
  ): Promise<ExecutionResult> {
    let user: Awaited<ReturnType<Verifier['authenticate']>>;
    try {
      user = await verifier.authenticate(request);
    } catch (error) {
      // A token that is present but invalid is an error, never an anonymous caller.
      if (isAuthError(error)) return { errors: [toGraphQLError(error)] };
      throw error;
    }
    let document: ReturnType<typeof parse>;
    try {
      document = parse(source);
    } catch (error) {
      return { errors: [error as GraphQLError] };
    }
    const errors = validate(schema, document);
    if (errors.length > 0) return { errors };
    return (await execute({ schema, document, variableValues, contextValue: { user } })) as ExecutionResult;
  };
}
