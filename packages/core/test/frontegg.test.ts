import {
  type AuthDecision,
  createVerifier,
  GatehouseConfigError,
  optionsFromEnv,
  type Verifier,
  verifierFromEnv,
} from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { expectInvalidToken, expectKeysUnavailable, rejection } from './keys-helpers.js';
import { type FronteggGateway, manualClock, startFronteggGateway } from './keys-servers.js';
import { closedPort } from './verifier-fixtures.js';

const CLIENT_ID = 'c0ffee00-1111-2222-3333-444455556666';
const API_KEY = 'sk-live-0123456789abcdef-very-secret';

let issuer: TestIssuer;
const gateways: FronteggGateway[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false });
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});
afterAll(() => issuer.close());

async function gateway(expiresIn?: number): Promise<FronteggGateway> {
  const g = await startFronteggGateway({
    clientId: CLIENT_ID,
    apiKey: API_KEY,
    publicKeyPem: () => issuer.publicKeyPem(),
    expiresIn,
  });
  gateways.push(g);
  return g;
}

const fronteggToken = (claims: Record<string, unknown> = {}) =>
  issuer.sign({
    sub: 'user-1',
    roles: ['admin'],
    permissions: ['reports:read'],
    tenantId: 'tenant-1',
    type: 'userToken',
    ...claims,
  });

/** Everything about a failure that could reach a log or a client. */
function everythingSaid(verifier: Verifier, error: unknown, decisions: AuthDecision[] = []): string {
  const e = error as Error & { toJSON?: () => unknown };
  return [
    e.message,
    e.stack,
    String(e),
    JSON.stringify(e),
    JSON.stringify(e.toJSON?.()),
    JSON.stringify(Object.entries(e)),
    JSON.stringify(verifier.keyStatus()),
    JSON.stringify(decisions),
  ].join('\n');
}

describe('Frontegg vendor flow', () => {
  test('happy path: one sign-in, one key fetch, Frontegg claims become the user', async () => {
    const g = await gateway();
    const verifier = createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url } });
    const user = await verifier.verify(await fronteggToken());
    expect(user).toMatchObject({
      id: 'user-1',
      roles: ['admin'],
      permissions: ['reports:read'],
      tenantId: 'tenant-1',
      type: 'userToken',
    });
    await verifier.verify(await fronteggToken({ sub: 'user-2' }));
    expect([g.vendorCalls, g.keyCalls]).toEqual([1, 1]);
    expect(g.vendorBodies.map((b) => JSON.parse(b))).toEqual([{ clientId: CLIENT_ID, secret: API_KEY }]);
  });

  test('concurrent first requests share one vendor call and one key fetch', async () => {
    const g = await gateway();
    const verifier = createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url } });
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => fronteggToken({ sub: `u${i}` })));
    const users = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(users.map((u) => u.id)).toEqual(tokens.map((_, i) => `u${i}`));
    expect([g.vendorCalls, g.keyCalls]).toEqual([1, 1]);
  });

  for (const slash of ['', '/']) {
    test(`a gateway URL with a path prefix${slash ? ' and a trailing slash' : ''}`, async () => {
      const g = await startFronteggGateway({
        clientId: CLIENT_ID,
        apiKey: API_KEY,
        publicKeyPem: () => issuer.publicKeyPem(),
        prefix: '/frontegg',
      });
      gateways.push(g);
      const verifier = createVerifier({
        frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url + slash },
      });
      await expect(verifier.verify(await fronteggToken())).resolves.toBeDefined();
      expect([g.vendorCalls, g.keyCalls]).toEqual([1, 1]);
    });
  }

  test('wrong API key: 503 KEYS_UNAVAILABLE, and the API key appears nowhere', async () => {
    const g = await gateway();
    const wrongKey = 'sk-live-wrong-key-that-must-not-leak';
    const decisions: AuthDecision[] = [];
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: wrongKey, gatewayUrl: g.url },
      onDecision: (d) => decisions.push(d),
    });
    const error = await rejection(verifier.verify(await fronteggToken()));
    expectKeysUnavailable(error);
    expect(g.vendorCalls).toBe(1);
    expect(g.keyCalls).toBe(0);
    const said = everythingSaid(verifier, error, decisions);
    expect(said).not.toContain(wrongKey);
    expect(said).not.toContain(API_KEY);
    expect(verifier.keyStatus()?.lastError).toBe('Frontegg refused the client id and API key');
  });

  test('wrong client id: 503 as well', async () => {
    const g = await gateway();
    const verifier = createVerifier({ frontegg: { clientId: 'other', apiKey: API_KEY, gatewayUrl: g.url } });
    const error = await rejection(verifier.verify(await fronteggToken()));
    expectKeysUnavailable(error);
    expect(everythingSaid(verifier, error)).not.toContain(API_KEY);
  });

  test('gateway down (closed port): 503, the API key appears nowhere', async () => {
    const port = await closedPort();
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: `http://127.0.0.1:${port}/` },
    });
    const error = await rejection(verifier.verify(await fronteggToken()));
    expectKeysUnavailable(error);
    expect(everythingSaid(verifier, error)).not.toContain(API_KEY);
  });

  for (const failure of [500, 502, 'reset'] as const) {
    test(`gateway failing (${failure}): 503`, async () => {
      const g = await gateway();
      g.failWith(failure);
      const verifier = createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url } });
      expectKeysUnavailable(await rejection(verifier.verify(await fronteggToken())));
    });
  }

  test('gateway down when warm: the cached key keeps working within staleIfError', async () => {
    const g = await gateway();
    const clock = manualClock();
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
      now: clock.now,
      keySet: { maxAge: 60, staleIfError: 60 },
    });
    await verifier.verify(await fronteggToken());
    g.failWith(500);
    clock.advance(90);
    await expect(verifier.verify(await fronteggToken({ sub: 'stale' }))).resolves.toMatchObject({ id: 'stale' });
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(1));
    clock.advance(31);
    expectKeysUnavailable(await rejection(verifier.verify(await fronteggToken({ sub: 'late' }))));
  });

  test('the vendor token is renewed before it expires', async () => {
    const g = await gateway(120); // renewed 60 s before expiry
    const clock = manualClock();
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
      now: clock.now,
      keySet: { maxAge: 30 },
    });
    await verifier.verify(await fronteggToken({ sub: 'a' }));
    expect([g.vendorCalls, g.keyCalls]).toEqual([1, 1]);

    clock.advance(31); // key set due for refresh; vendor token still good for 89 s: reused
    await verifier.verify(await fronteggToken({ sub: 'b' }));
    await vi.waitFor(() => expect(g.keyCalls).toBe(2));
    await vi.waitFor(() => expect(verifier.keyStatus()?.fetchedAt).toBe(clock.now()));
    expect(g.vendorCalls).toBe(1);

    clock.advance(31); // 62 s after sign-in: within the renewal margin, a new vendor token first
    await verifier.verify(await fronteggToken({ sub: 'c' }));
    await vi.waitFor(() => expect(g.keyCalls).toBe(3));
    expect(g.vendorCalls).toBe(2);
    expect(g.vendorTokens).toEqual(['vendor-token-1', 'vendor-token-2']);
  });

  test('a short-lived vendor token (less than the margin) is renewed at half its life', async () => {
    const g = await gateway(20);
    const clock = manualClock();
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
      now: clock.now,
      keySet: { maxAge: 5 },
    });
    await verifier.verify(await fronteggToken({ sub: 'a' }));
    clock.advance(6); // refresh due; the token (20 s) is renewed after 10 s: reused
    await verifier.verify(await fronteggToken({ sub: 'b' }));
    await vi.waitFor(() => expect(g.keyCalls).toBe(2));
    expect(g.vendorCalls).toBe(1);
    await vi.waitFor(() => expect(verifier.keyStatus()?.fetchedAt).toBe(clock.now()));
    clock.advance(6);
    await verifier.verify(await fronteggToken({ sub: 'c' }));
    await vi.waitFor(() => expect(g.keyCalls).toBe(3));
    expect(g.vendorCalls).toBe(2);
  });

  test('a vendor token revoked early: the next fetch signs in again', async () => {
    const g = await gateway();
    const clock = manualClock();
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
      now: clock.now,
      keySet: { maxAge: 30, backoff: 1 },
    });
    await verifier.verify(await fronteggToken({ sub: 'a' }));
    g.revokeTokens();
    clock.advance(31);
    await verifier.verify(await fronteggToken({ sub: 'b' })); // refresh fails: 401 on the key
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(1));
    clock.advance(2);
    await verifier.verify(await fronteggToken({ sub: 'c' })); // refresh signs in again
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(0));
    expect(g.vendorCalls).toBe(2);
  });

  test('Frontegg rotates its key: after a refresh, the old key and its cached tokens are refused', async () => {
    const own = await createTestIssuer({ port: false });
    const g = await startFronteggGateway({
      clientId: CLIENT_ID,
      apiKey: API_KEY,
      publicKeyPem: () => own.publicKeyPem(),
    });
    gateways.push(g);
    const clock = manualClock();
    const verifier = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
      now: clock.now,
      keySet: { maxAge: 60 },
    });
    const oldToken = await own.sign({ sub: 'old' });
    await verifier.verify(oldToken);
    own.rotate();
    clock.advance(61);
    await verifier.verify(oldToken); // cached hit; starts the refresh
    await vi.waitFor(() => expect(g.keyCalls).toBe(2));
    await vi.waitFor(() => expect(verifier.keyStatus()?.fetchedAt).toBe(clock.now()));
    expectInvalidToken(await rejection(verifier.verify(oldToken)), 'SIGNATURE_INVALID');
    await expect(verifier.verify(await own.sign({ sub: 'new' }))).resolves.toMatchObject({ id: 'new' });
    await own.close();
  });

  test('only RS256 is accepted', async () => {
    const g = await gateway();
    const verifier = createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url } });
    const es = await createTestIssuer({ port: false, algorithm: 'ES256' });
    expectInvalidToken(await rejection(verifier.verify(await es.sign())), 'ALGORITHM_NOT_ALLOWED');
    await es.close();
    expect(() =>
      createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url }, algorithms: ['PS256'] }),
    ).toThrow(GatehouseConfigError);
  });
});

describe('Frontegg from the environment', () => {
  test('verifierFromEnv with FRONTEGG_CLIENT_ID, FRONTEGG_API_KEY and FRONTEGG_API_GATEWAY_URL', async () => {
    const g = await gateway();
    const verifier = verifierFromEnv({
      FRONTEGG_CLIENT_ID: CLIENT_ID,
      FRONTEGG_API_KEY: API_KEY,
      FRONTEGG_API_GATEWAY_URL: g.url,
    });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => fronteggToken()));
    await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect([g.vendorCalls, g.keyCalls]).toEqual([1, 1]);
  });

  test('the default gateway is https://api.frontegg.com/', () => {
    const options = optionsFromEnv({ FRONTEGG_CLIENT_ID: CLIENT_ID, FRONTEGG_API_KEY: API_KEY });
    expect(options.frontegg?.gatewayUrl).toBe('https://api.frontegg.com/');
    expect(() => verifierFromEnv({ FRONTEGG_CLIENT_ID: CLIENT_ID, FRONTEGG_API_KEY: API_KEY })).not.toThrow();
  });

  test('a plain-http gateway off this machine is refused', () => {
    expect(() =>
      createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: 'http://api.frontegg.com/' } }),
    ).toThrow(GatehouseConfigError);
  });

  test('a missing client id or API key is a configuration error that does not echo the key', () => {
    let error: unknown;
    try {
      verifierFromEnv({ FRONTEGG_API_KEY: API_KEY });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatehouseConfigError);
    expect(String((error as Error).message)).not.toContain(API_KEY);
    expect(() => createVerifier({ frontegg: { clientId: CLIENT_ID, apiKey: '' } })).toThrow(GatehouseConfigError);
  });
});
