import { AuthError } from './errors.js';
import type { AuthUser } from './types.js';
import { clockOf, type Verifier } from './verifier.js';

const EXPIRED = Symbol('expired');
const STOPPED = Symbol('stopped');

// setTimeout's longest delay (about 24.8 days); a later expiry is looked at again then.
const MAX_TIMER_MS = 2_147_483_647;

/** Whether `value` can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}

const tokenExpired = (): AuthError => new AuthError('UNAUTHENTICATED', 'TOKEN_EXPIRED');

/**
 * Calls `onExpired` once, with an AuthError (UNAUTHENTICATED, reason `TOKEN_EXPIRED`), when the
 * verifier stops accepting `user`'s token: at `verifier.validUntil(user)` on the verifier's own
 * clock (`exp` plus clock tolerance; earlier with `maxTokenAge`). Returns a function that cancels
 * it. Nothing is scheduled for an anonymous caller or a token that never expires.
 */
export function onTokenExpiry(
  verifier: Verifier,
  user: AuthUser | null,
  onExpired: (error: AuthError) => void,
): () => void {
  if (user === null) return () => {};
  const validUntil = verifier.validUntil(user);
  if (validUntil === Number.POSITIVE_INFINITY) return () => {};
  const now = clockOf(verifier);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const check = () => {
    if (done) return;
    const left = validUntil - now();
    if (left <= 0) {
      done = true;
      onExpired(tokenExpired());
      return;
    }
    timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    // A subscription waiting for its token to expire must not keep the process alive.
    timer.unref?.();
  };
  check();
  return () => {
    done = true;
    clearTimeout(timer);
  };
}

export interface UntilTokenExpiryOptions<T> {
  /** What the stream throws when the token expires: by default the AuthError itself (a TRPCError, a GraphQLError...). */
  toError?: (error: AuthError) => unknown;
  /**
   * End with this last value, then complete, instead of throwing: for protocols that report the
   * end as a result (a GraphQL result with an UNAUTHENTICATED error).
   */
  lastValue?: (error: AuthError) => T;
}

/**
 * `source`, ended when the verifier stops accepting `user`'s token (see {@link onTokenExpiry}): the
 * iteration then throws (an AuthError UNAUTHENTICATED, reason `TOKEN_EXPIRED`, unless `toError`
 * maps it) and the source is closed. A value that arrives once the token has expired is not
 * delivered. For an anonymous caller (`user` null) or a token that never expires, `source` itself
 * is returned.
 */
export function untilTokenExpiry<T>(
  source: AsyncIterable<T>,
  verifier: Verifier,
  user: AuthUser | null,
  options: UntilTokenExpiryOptions<T> = {},
): AsyncIterable<T> {
  if (user === null || verifier.validUntil(user) === Number.POSITIVE_INFINITY) return source;
  return iterateUntilExpiry(source, verifier, user, options);
}

/**
 * A plain async iterator rather than an async generator: a generator queues `return()` behind a
 * pending `next()`, so a consumer that stops while the source is quiet (a client unsubscribing) would
 * hold the source open until its next value or the expiry. Here `return()` ends a pending `next()`
 * at once and closes the source.
 */
function iterateUntilExpiry<T>(
  source: AsyncIterable<T>,
  verifier: Verifier,
  user: AuthUser,
  options: UntilTokenExpiryOptions<T>,
): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const validUntil = verifier.validUntil(user);
  const now = clockOf(verifier);
  let expire = () => {};
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    expire = () => resolve(EXPIRED);
  });
  let stop = () => {};
  const stopped = new Promise<typeof STOPPED>((resolve) => {
    stop = () => resolve(STOPPED);
  });
  const cancel = onTokenExpiry(verifier, user, () => expire());
  let finished = false;
  /** True while the source is asked for a value it has not given: its `return()` would wait for it. */
  let waiting = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** Ends the stream: no timer, a pending `next()` answered `done`, the source closed. */
  function finish(): Promise<void> {
    if (finished) return Promise.resolve();
    finished = true;
    cancel();
    stop();
    const closing = Promise.resolve(iterator.return?.()).then(
      () => undefined,
      () => undefined,
    );
    return waiting ? Promise.resolve() : closing;
  }

  async function step(): Promise<IteratorResult<T>> {
    if (finished) return { done: true, value: undefined };
    waiting = true;
    let result: IteratorResult<T> | typeof EXPIRED | typeof STOPPED;
    try {
      result = await Promise.race([iterator.next(), expired, stopped]);
    } catch (error) {
      // The source failed: it is done, and its error is the stream's.
      waiting = false;
      finished = true;
      cancel();
      throw error;
    }
    if (result === STOPPED) return { done: true, value: undefined };
    waiting = result === EXPIRED;
    // The timer may not have fired yet (a busy event loop): the clock decides.
    if (result === EXPIRED || now() >= validUntil) {
      await finish();
      const error = tokenExpired();
      if (options.lastValue) return { done: false, value: options.lastValue(error) };
      throw options.toError ? options.toError(error) : error;
    }
    if (result.done) {
      finished = true;
      cancel();
    }
    return result;
  }

  return {
    // One value at a time, as an async generator answers: a second `next()` waits for the first.
    next() {
      const result = queue.then(step, step);
      queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    async return(value?: unknown) {
      await finish();
      return { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
