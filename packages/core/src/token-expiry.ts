import { AuthError } from './errors.js';
import type { AuthUser } from './types.js';
import { clockOf, type Verifier } from './verifier.js';

const EXPIRED = Symbol('expired');

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

async function* iterateUntilExpiry<T>(
  source: AsyncIterable<T>,
  verifier: Verifier,
  user: AuthUser,
  options: UntilTokenExpiryOptions<T>,
): AsyncGenerator<T, unknown> {
  let cancel = () => {};
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    cancel = onTokenExpiry(verifier, user, () => resolve(EXPIRED));
  });
  const validUntil = verifier.validUntil(user);
  const now = clockOf(verifier);
  const iterator = source[Symbol.asyncIterator]();
  let waiting = false;
  try {
    while (true) {
      waiting = true;
      const step = await Promise.race([iterator.next(), expired]);
      waiting = step === EXPIRED;
      // The timer may not have fired yet (a busy event loop): the clock decides.
      if (step === EXPIRED || now() >= validUntil) {
        const error = tokenExpired();
        if (options.lastValue) {
          yield options.lastValue(error);
          return undefined;
        }
        throw options.toError ? options.toError(error) : error;
      }
      if (step.done) return step.value;
      yield step.value;
    }
  } finally {
    cancel();
    // A source still waiting for its next value would hold `return()` until that value comes.
    const closing = Promise.resolve(iterator.return?.()).catch(() => undefined);
    if (!waiting) await closing;
  }
}
