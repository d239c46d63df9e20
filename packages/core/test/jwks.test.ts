import { createSecretKey, randomUUID } from 'node:crypto';
import { type AuthDecision, createVerifier, GatehouseConfigError, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { expectInvalidToken, expectKeysUnavailable, rejection } from './keys-helpers.js';
import {
  type Behavior,
  hang,
  hangAfterHeaders,
  huge,
  issuerKeys,
  json,
  type KeyServer,
  manualClock,
  redirect,
  reset,
  startKeyServer,
  status,
} from './keys-servers.js';
import { closedPort } from './verifier-fixtures.js';

let issuer: TestIssuer;
let ecIssuer: TestIssuer;
const servers: KeyServer[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api', port: false });
  ecIssuer = await createTestIssuer({ audience: 'api', port: false, algorithm: 'ES256' });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await issuer.close();
  await ecIssuer.close();
});

async function server(behavior: Behavior): Promise<KeyServer> {
  const s = await startKeyServer(behavior);
  servers.push(s);
  return s;
}

const jwksPath = '/.well-known/jwks.json';

describe('the endpoint is down at start', () => {
  test('a closed port gives 503 with Retry-After, never 401, and no leak of the URL', async () => {
    const port = await closedPort();
    const verifier = createVerifier({ audience: 'api', jwksUri: `http://127.0.0.1:${port}${jwksPath}` });
    const error = await rejection(verifier.verify(await issuer.sign()));
    expectKeysUnavailable(error);
    expect(JSON.stringify(error.toJSON())).not.toContain(String(port));
    expect(error.message).not.toContain('127.0.0.1');
    expect(verifier.keyStatus()).toMatchObject({ keys: 0, usable: false, fetches: 1, failures: 1 });
  });

  test('while backing off, requests are refused at once without touching the server', async () => {
    const keys = await server(status(500));
    const clock = manualClock();
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, now: clock.now });
    const token = await issuer.sign();
    for (let i = 0; i < 20; i++) expectKeysUnavailable(await rejection(verifier.verify(token)));
    expect(keys.requests).toHaveLength(1);
  });

  test('backoff doubles up to maxBackoff, Retry-After follows it, and the set recovers', async () => {
    const keys = await server(status(500));
    const clock = manualClock();
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: keys.url + jwksPath,
      now: clock.now,
      keySet: { backoff: 1, maxBackoff: 3 },
    });
    const token = await issuer.sign();
    const attempt = async () => (await rejection(verifier.verify(token))).retryAfter;

    expect(await attempt()).toBe(1); // failure 1: next attempt in 1 s
    expect(keys.requests).toHaveLength(1);
    clock.advance(0.5);
    expect(await attempt()).toBe(1);
    expect(keys.requests).toHaveLength(1);
    clock.advance(0.5);
    expect(await attempt()).toBe(2); // failure 2: 2 s
    expect(keys.requests).toHaveLength(2);
    clock.advance(1.5);
    await attempt();
    expect(keys.requests).toHaveLength(2);
    clock.advance(0.5);
    expect(await attempt()).toBe(3); // failure 3: 4 s, capped at 3
    clock.advance(3);
    expect(await attempt()).toBe(3); // failure 4: still 3
    expect(keys.requests).toHaveLength(4);

    keys.behave(issuerKeys(issuer));
    clock.advance(3);
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'test-user' });
    expect(keys.requests).toHaveLength(5);
    expect(verifier.keyStatus()).toMatchObject({ failures: 0, usable: true, lastError: undefined });
  });
});

describe('the endpoint goes down when warm', () => {
  for (const [name, failure] of [
    ['connection reset', reset],
    ['500', status(500)],
    ['garbage', json('<html>oops</html>')],
  ] as const) {
    test(`${name}: cached keys work up to staleIfError past maxAge, then 503; it recovers`, async () => {
      const keys = await server(issuerKeys(issuer));
      const clock = manualClock();
      const decisions: AuthDecision[] = [];
      const verifier = createVerifier({
        audience: 'api',
        jwksUri: keys.url + jwksPath,
        now: clock.now,
        keySet: { maxAge: 60, staleIfError: 120 },
        onDecision: (d) => decisions.push(d),
      });
      const cachedToken = await issuer.sign({ sub: 'cached' });
      await verifier.verify(cachedToken);
      const fetchedAt = clock.now();
      keys.behave(failure);

      clock.advance(61);
      // Stale: served from cache, and a background refresh is started (and fails).
      await expect(verifier.verify(await issuer.sign({ sub: 'fresh' }))).resolves.toMatchObject({ id: 'fresh' });
      await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(1));
      expect(keys.requests).toHaveLength(2);

      clock.set(fetchedAt + 180_000); // the last moment the stale set may be used
      await expect(verifier.verify(await issuer.sign({ sub: 'edge' }))).resolves.toMatchObject({ id: 'edge' });
      await expect(verifier.verify(cachedToken)).resolves.toMatchObject({ id: 'cached' });

      clock.set(fetchedAt + 181_000);
      expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign({ sub: 'late' }))));
      // A cached verification does not outlive the trust in its key set.
      expectKeysUnavailable(await rejection(verifier.verify(cachedToken)));
      expect(decisions.filter((d) => d.type === 'rejected').every((d) => d.code === 'KEYS_UNAVAILABLE')).toBe(true);

      keys.behave(issuerKeys(issuer));
      clock.advance(60);
      await expect(verifier.verify(cachedToken)).resolves.toMatchObject({ id: 'cached' });
      expect(verifier.keyStatus()).toMatchObject({ usable: true, failures: 0 });
    });
  }

  test('one background refresh at a time, spaced by the backoff, while stale keys serve', async () => {
    const keys = await server(issuerKeys(issuer));
    const clock = manualClock();
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: keys.url + jwksPath,
      now: clock.now,
      keySet: { maxAge: 60, staleIfError: 3600, backoff: 10 },
    });
    const token = await issuer.sign();
    await verifier.verify(token);
    keys.behave(status(503));
    clock.advance(61);
    await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)));
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(1));
    await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)));
    expect(keys.requests).toHaveLength(2);
    clock.advance(10);
    await verifier.verify(token);
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(2));
    expect(keys.requests).toHaveLength(3);
  });
});

describe('a slow endpoint', () => {
  for (const [name, behavior] of [
    ['never answers', hang],
    ['never finishes the body', hangAfterHeaders],
  ] as const) {
    test(`${name}: the request times out and the verification fails with 503`, async () => {
      const keys = await server(behavior);
      const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, keySet: { timeout: 0.3 } });
      expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
      expect(verifier.keyStatus()?.lastError).toBe('timed out');
    });
  }

  test('answers that arrive in time are used, and concurrent callers wait for the one fetch', async () => {
    const keys = await server((req, res) => setTimeout(() => issuerKeys(issuer)(req, res), 100));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => issuer.sign({ sub: `u${i}` })));
    const users = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(users.map((u) => u.id)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(keys.requests).toHaveLength(1);
  });
});

describe('unusable answers', () => {
  const rsaJwk = () => issuer.jwks().keys[0] as Record<string, unknown>;
  const cases: [string, () => Behavior][] = [
    ['500', () => status(500, JSON.stringify({ keys: [rsaJwk()] }))],
    ['404', () => status(404)],
    ['not JSON', () => json('<html>not json</html>')],
    ['truncated JSON', () => json('{"keys":[{"kty":"RSA"')],
    ['JSON null', () => json('null')],
    ['a JSON array', () => json([rsaJwk()])],
    ['JSON without keys', () => json({ issuer: 'x' })],
    ['keys not an array', () => json({ keys: { 0: rsaJwk() } })],
    ['an empty key list', () => json({ keys: [] })],
    [
      'keys of the wrong types',
      () =>
        json({
          keys: [
            1,
            'RSA',
            null,
            [],
            { kty: 5 },
            { kty: 'RSA', n: 5, e: true },
            { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' },
            { ...rsaJwk(), kid: 42 },
            { ...rsaJwk(), kid: 'k'.repeat(257) },
            { ...rsaJwk(), use: 'enc' },
            { ...rsaJwk(), key_ops: ['encrypt'] },
            { ...rsaJwk(), alg: 'none' },
            { ...rsaJwk(), alg: 'ES256' },
          ],
        }),
    ],
  ];
  for (const [name, behavior] of cases) {
    test(`${name} → 503`, async () => {
      const keys = await server(behavior());
      const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
      expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
      expect(keys.requests).toHaveLength(1);
    });
  }

  test('garbage members next to a good key are skipped, the good key is used', async () => {
    const keys = await server(json({ keys: [null, 7, { kty: 'oct', k: 'AAAA' }, { kty: 'RSA' }, rsaJwk()] }));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    await expect(verifier.verify(await issuer.sign())).resolves.toMatchObject({ id: 'test-user' });
  });
});

describe('oversized answers', () => {
  const over = 300 * 1024; // the default cap is 256 KiB
  for (const mode of ['honest-length', 'no-length', 'chunked', 'endless'] as const) {
    test(`${mode} → 503 "answer too large", read no further than the cap`, async () => {
      const keys = await server(huge(mode, over));
      // A long timeout: the cap, not the timeout, must end the request.
      const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, keySet: { timeout: 60 } });
      expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
      expect(verifier.keyStatus()?.lastError).toBe('answer too large');
    });
  }

  test('a content-length that lies (smaller than the body) → 503', async () => {
    const keys = await server(huge('lying-length', over));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, keySet: { timeout: 60 } });
    expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
  });

  test('maxBodyBytes is configurable', async () => {
    const keys = await server(issuerKeys(issuer));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, keySet: { maxBodyBytes: 100 } });
    expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
    expect(verifier.keyStatus()?.lastError).toBe('answer too large');
  });

  test('more keys than maxKeys: the whole set is refused', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ ...issuer.jwks().keys[0], kid: `k${i}` }));
    const keys = await server(json({ keys: many }));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign({}, { header: { kid: 'k3' } }))));
    expect(verifier.keyStatus()?.lastError).toBe('too many keys');

    const roomy = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, keySet: { maxKeys: 101 } });
    await expect(roomy.verify(await issuer.sign({}, { header: { kid: 'k3' } }))).resolves.toBeDefined();
  });
});

describe('redirects', () => {
  for (const code of [301, 302, 303, 307, 308]) {
    test(`${code} is not followed`, async () => {
      const target = await server(issuerKeys(issuer));
      const keys = await server(redirect(target.url + jwksPath, code));
      const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
      expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
      expect(keys.requests).toHaveLength(1);
      expect(target.requests).toHaveLength(0);
    });
  }
});

describe('symmetric keys in a JWKS', () => {
  const secret = Buffer.alloc(32, 7);
  const octJwk = { kty: 'oct', kid: 'shared', k: secret.toString('base64url'), alg: 'HS256', use: 'sig' };

  test('an oct key is ignored: a token signed with it is refused', async () => {
    const keys = await server(json({ keys: [octJwk, ...issuer.jwks().keys] }));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    await expect(verifier.verify(await issuer.sign())).resolves.toBeDefined();
    const forged = signJwt({
      header: { alg: 'HS256', typ: 'JWT', kid: 'shared' },
      payload: { sub: 'attacker', exp: Math.floor(Date.now() / 1000) + 60 },
      key: createSecretKey(secret),
    });
    expectInvalidToken(await rejection(verifier.verify(forged)));
  });

  test('HS algorithms cannot be allowed for a JWKS', () => {
    expect(() =>
      createVerifier({ audience: 'api', jwksUri: 'http://127.0.0.1:1/jwks', algorithms: ['HS256'] }),
    ).toThrow(GatehouseConfigError);
  });

  test('a set of only oct keys has no usable keys → 503', async () => {
    const keys = await server(json({ keys: [octJwk] }));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    expectKeysUnavailable(await rejection(verifier.verify(await issuer.sign())));
  });

  test('the RSA key of the set used as an HMAC secret is refused', async () => {
    const keys = await server(issuerKeys(issuer));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    const forged = signJwt({
      header: { alg: 'HS256', typ: 'JWT', kid: issuer.currentKid },
      payload: { sub: 'attacker', exp: Math.floor(Date.now() / 1000) + 60 },
      key: issuer.publicKeyPem(),
    });
    expectInvalidToken(await rejection(verifier.verify(forged)));
  });
});

describe('unknown kids', () => {
  const tokenWithKid = (kid: string) => ecIssuer.sign({}, { header: { kid } });

  async function warmVerifier(clock: ReturnType<typeof manualClock>): Promise<{ keys: KeyServer; verifier: Verifier }> {
    const keys = await server(issuerKeys(ecIssuer));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath, now: clock.now });
    await verifier.verify(await ecIssuer.sign());
    return { keys, verifier };
  }

  test('a kid the server does not publish → 401 KEY_NOT_FOUND, after at most one refetch per cooldown', async () => {
    const clock = manualClock();
    const { keys, verifier } = await warmVerifier(clock);
    clock.advance(31);
    expectInvalidToken(await rejection(verifier.verify(await tokenWithKid('nope'))), 'KEY_NOT_FOUND');
    expect(keys.requests).toHaveLength(2);
    // Within the cooldown: answered without asking the server.
    clock.advance(29);
    expectInvalidToken(await rejection(verifier.verify(await tokenWithKid('nope'))), 'KEY_NOT_FOUND');
    expect(keys.requests).toHaveLength(2);
    // The same kid after the cooldown is asked for again: it may have been published meanwhile.
    clock.advance(2);
    expectInvalidToken(await rejection(verifier.verify(await tokenWithKid('nope'))), 'KEY_NOT_FOUND');
    expect(keys.requests).toHaveLength(3);
    expect(verifier.keyStatus()?.failures).toBe(0);
  });

  test('a flood of 1000 concurrent unknown kids makes one fetch', async () => {
    const clock = manualClock();
    const { keys, verifier } = await warmVerifier(clock);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => tokenWithKid(randomUUID())));
    clock.advance(31);
    const errors = await Promise.all(tokens.map((t) => rejection(verifier.verify(t))));
    for (const e of errors) expectInvalidToken(e, 'KEY_NOT_FOUND');
    expect(keys.requests).toHaveLength(2);
    // Known keys are unaffected.
    await expect(verifier.verify(await ecIssuer.sign({ sub: 'ok' }))).resolves.toMatchObject({ id: 'ok' });
  });

  test('1000 unknown kids spread over 10 minutes: at most one fetch per cooldown', async () => {
    const clock = manualClock();
    const { keys, verifier } = await warmVerifier(clock);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => tokenWithKid(randomUUID())));
    for (const token of tokens) {
      clock.advance(0.6);
      expectInvalidToken(await rejection(verifier.verify(token)), 'KEY_NOT_FOUND');
    }
    // 600 s / 30 s cooldown = 20 refetches, plus the first fetch and one regular refresh at maxAge.
    expect(keys.requests.length).toBeLessThanOrEqual(22);
    expect(keys.requests.length).toBeGreaterThan(1);
  });

  test('an unknown kid while the server is failing is an outage (503), not a bad token', async () => {
    const clock = manualClock();
    const { keys, verifier } = await warmVerifier(clock);
    keys.behave(status(500));
    clock.advance(31);
    expectKeysUnavailable(await rejection(verifier.verify(await tokenWithKid('new-key'))));
    // Known keys keep working meanwhile.
    await expect(verifier.verify(await ecIssuer.sign({ sub: 'ok' }))).resolves.toMatchObject({ id: 'ok' });
  });
});

describe('concurrency', () => {
  test('100 concurrent cold verifications make exactly one fetch', async () => {
    const keys = await server(issuerKeys(issuer));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => issuer.sign({ sub: `user-${i}` })));
    const users = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(users.map((u) => u.id)).toEqual(tokens.map((_, i) => `user-${i}`));
    expect(keys.requests).toEqual([jwksPath]);
  });

  test('100 concurrent cold verifications against a failing server make one fetch and all get 503', async () => {
    const keys = await server(status(500));
    const verifier = createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    const token = await issuer.sign();
    const errors = await Promise.all(Array.from({ length: 100 }, () => rejection(verifier.verify(token))));
    for (const e of errors) expectKeysUnavailable(e);
    expect(keys.requests).toHaveLength(1);
  });
});

describe('key source configuration', () => {
  for (const uri of [
    'http://example.com/jwks.json',
    'http://keys.localhost/jwks.json',
    'http://127.0.0.1.example.com/jwks.json',
    'ftp://127.0.0.1/jwks.json',
    'https://user:pass@example.com/jwks.json',
    'not a url',
  ]) {
    test(`refuses ${uri}`, () => {
      expect(() => createVerifier({ audience: 'api', jwksUri: uri })).toThrow(GatehouseConfigError);
    });
  }

  for (const uri of ['https://example.com/jwks.json', 'http://localhost:1/jwks', 'http://[::1]:1/jwks']) {
    test(`accepts ${uri}`, () => {
      expect(() => createVerifier({ audience: 'api', jwksUri: uri })).not.toThrow();
    });
  }

  for (const keySet of [{ timeout: -1 }, { maxKeys: Number.NaN }, { cooldown: Number.POSITIVE_INFINITY }]) {
    test(`refuses keySet ${JSON.stringify(keySet)}`, () => {
      expect(() => createVerifier({ audience: 'api', jwksUri: 'https://example.com/jwks', keySet })).toThrow(
        GatehouseConfigError,
      );
    });
  }

  test('nothing is fetched before the first token arrives', async () => {
    const keys = await server(issuerKeys(issuer));
    createVerifier({ audience: 'api', jwksUri: keys.url + jwksPath });
    await new Promise((r) => setTimeout(r, 20));
    expect(keys.requests).toHaveLength(0);
  });
});
