import { type AuthUser, GatehouseConfigError, untilTokenExpiry, type Verifier } from '@gatehousejs/core';
import { isAsyncIterable, reportedDenial } from '@gatehousejs/core/adapter';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { execute as graphqlExecute, subscribe as graphqlSubscribe } from 'graphql';
import { toGraphQLError } from './errors.js';
import { judgeOperation } from './operation.js';
import { attachState } from './state.js';
import { tableOf } from './table.js';

export interface AuthExecutionOptions {
  /**
   * Observes every decision (`onDecision`), gives challenges its realm, and ends subscriptions when
   * their token expires, on its clock. Required for subscriptions.
   */
  verifier?: Verifier;
  /**
   * Partial results: instead of rejecting an operation that selects a denied field, run it and
   * resolve each denied field to null with an error (null propagating as the schema's non-null
   * types require). Denied fields, mutations included, never run their resolvers. Default false.
   */
  partialResults?: boolean;
}

type MaybePromise<T> = T | Promise<T>;
type StreamResult = AsyncGenerator<ExecutionResult, void, void> | AsyncIterable<ExecutionResult>;
/**
 * What graphql 17's `experimentalExecuteIncrementally` returns when `@defer`/`@stream` apply: the
 * first payload now, the deferred ones later. Guards run until `subsequentResults` ends.
 */
export interface IncrementalResults {
  readonly initialResult: unknown;
  readonly subsequentResults: AsyncIterable<unknown>;
}
/**
 * graphql-js `execute`, or any function of the same shape. With graphql 17,
 * `experimentalExecuteIncrementally` too (`TResult` is then inferred).
 */
export type ExecuteFunction<TResult extends ExecutionResult | IncrementalResults = ExecutionResult> = (
  args: ExecutionArgs,
) => MaybePromise<TResult>;
/** graphql-js `subscribe`, or any function of the same shape. */
export type SubscribeFunction = (
  args: ExecutionArgs,
) => MaybePromise<ExecutionResult | AsyncGenerator<ExecutionResult, void, void>>;

/**
 * Runs one operation for one caller: the pre-execution pass (cached), then `run` with the state the
 * guards read. A rejected operation returns its error without calling `run`, so no resolver runs.
 * `http` adds `extensions.http` (status and headers) for servers that honour it.
 */
export function runGated<R extends ExecutionResult | StreamResult | IncrementalResults>(
  args: ExecutionArgs,
  user: AuthUser | null,
  options: AuthExecutionOptions,
  http: boolean,
  run: (args: ExecutionArgs) => MaybePromise<R>,
  kind: 'execute' | 'subscribe' = 'execute',
): MaybePromise<R | ExecutionResult> {
  const table = tableOf(args.schema);
  if (!table) {
    throw new GatehouseConfigError('the schema has not been through authDirectiveTransformer: refusing to execute');
  }
  // Checked before anything runs: a subscription needs the verifier to end at token expiry.
  if (kind === 'subscribe') verifierFor(options);
  const verdict = judgeOperation(args.schema, table, args.document, args.operationName, args.variableValues, user);
  if (verdict.denied && !options.partialResults) {
    // The pass found the requirement the operation fails and core's refusal of it (cached with the
    // verdict for this document and caller): reported once for this request, not decided again.
    const { requirement, refusal } = verdict.denied;
    const denial = reportedDenial(options.verifier, user, requirement, refusal);
    const at = verdict.deniedAt;
    return { errors: [toGraphQLError(denial, { http: http ? { realm: options.verifier?.realm } : undefined, at })] };
  }
  const { context, release } = attachState(args.contextValue, {
    user,
    // A subscription's guards check on every event, not only at subscribe.
    checkFields: verdict.checkFields || kind === 'subscribe',
    verifier: options.verifier,
    decisions: new Map(),
  });
  let result: MaybePromise<R>;
  try {
    result = run({ ...args, contextValue: context });
  } catch (error) {
    release();
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => settle(value, user, options, release),
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }
  return settle(result, user, options, release);
}

function settle<R extends ExecutionResult | StreamResult | IncrementalResults>(
  result: R,
  user: AuthUser | null,
  options: AuthExecutionOptions,
  release: () => void,
): R {
  if (isIncremental(result)) {
    // Deferred fields resolve after the first payload: keep the state until the last one.
    return { ...result, subsequentResults: releaseAtEnd(result.subsequentResults, release) };
  }
  if (!isAsyncIterable(result)) {
    release();
    return result;
  }
  // Ends with one last result carrying the error when the verifier stops accepting the token.
  const stream = untilTokenExpiry(result as AsyncIterable<ExecutionResult>, verifierFor(options), user, {
    lastValue: (error): ExecutionResult => ({ errors: [toGraphQLError(error)] }),
  });
  return releaseAtEnd(stream, release) as R;
}

function releaseAtEnd<T>(source: AsyncIterable<T>, release: () => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const generator: AsyncGenerator<T> = {
    async next() {
      try {
        const step = await iterator.next();
        if (step.done) release();
        return step;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return(value) {
      release();
      await iterator.return?.();
      return { done: true, value };
    },
    async throw(error: unknown) {
      release();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator;
}

/** Subscriptions end when the caller's token expires, on the verifier's clock: they need it. */
function verifierFor(options: AuthExecutionOptions): Verifier {
  if (!options.verifier) {
    throw new GatehouseConfigError(
      "createAuthExecutor: pass `verifier` to run subscriptions (they end when the caller's token expires)",
    );
  }
  return options.verifier;
}

function isIncremental(value: object): value is IncrementalResults {
  return 'initialResult' in value && 'subsequentResults' in value && isAsyncIterable(value.subsequentResults);
}

export interface AuthExecutorOptions<TResult extends ExecutionResult | IncrementalResults = ExecutionResult>
  extends AuthExecutionOptions {
  /** The caller of an execution. Default: `contextValue.user` (set it from `verifier.authenticate(request)`). */
  user?: (contextValue: unknown) => AuthUser | null | undefined;
  /** The execute function to wrap. Default: graphql-js `execute`. */
  execute?: ExecuteFunction<TResult>;
  /** The subscribe function to wrap. Default: graphql-js `subscribe`. */
  subscribe?: SubscribeFunction;
}

export interface AuthExecutor<TResult extends ExecutionResult | IncrementalResults = ExecutionResult> {
  /** `execute` with Gatehouse: rejected operations run no resolver; protected fields and abstract types are guarded. */
  execute(args: ExecutionArgs): MaybePromise<TResult | ExecutionResult>;
  /** `subscribe` with Gatehouse: checked at subscribe and on each event; the stream ends when the token expires. */
  subscribe(args: ExecutionArgs): MaybePromise<ExecutionResult | AsyncGenerator<ExecutionResult, void, void>>;
}

/** Gatehouse for plain graphql-js, envelop or graphql-ws, without graphql-yoga. */
export function createAuthExecutor<TResult extends ExecutionResult | IncrementalResults = ExecutionResult>(
  options: AuthExecutorOptions<TResult> = {},
): AuthExecutor<TResult> {
  const userOf = options.user ?? defaultUser;
  const execute = options.execute ?? (graphqlExecute as ExecuteFunction<TResult>);
  const subscribe = options.subscribe ?? (graphqlSubscribe as SubscribeFunction);
  return Object.freeze({
    execute: (args: ExecutionArgs) => runGated(args, userOf(args.contextValue) ?? null, options, false, execute),
    subscribe: (args: ExecutionArgs) =>
      runGated(args, userOf(args.contextValue) ?? null, options, false, subscribe, 'subscribe') as ReturnType<
        AuthExecutor<TResult>['subscribe']
      >,
  });
}

function defaultUser(contextValue: unknown): AuthUser | null {
  if (typeof contextValue !== 'object' || contextValue === null) return null;
  return ((contextValue as { user?: AuthUser | null }).user ?? null) as AuthUser | null;
}
