/**
 * `operation`, or a rejection with `failure()` when it has not settled within `ms` (or when it
 * rejects): nothing waits on the store unbounded. The timer never keeps the process alive.
 */
export function withDeadline<T>(operation: Promise<T>, ms: number, failure: (cause?: unknown) => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(failure()), ms);
    timer.unref?.();
    operation.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(failure(error));
      },
    );
  });
}
