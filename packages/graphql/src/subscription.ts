import type { AuthUser } from '@gatehousejs/core';

const EXPIRED = Symbol('expired');
const MAX_TIMEOUT = 2 ** 31 - 1;

/** When the caller's token stops being valid, in ms since the epoch; undefined when it never does. */
export function tokenExpiry(user: AuthUser | null): number | undefined {
  const exp = user?.claims.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/**
 * Ends a stream of results when the token it was opened with expires: an event that arrives after
 * the expiry is dropped, and a quiet stream is ended by a timer. The last result is `onExpiry()`
 * (an UNAUTHENTICATED error), then the stream completes and the source is closed.
 */
export function endAtExpiry<T>(
  source: AsyncIterable<T>,
  expiresAt: number,
  now: () => number,
  onExpiry: () => T,
): AsyncGenerator<T, undefined, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    const arm = () => {
      const left = expiresAt - now();
      if (left <= 0 || finished) return resolve(EXPIRED);
      timer = setTimeout(arm, Math.min(left, MAX_TIMEOUT));
      timer.unref?.();
    };
    arm();
  });

  const stop = () => {
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
  };
  const closeSource = () => {
    try {
      Promise.resolve(iterator.return?.()).catch(() => undefined);
    } catch {
      // A source that cannot be closed is already done with.
    }
  };
  const end = (): IteratorResult<T, undefined> => {
    stop();
    closeSource();
    return { done: false, value: onExpiry() };
  };

  const generator: AsyncGenerator<T, undefined, undefined> = {
    async next() {
      if (finished) return { done: true, value: undefined };
      if (now() >= expiresAt) return end();
      const outcome = await Promise.race([iterator.next(), expired]);
      if (finished) return { done: true, value: undefined };
      if (outcome === EXPIRED || now() >= expiresAt) return end();
      if (outcome.done) {
        stop();
        return { done: true, value: undefined };
      }
      return outcome;
    },
    async return() {
      stop();
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      stop();
      if (iterator.throw) await iterator.throw(error);
      else await iterator.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator;
}
