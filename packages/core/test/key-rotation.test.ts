import { type AuthDecision, createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { expectInvalidToken, rejection } from './keys-helpers.js';
import { issuerKeys, json, type KeyServer, manualClock, startKeyServer } from './keys-servers.js';

const cleanup: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((c) => c.close()));
});

async function setup(algorithm: 'RS256' | 'ES256' | 'EdDSA' = 'ES256', keySet = {}) {
  const issuer: TestIssuer = await createTestIssuer({ audience: 'api', port: false, algorithm });
  const keys: KeyServer = await startKeyServer(issuerKeys(issuer));
  cleanup.push(issuer, keys);
  const clock = manualClock();
  const decisions: AuthDecision[] = [];
  const verifier = createVerifier({
    audience: 'api',
    jwksUri: `${keys.url}/.well-known/jwks.json`,
    now: clock.now,
    keySet,
    onDecision: (d) => decisions.push(d),
  });
  const cachedFlags = () => decisions.flatMap((d) => (d.type === 'authenticated' ? [d.cached] : []));
  return { issuer, keys, clock, verifier, decisions, cachedFlags };
}

describe('key rotation', () => {
  for (const algorithm of ['RS256', 'ES256', 'EdDSA'] as const) {
    test(`${algorithm}: a new kid causes one refetch; tokens of the old key stay valid while it is published`, async () => {
      const { issuer, keys, clock, verifier } = await setup(algorithm);
      const oldKid = issuer.currentKid;
      await verifier.verify(await issuer.sign({ sub: 'before' }));
      expect(keys.requests).toHaveLength(1);

      const newKid = issuer.rotate();
      clock.advance(31); // past the cooldown
      const fresh = await Promise.all(Array.from({ length: 20 }, (_, i) => issuer.sign({ sub: `new-${i}` })));
      const users = await Promise.all(fresh.map((t) => verifier.verify(t)));
      expect(users.map((u) => u.id)).toEqual(fresh.map((_, i) => `new-${i}`));
      expect(keys.requests).toHaveLength(2);

      const old = await issuer.sign({ sub: 'old-key' }, { kid: oldKid });
      await expect(verifier.verify(old)).resolves.toMatchObject({ id: 'old-key' });
      await expect(verifier.verify(await issuer.sign({ sub: 'again' }, { kid: newKid }))).resolves.toBeDefined();
      expect(keys.requests).toHaveLength(2);
    });
  }

  test('a new kid within the cooldown of the last fetch is refused until the cooldown ends', async () => {
    const { issuer, keys, clock, verifier } = await setup();
    await verifier.verify(await issuer.sign());
    issuer.rotate();
    const token = await issuer.sign({ sub: 'new' });
    expectInvalidToken(await rejection(verifier.verify(token)), 'KEY_NOT_FOUND');
    expect(keys.requests).toHaveLength(1);
    clock.advance(30);
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'new' });
    expect(keys.requests).toHaveLength(2);
  });

  for (const cooldown of [30, 10]) {
    test(`a kid probed before it is published is accepted within the cooldown (${cooldown} s) of its first real use`, async () => {
      const { issuer, keys, clock, verifier } = await setup('ES256', cooldown === 30 ? {} : { cooldown });
      const currentKid = issuer.currentKid;
      await verifier.verify(await issuer.sign());
      const published = issuer.jwks();
      const nextKid = issuer.rotate();
      keys.behave(json(published)); // the issuer holds its next key but does not publish it yet
      // A caller who guesses the next kid probes it, again and again, with forged tokens.
      const probe = await issuer.sign({ sub: 'attacker' }, { kid: currentKid, header: { kid: nextKid } });
      for (let i = 0; i < 12; i++) {
        clock.advance(cooldown + 1);
        expectInvalidToken(await rejection(verifier.verify(probe)), 'KEY_NOT_FOUND');
      }
      expect(keys.requests).toHaveLength(13);
      expect(verifier.keyStatus()?.failures).toBe(0);

      keys.behave(issuerKeys(issuer)); // published
      const real = await issuer.sign({ sub: 'real' });
      clock.advance(1);
      // First real use, within the cooldown of the last probe's fetch: not yet.
      expectInvalidToken(await rejection(verifier.verify(real)), 'KEY_NOT_FOUND');
      clock.advance(cooldown - 1);
      await expect(verifier.verify(real)).resolves.toMatchObject({ id: 'real' });
      expectInvalidToken(await rejection(verifier.verify(probe)), 'SIGNATURE_INVALID');
    });
  }

  test('probing many kids never pushes the next refetch past the cooldown', async () => {
    const { issuer, keys, clock, verifier } = await setup();
    await verifier.verify(await issuer.sign());
    const published = issuer.jwks();
    issuer.rotate();
    keys.behave(json(published));
    for (let i = 0; i < 200; i++) {
      clock.advance(0.5);
      const probe = await issuer.sign({}, { kid: published.keys[0]?.kid as string, header: { kid: `guess-${i}` } });
      expectInvalidToken(await rejection(verifier.verify(probe)), 'KEY_NOT_FOUND');
    }
    keys.behave(issuerKeys(issuer));
    const real = await issuer.sign({ sub: 'real' });
    clock.advance(30);
    await expect(verifier.verify(real)).resolves.toMatchObject({ id: 'real' });
  });

  test('a retired key: its tokens are refused, cached ones included, once a refetch sees it gone', async () => {
    const { issuer, keys, clock, verifier, cachedFlags } = await setup();
    const oldKid = issuer.currentKid;
    const cachedToken = await issuer.sign({ sub: 'cached' });
    await verifier.verify(cachedToken);
    await verifier.verify(cachedToken);
    expect(cachedFlags()).toEqual([false, true]);

    issuer.rotate();
    issuer.retire(oldKid);
    // Until the set is fetched again, the cached verification stands.
    await expect(verifier.verify(cachedToken)).resolves.toMatchObject({ id: 'cached' });

    clock.advance(31);
    await verifier.verify(await issuer.sign({ sub: 'new-key' })); // unknown kid: forces the refetch
    expect(keys.requests).toHaveLength(2);
    expectInvalidToken(await rejection(verifier.verify(cachedToken)), 'KEY_NOT_FOUND');
    const uncached = await issuer.sign({ sub: 'other' }, { kid: issuer.currentKid });
    await expect(verifier.verify(uncached)).resolves.toBeDefined();
  });

  test('retirement is found by the regular refresh even when only cached tokens arrive', async () => {
    const { issuer, keys, clock, verifier } = await setup('ES256', { maxAge: 60 });
    const oldKid = issuer.currentKid;
    const cachedToken = await issuer.sign({ sub: 'cached' });
    await verifier.verify(cachedToken);
    issuer.rotate();
    issuer.retire(oldKid);

    clock.advance(61);
    // Still served (the refresh runs in the background), but the hit starts the refresh.
    await expect(verifier.verify(cachedToken)).resolves.toMatchObject({ id: 'cached' });
    await vi.waitFor(() => expect(verifier.keyStatus()?.fetches).toBe(2));
    await vi.waitFor(() => expect(verifier.keyStatus()?.fetchedAt).toBe(clock.now()));
    expect(keys.requests).toHaveLength(2);
    expectInvalidToken(await rejection(verifier.verify(cachedToken)), 'KEY_NOT_FOUND');
  });

  test('a key that stays published keeps its cached tokens across refetches', async () => {
    const { issuer, clock, verifier, cachedFlags } = await setup();
    const token = await issuer.sign({ sub: 'stays' });
    await verifier.verify(token);
    issuer.rotate();
    clock.advance(31);
    await verifier.verify(await issuer.sign({ sub: 'new' }));
    await verifier.verify(token);
    expect(cachedFlags()).toEqual([false, false, true]);
  });
});
