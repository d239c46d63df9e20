import { isObservable, type Observable, observable } from '@trpc/server/observable';
import type { RequestAuth } from './context.js';
import { toTRPCError } from './errors.js';

// setTimeout's longest delay (about 24.8 days); a later expiry is checked again then.
const MAX_TIMER_MS = 2_147_483_647;

interface ExpiryWatch {
  /** Rejects with UNAUTHORIZED once the verifier no longer accepts the token; never resolves. */
  readonly expired: Promise<never>;
  stop(): void;
}

/**
 * Ends a subscription's stream with UNAUTHORIZED when its token expires. The decision is the
 * verifier's: at the token's `exp` the credentials are checked again, and only a rejection ends it.
 */
export function endAtTokenExpiry(data: unknown, auth: RequestAuth): unknown {
  if (auth.recheckAt === Number.POSITIVE_INFINITY) return data;
  if (isObservable(data)) return observableUntilExpiry(data, auth);
  if (isAsyncIterable(data)) return iterableUntilExpiry(data, auth);
  return data;
}

function watchExpiry(auth: RequestAuth): ExpiryWatch {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const expired = new Promise<never>((_, reject) => {
    const schedule = () => {
      if (stopped) return;
      const delay = Math.min(Math.max(auth.recheckAt - Date.now(), 0), MAX_TIMER_MS);
      timer = setTimeout(check, delay);
      timer.unref?.();
    };
    const check = () => {
      auth.user().then(schedule, (error: unknown) => {
        if (!stopped) reject(toTRPCError(error));
      });
    };
    schedule();
  });
  expired.catch(() => {});
  return {
    expired,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function* iterableUntilExpiry<T>(source: AsyncIterable<T>, auth: RequestAuth): AsyncGenerator<T, unknown> {
  const watch = watchExpiry(auth);
  const iterator = source[Symbol.asyncIterator]();
  let waiting = false;
  try {
    while (true) {
      waiting = true;
      const step = await Promise.race([iterator.next(), watch.expired]);
      waiting = false;
      if (step.done) return step.value;
      yield step.value;
    }
  } finally {
    watch.stop();
    // A source still waiting for its next value would hold `return()` until that value comes.
    const closing = Promise.resolve(iterator.return?.()).catch(() => undefined);
    if (!waiting) await closing;
  }
}

function observableUntilExpiry<T, E>(source: Observable<T, E>, auth: RequestAuth): Observable<T, unknown> {
  return observable<T, unknown>((observer) => {
    const watch = watchExpiry(auth);
    const subscription = source.subscribe(observer);
    watch.expired.catch((error: unknown) => {
      subscription.unsubscribe();
      observer.error(error);
    });
    return () => {
      watch.stop();
      subscription.unsubscribe();
    };
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}
