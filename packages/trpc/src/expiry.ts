import { type AuthUser, untilTokenExpiry, type Verifier } from '@gatehousejs/core';
import { isAsyncIterable, onTokenExpiry } from '@gatehousejs/core/adapter';
import { isObservable, type Observable, observable } from '@trpc/server/observable';
import { toTRPCError } from './errors.js';

/**
 * Ends a subscription's stream with UNAUTHORIZED when the verifier stops accepting its token
 * (core's `untilTokenExpiry`: `exp` plus clock tolerance, on the verifier's clock).
 */
export function endAtTokenExpiry(data: unknown, verifier: Verifier, user: AuthUser | null): unknown {
  if (isObservable(data)) return observableUntilExpiry(data, verifier, user);
  if (isAsyncIterable(data)) return untilTokenExpiry(data, verifier, user, { toError: toTRPCError });
  return data;
}

function observableUntilExpiry<T, E>(
  source: Observable<T, E>,
  verifier: Verifier,
  user: AuthUser | null,
): Observable<T, unknown> {
  return observable<T, unknown>((observer) => {
    const subscription = source.subscribe(observer);
    const cancel = onTokenExpiry(verifier, user, (error) => {
      subscription.unsubscribe();
      observer.error(toTRPCError(error));
    });
    return () => {
      cancel();
      subscription.unsubscribe();
    };
  });
}
