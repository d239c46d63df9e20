import {
  createVerifier,
  memoryStore,
  type RevocationRecord,
  type StateStore,
  type StoreWatcher,
} from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { rejection } from './verifier-fixtures.js';

const AUDIENCE = 'https://api.gatehouse.test';
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false, audience: AUDIENCE });
});
afterAll(() => issuer.close());

const verifierWith = (options: { store?: StateStore; now?: () => number } = {}) =>
  createVerifier({ publicKey: issuer.publicKeyPem(), issuer: issuer.issuer, audience: AUDIENCE, ...options });

describe('verifier.revoke()', () => {
  test('a revoked jti is refused, cached verification included; other tokens still pass', async () => {
    const verifier = verifierWith();
    const token = await issuer.sign({ sub: 'user-1', jti: 'token-1' });
    const other = await issuer.sign({ sub: 'user-1', jti: 'token-2' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'user-1' });
    await verifier.revoke({ jti: 'token-1' });
    const error = await rejection(verifier.verify(token));
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, reason: 'TOKEN_REVOKED' });
    expect(error.wwwAuthenticate).toContain('error="invalid_token"');
    await expect(verifier.verify(other)).resolves.toMatchObject({ id: 'user-1' });
  });

  test('authenticate() refuses a revoked token as a 401, never as anonymous', async () => {
    const verifier = verifierWith();
    const token = await issuer.sign({ sub: 'user-1', jti: 'token-3' });
    await verifier.revoke({ jti: 'token-3' });
    const error = await rejection(verifier.authenticate({ authorization: `Bearer ${token}` }));
    expect(error).toMatchObject({ status: 401, reason: 'TOKEN_REVOKED' });
  });

  test('revoking a sub refuses every token of that user issued until then, and not later ones', async () => {
    const verifier = verifierWith();
    const seconds = Math.floor(Date.now() / 1000);
    const before = await issuer.sign({ sub: 'user-2', jti: 'a' }, { issuedAt: seconds - 10 });
    const noIat = await issuer.sign({ sub: 'user-2' }, { issuedAt: null });
    const someoneElse = await issuer.sign({ sub: 'user-3' });
    await verifier.verify(before);
    await verifier.revoke({ sub: 'user-2' });
    await expect(verifier.verify(before)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    // Without `iat` a token cannot show it was issued after the revocation.
    await expect(verifier.verify(noIat)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    await expect(verifier.verify(someoneElse)).resolves.toMatchObject({ id: 'user-3' });
    // The user signs in again: a token issued after the revocation passes.
    const after = await issuer.sign({ sub: 'user-2' }, { issuedAt: Math.floor(Date.now() / 1000) + 2 });
    await expect(verifier.verify(after)).resolves.toMatchObject({ id: 'user-2' });
  });

  test('revoking a sid refuses the tokens of that session only', async () => {
    const verifier = verifierWith();
    const session = await issuer.sign({ sub: 'user-4', sid: 'session-1' });
    const otherSession = await issuer.sign({ sub: 'user-4', sid: 'session-2' });
    await verifier.revoke({ sid: 'session-1' });
    await expect(verifier.verify(session)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    await expect(verifier.verify(otherSession)).resolves.toMatchObject({ id: 'user-4' });
  });

  test('a revocation lapses at `until`; by default it outlives every token it covers', async () => {
    let skew = 0;
    const verifier = verifierWith({ now: () => Date.now() + skew });
    const token = await issuer.sign({ jti: 'lapsing' }, { expiresIn: 3 * 24 * 3600 });
    const longLived = await issuer.sign({ jti: 'default-until' }, { expiresIn: 6 * 24 * 3600 });
    await verifier.revoke({ jti: 'lapsing' }, { until: Date.now() + 60_000 });
    await verifier.revoke({ jti: 'default-until' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    skew = 61_000;
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'test-user' });
    skew = 6 * 24 * 3600 * 1000 - 10_000;
    await expect(verifier.verify(longLived)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test.each([
    ['nothing', {}],
    ['two targets', { jti: 'a', sub: 'b' }],
    ['an unknown target', { email: 'a@example.com' }],
    ['an empty string', { jti: '' }],
    ['a number', { sub: 42 }],
    ['an oversized value', { sid: 'x'.repeat(1025) }],
    ['null', null],
  ])('revoke() with %s rejects with a TypeError and revokes nothing', async (_, target) => {
    const verifier = verifierWith();
    const token = await issuer.sign({ jti: 'kept', sub: 'kept', sid: 'kept' });
    await expect(verifier.revoke(target as never)).rejects.toBeInstanceOf(TypeError);
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'kept' });
  });

  test('revoke() with an `until` in the past or not a time rejects', async () => {
    const verifier = verifierWith();
    await expect(verifier.revoke({ jti: 'x' }, { until: Date.now() - 1 })).rejects.toBeInstanceOf(TypeError);
    await expect(verifier.revoke({ jti: 'x' }, { until: Number.NaN })).rejects.toBeInstanceOf(TypeError);
    await expect(verifier.revoke({ jti: 'x' }, { until: new Date('nope') })).rejects.toBeInstanceOf(TypeError);
  });

  test('verifiers sharing one memory store share revocations, the one made later included', async () => {
    const store = memoryStore();
    const first = verifierWith({ store });
    const token = await issuer.sign({ jti: 'shared' });
    await first.verify(token);
    const second = verifierWith({ store });
    await second.verify(token);
    await first.revoke({ jti: 'shared' });
    await expect(second.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    const third = verifierWith({ store });
    await expect(third.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });
});

/** A store that can be switched off, to see what a verifier does without it. */
function switchableStore(onUnavailable: 'refuse' | 'allow' = 'refuse') {
  const inner = memoryStore();
  let up = true;
  const watchers = new Set<StoreWatcher>();
  const guard = <T>(operation: () => Promise<T>): Promise<T> =>
    up ? operation() : Promise.reject(new Error('connection refused'));
  const store: StateStore = {
    onUnavailable,
    addRevocation: (record: RevocationRecord) => guard(() => inner.addRevocation(record)),
    readRevocations: (cursor) => guard(() => inner.readRevocations(cursor)),
    watch(watcher) {
      watchers.add(watcher);
      return inner.watch(watcher);
    },
    claimOnce: (key, ttl) => guard(() => inner.claimOnce(key, ttl)),
    getValue: (key) => guard(() => inner.getValue(key)),
    setValue: (key, value, ttl) => guard(() => inner.setValue(key, value, ttl)),
    close: () => inner.close(),
  };
  return {
    store,
    down() {
      up = false;
      for (const watcher of watchers) watcher.disconnected();
    },
    up() {
      up = true;
      for (const watcher of watchers) watcher.connected();
    },
  };
}

describe('a store that cannot be reached', () => {
  test('refuses every token (503 STATE_UNAVAILABLE), cached ones included, until it is back', async () => {
    const switchable = switchableStore();
    const verifier = verifierWith({ store: switchable.store });
    const token = await issuer.sign({ jti: 'while-down' });
    await verifier.verify(token);
    switchable.down();
    const error = await rejection(verifier.verify(token));
    expect(error).toMatchObject({ code: 'KEYS_UNAVAILABLE', status: 503, reason: 'STATE_UNAVAILABLE' });
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(verifier.stateStatus()).toBe('unavailable');
    switchable.up();
    await vi.waitFor(() => expect(verifier.stateStatus()).toBe('ready'));
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'test-user' });
  });

  test('revoke() rejects (503) and nothing is applied; it works again once the store is back', async () => {
    const switchable = switchableStore();
    const verifier = verifierWith({ store: switchable.store });
    const token = await issuer.sign({ jti: 'not-lost' });
    await verifier.verify(token);
    switchable.down();
    await expect(verifier.revoke({ jti: 'not-lost' })).rejects.toMatchObject({
      code: 'KEYS_UNAVAILABLE',
      reason: 'STATE_UNAVAILABLE',
    });
    switchable.up();
    await vi.waitFor(() => expect(verifier.stateStatus()).toBe('ready'));
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'test-user' });
    await verifier.revoke({ jti: 'not-lost' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test("with onUnavailable: 'allow', tokens pass on what is known, and known revocations still hold", async () => {
    const switchable = switchableStore('allow');
    const verifier = verifierWith({ store: switchable.store });
    const revoked = await issuer.sign({ jti: 'known-revoked' });
    const fine = await issuer.sign({ jti: 'fine' });
    await verifier.revoke({ jti: 'known-revoked' });
    switchable.down();
    await expect(verifier.verify(fine)).resolves.toMatchObject({ id: 'test-user' });
    await expect(verifier.verify(revoked)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test('a store that is not one is a configuration error', () => {
    expect(() => verifierWith({ store: {} as StateStore })).toThrow(/store must be a state store/);
  });
});
