import { type AuthDecision, createVerifier, GatehouseConfigError, type VerifierOptions } from '@gatehousejs/core';
import { signJwt } from '@gatehousejs/core/testing';
import { describe, expect, test } from 'vitest';
import { expectInvalidToken, rejection } from './keys-helpers.js';
import { manualClock } from './keys-servers.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';
const nowSeconds = () => Math.floor(Date.now() / 1000);
const hs256 = (payload: Record<string, unknown>) =>
  signJwt({
    header: { alg: 'HS256', typ: 'JWT' },
    payload: { iat: nowSeconds(), aud: 'api', ...payload },
    key: SECRET,
  });

function verifierWithLog(options: Partial<VerifierOptions> = {}) {
  const decisions: AuthDecision[] = [];
  const verifier = createVerifier({
    audience: 'api',
    secret: SECRET,
    onDecision: (d) => decisions.push(d),
    ...options,
  });
  const outcomes = () =>
    decisions.map((d) => (d.type === 'authenticated' ? (d.cached ? 'cached' : 'verified') : `rejected:${d.type}`));
  return { verifier, decisions, outcomes };
}

describe('verified-token cache', () => {
  test('a repeated token is served from the cache, as a deeply frozen user', async () => {
    const { verifier, outcomes } = verifierWithLog();
    const token = hs256({
      sub: 'u1',
      roles: ['admin'],
      permissions: ['read'],
      exp: nowSeconds() + 60,
      profile: { tags: ['a'], nested: { deep: 1 } },
    });
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(outcomes()).toEqual(['verified', 'cached']);
    expect(second).toEqual(first);
    for (const value of [second, second.roles, second.permissions, second.claims, second.claims.profile]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    const profile = second.claims.profile as { tags: string[]; nested: { deep: number } };
    expect(Object.isFrozen(profile.tags) && Object.isFrozen(profile.nested)).toBe(true);
    // One caller cannot change what the next one gets.
    expect(() => (second.roles as string[]).push('superadmin')).toThrow(TypeError);
    expect(() => {
      (second as { id: string }).id = 'someone-else';
    }).toThrow(TypeError);
    expect(() => {
      profile.nested.deep = 2;
    }).toThrow(TypeError);
    const third = await verifier.verify(token);
    expect(third.roles).toEqual(['admin']);
    expect(third.id).toBe('u1');
  });

  test('a cached token stops being accepted the moment now passes exp (no clock tolerance)', async () => {
    const clock = manualClock();
    const { verifier, outcomes } = verifierWithLog({ now: clock.now, clockTolerance: 0 });
    const exp = nowSeconds() + 60;
    const token = hs256({ sub: 'u1', exp });
    await verifier.verify(token);
    clock.set(exp * 1000 - 1);
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'u1' });
    clock.set(exp * 1000);
    expectInvalidToken(await rejection(verifier.verify(token)), 'TOKEN_EXPIRED');
    expect(outcomes()).toEqual(['verified', 'cached', 'rejected:rejected']);
  });

  test('with the default clock tolerance (5 s), the cache ends exactly where verification does', async () => {
    const clock = manualClock();
    const cached = verifierWithLog({ now: clock.now });
    const uncached = verifierWithLog({ now: clock.now, cache: false });
    const exp = nowSeconds() + 60;
    const token = hs256({ sub: 'u1', exp });
    await cached.verifier.verify(token);
    for (const at of [exp * 1000 + 4999, exp * 1000 + 5000]) {
      clock.set(at);
      const results = await Promise.allSettled([cached.verifier.verify(token), uncached.verifier.verify(token)]);
      expect(results[0].status).toBe(results[1].status);
    }
    expect(cached.outcomes()).toEqual(['verified', 'cached', 'rejected:rejected']);
  });

  test('maxTokenAge ends a cached entry too', async () => {
    const clock = manualClock();
    const { verifier } = verifierWithLog({ now: clock.now, clockTolerance: 0, maxTokenAge: 30 });
    const iat = nowSeconds();
    const token = hs256({ sub: 'u1', iat, exp: iat + 3600 });
    await verifier.verify(token);
    clock.set((iat + 30) * 1000);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock.set((iat + 31) * 1000);
    expectInvalidToken(await rejection(verifier.verify(token)), 'TOKEN_TOO_OLD');
  });

  test('bounded: beyond maxEntries the oldest entry goes first', async () => {
    const { verifier, outcomes } = verifierWithLog({ cache: { maxEntries: 2 } });
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => hs256({ sub, exp: nowSeconds() + 60 })) as [string, string, string];
    for (const token of [a, b, c, c, b, a]) await verifier.verify(token);
    expect(outcomes()).toEqual(['verified', 'verified', 'verified', 'cached', 'cached', 'verified']);
  });

  test('bounded in size too: large tokens hold at most ~8 MiB of token text', async () => {
    const { verifier, outcomes } = verifierWithLog({ maxTokenLength: 8192 });
    const padding = 'p'.repeat(5800);
    const tokens = Array.from({ length: 1300 }, (_, i) => hs256({ sub: `u${i}`, padding, exp: nowSeconds() + 60 }));
    for (const token of tokens) await verifier.verify(token);
    // 1300 tokens of ~7.9 KB would be ~10 MB: the first ones are gone, the last ones are kept.
    await verifier.verify(tokens[0] as string);
    await verifier.verify(tokens[1299] as string);
    expect(outcomes().slice(-2)).toEqual(['verified', 'cached']);
  });

  test('cache: false verifies every time', async () => {
    const { verifier, outcomes } = verifierWithLog({ cache: false });
    const token = hs256({ sub: 'u1', exp: nowSeconds() + 60 });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(outcomes()).toEqual(['verified', 'verified']);
  });

  test('rejected tokens are never cached', async () => {
    const clock = manualClock();
    const { verifier } = verifierWithLog({ now: clock.now });
    const notYet = hs256({ sub: 'u1', nbf: nowSeconds() + 60, exp: nowSeconds() + 120 });
    expectInvalidToken(await rejection(verifier.verify(notYet)), 'TOKEN_NOT_YET_VALID');
    clock.advance(61);
    await expect(verifier.verify(notYet)).resolves.toMatchObject({ id: 'u1' });
  });

  test('each verifier has its own cache: a token cached by one is judged afresh by another', async () => {
    const lenient = verifierWithLog({ audience: false });
    const strict = verifierWithLog({ audience: 'billing' });
    const token = hs256({ sub: 'u1', aud: 'reports', exp: nowSeconds() + 60 });
    await lenient.verifier.verify(token);
    expectInvalidToken(await rejection(strict.verifier.verify(token)), 'AUDIENCE_MISMATCH');
  });

  test('a token differing by one character is not a cache hit', async () => {
    const { verifier } = verifierWithLog();
    const token = hs256({ sub: 'u1', exp: nowSeconds() + 60 });
    await verifier.verify(token);
    const tampered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    expectInvalidToken(await rejection(verifier.verify(tampered)));
  });

  for (const maxEntries of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`cache.maxEntries ${maxEntries} is a configuration error`, () => {
      expect(() => createVerifier({ audience: 'api', secret: SECRET, cache: { maxEntries } })).toThrow(
        GatehouseConfigError,
      );
    });
  }

  test('maxEntries 0 caches nothing', async () => {
    const { verifier, outcomes } = verifierWithLog({ cache: { maxEntries: 0 } });
    const token = hs256({ sub: 'u1', exp: nowSeconds() + 60 });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(outcomes()).toEqual(['verified', 'verified']);
  });
});
