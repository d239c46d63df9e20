import { AuthError, type AuthUser, createVerifier, untilTokenExpiry, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
});
afterAll(() => issuer.close());

const TOLERANCE = 30;

/** A clock that stands still until the test moves it. */
function manualClock() {
  const clock = { at: Date.now(), now: () => clock.at };
  return clock;
}

function verifierWith(now: () => number, extra: { maxTokenAge?: number; cache?: false } = {}): Verifier {
  return createVerifier({
    audience: 'api',
    jwksUri: issuer.jwksUri,
    issuer: issuer.issuer,
    clockTolerance: TOLERANCE,
    now,
    ...extra,
  });
}

/** An async iterable fed by the test, which records whether it was closed. */
function channel<T>() {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  const state = { closed: false };
  const iterator: AsyncIterator<T> = {
    async next() {
      while (queue.length === 0 && !state.closed) await new Promise<void>((resolve) => (wake = resolve));
      if (state.closed) return { done: true, value: undefined };
      return { done: false, value: queue.shift() as T };
    },
    async return() {
      state.closed = true;
      wake?.();
      return { done: true, value: undefined };
    },
  };
  return {
    state,
    iterable: { [Symbol.asyncIterator]: () => iterator } as AsyncIterable<T>,
    push(value: T) {
      queue.push(value);
      wake?.();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('verifier.validUntil', () => {
  test('is exp plus the clock tolerance, in ms since the epoch', async () => {
    const verifier = verifierWith(Date.now);
    const user = await verifier.verify(await issuer.sign({}, { expiresIn: 60 }));
    expect(verifier.validUntil(user)).toBe(((user.claims.exp as number) + TOLERANCE) * 1000);
  });

  test('is earlier with maxTokenAge: iat plus the age plus the tolerance', async () => {
    const verifier = verifierWith(Date.now, { maxTokenAge: 10 });
    const user = await verifier.verify(await issuer.sign({}, { expiresIn: 600 }));
    expect(verifier.validUntil(user)).toBe(((user.claims.iat as number) + 10 + TOLERANCE) * 1000);
  });

  test('is when the verifier starts refusing the token, cached or not', async () => {
    for (const cache of [false, undefined] as const) {
      const clock = manualClock();
      const verifier = verifierWith(clock.now, cache === false ? { cache } : {});
      const token = await issuer.sign({}, { expiresIn: 60 });
      const validUntil = verifier.validUntil(await verifier.verify(token));
      clock.at = validUntil - 1;
      await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'test-user' });
      clock.at = validUntil;
      await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_EXPIRED' });
    }
  });
});

describe('untilTokenExpiry', () => {
  test('ends the stream at exp plus the clock tolerance on the verifier clock, not at the raw exp', async () => {
    const clock = manualClock();
    const verifier = verifierWith(clock.now);
    const user = await verifier.verify(await issuer.sign({}, { expiresIn: 60 }));
    const validUntil = verifier.validUntil(user);
    const source = channel<number>();
    const events = untilTokenExpiry(source.iterable, verifier, user)[Symbol.asyncIterator]();

    source.push(1);
    expect(await events.next()).toEqual({ done: false, value: 1 });
    // Past the raw `exp`, within the tolerance: still delivered.
    clock.at = validUntil - 1;
    source.push(2);
    expect(await events.next()).toEqual({ done: false, value: 2 });
    clock.at = validUntil;
    source.push(3);
    const error = await rejection(events.next());
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(source.state.closed).toBe(true);
  });

  test('a quiet stream ends on time too, and the source is closed', async () => {
    const offset = { ms: 0 };
    const verifier = verifierWith(() => Date.now() + offset.ms);
    const user = await verifier.verify(await issuer.sign({}, { expiresIn: -10 }));
    // The token's raw exp is 10 s past; the verifier accepts it for 20 s more. Move 200 ms short of that.
    offset.ms = verifier.validUntil(user) - 200 - Date.now();
    const source = channel<number>();
    const events = untilTokenExpiry(source.iterable, verifier, user)[Symbol.asyncIterator]();
    expect(await rejection(events.next())).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(source.state.closed).toBe(true);
  });

  test('toError chooses what the stream throws', async () => {
    const clock = manualClock();
    const verifier = verifierWith(clock.now);
    const user = await verifier.verify(await issuer.sign({}));
    const source = channel<number>();
    const events = untilTokenExpiry(source.iterable, verifier, user, {
      toError: (error) => new Error(`ended: ${error.reason}`),
    })[Symbol.asyncIterator]();
    clock.at = verifier.validUntil(user);
    source.push(1);
    expect(await rejection(events.next())).toMatchObject({ message: 'ended: TOKEN_EXPIRED' });
  });

  test('lastValue ends the stream with a last value, then completes', async () => {
    const clock = manualClock();
    const verifier = verifierWith(clock.now);
    const user = await verifier.verify(await issuer.sign({}));
    const source = channel<string>();
    const events = untilTokenExpiry(source.iterable, verifier, user, {
      lastValue: (error) => `ended: ${error.reason}`,
    })[Symbol.asyncIterator]();
    clock.at = verifier.validUntil(user);
    source.push('late');
    expect(await events.next()).toEqual({ done: false, value: 'ended: TOKEN_EXPIRED' });
    expect(await events.next()).toEqual({ done: true, value: undefined });
    expect(source.state.closed).toBe(true);
  });

  test('a consumer that stops early closes the source', async () => {
    const verifier = verifierWith(Date.now);
    const user = await verifier.verify(await issuer.sign({}));
    const source = channel<number>();
    const events = untilTokenExpiry(source.iterable, verifier, user)[Symbol.asyncIterator]();
    source.push(1);
    expect(await events.next()).toEqual({ done: false, value: 1 });
    await events.return?.();
    expect(source.state.closed).toBe(true);
  });

  test('a consumer that stops while the source is quiet is released at once, and the source closed', async () => {
    const verifier = verifierWith(Date.now);
    const user = await verifier.verify(await issuer.sign({}, { expiresIn: 3600 }));
    const source = channel<number>();
    const events = untilTokenExpiry(source.iterable, verifier, user)[Symbol.asyncIterator]();
    // No value comes and the token is good for an hour: only return() can end this next().
    const pending = events.next();
    expect(await events.return?.()).toEqual({ done: true, value: undefined });
    expect(source.state.closed).toBe(true);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  test('a source that fails ends the stream with its error', async () => {
    const verifier = verifierWith(Date.now);
    const user = await verifier.verify(await issuer.sign({}));
    async function* failing() {
      yield 1;
      throw new Error('source failed');
    }
    const events = untilTokenExpiry(failing(), verifier, user)[Symbol.asyncIterator]();
    expect(await events.next()).toEqual({ done: false, value: 1 });
    expect(await rejection(events.next())).toMatchObject({ message: 'source failed' });
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  test('an anonymous caller or a token that never expires: the source itself', async () => {
    const verifier = verifierWith(Date.now);
    const source = channel<number>().iterable;
    expect(untilTokenExpiry(source, verifier, null)).toBe(source);
    const user = await verifier.verify(await issuer.sign({}));
    const timeless: AuthUser = { ...user, claims: { sub: user.id } };
    expect(verifier.validUntil(timeless)).toBe(Number.POSITIVE_INFINITY);
    expect(untilTokenExpiry(source, verifier, timeless)).toBe(source);
  });
});
