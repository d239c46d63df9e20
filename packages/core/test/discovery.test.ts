import { createVerifier, GatehouseConfigError, verifierFromEnv } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { expectKeysUnavailable, rejection } from './keys-helpers.js';
import { type Behavior, hang, json, type KeyServer, manualClock, startKeyServer, status } from './keys-servers.js';

const DISCOVERY = '/.well-known/openid-configuration';
let signer: TestIssuer;
const servers: KeyServer[] = [];

beforeAll(async () => {
  signer = await createTestIssuer({ audience: 'api', port: false });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => signer.close());

/** An issuer at `url` whose discovery document is `document(url)` and whose JWKS is at `/keys`. */
async function oidcServer(document: (url: string) => unknown, jwks: Behavior = json(signer.jwks())) {
  let url = '';
  const s = await startKeyServer((req, res) => {
    if (req.url === DISCOVERY) return json(document(url))(req, res);
    if (req.url === '/keys') return jwks(req, res);
    status(404)(req, res);
  });
  url = s.url;
  servers.push(s);
  return s;
}

const signAs = (iss: string, claims: Record<string, unknown> = {}) => signer.sign({ iss, ...claims });

describe('OIDC discovery from the issuer alone', () => {
  test('works with createTestIssuer', async () => {
    const issuer = await createTestIssuer({ audience: 'api' });
    try {
      const verifier = createVerifier({ audience: 'api', issuer: issuer.issuer });
      await expect(verifier.verify(await issuer.sign({ sub: 'alice', roles: ['admin'] }))).resolves.toMatchObject({
        id: 'alice',
        roles: ['admin'],
      });
      expect(issuer.jwksRequests).toBe(1);
      // iss is still checked exactly.
      const other = await issuer.sign({ iss: `${issuer.issuer}/` });
      expect((await rejection(verifier.verify(other))).reason).toBe('ISSUER_MISMATCH');
    } finally {
      await issuer.close();
    }
  });

  test('works through verifierFromEnv with GATEHOUSE_ISSUER (and GATEHOUSE_AUDIENCE)', async () => {
    const issuer = await createTestIssuer({ audience: 'api' });
    try {
      const verifier = verifierFromEnv({ GATEHOUSE_ISSUER: issuer.issuer, GATEHOUSE_AUDIENCE: 'api' });
      await expect(verifier.verify(await issuer.sign({ sub: 'bob' }))).resolves.toMatchObject({ id: 'bob' });
    } finally {
      await issuer.close();
    }
  });

  test('100 concurrent cold verifications: one discovery request, one JWKS request', async () => {
    const s = await oidcServer((url) => ({ issuer: url, jwks_uri: `${url}/keys` }));
    const verifier = createVerifier({ audience: 'api', issuer: s.url });
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => signAs(s.url, { sub: `u${i}` })));
    const users = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(users.map((u) => u.id)).toEqual(tokens.map((_, i) => `u${i}`));
    expect(s.requests).toEqual([DISCOVERY, '/keys']);
  });

  test('an issuer URL with a path: the document is under it', async () => {
    let url = '';
    const s = await startKeyServer((req, res) => {
      if (req.url === `/realms/demo${DISCOVERY}`)
        return json({ issuer: `${url}/realms/demo`, jwks_uri: `${url}/k` })(req, res);
      if (req.url === '/k') return json(signer.jwks())(req, res);
      status(404)(req, res);
    });
    url = s.url;
    servers.push(s);
    const verifier = createVerifier({ audience: 'api', issuer: `${s.url}/realms/demo` });
    await expect(verifier.verify(await signAs(`${s.url}/realms/demo`))).resolves.toBeDefined();
  });

  test('the document is read again when the key set cannot be fetched, so moved keys are followed', async () => {
    const clock = manualClock();
    const s = await oidcServer((url) => ({ issuer: url, jwks_uri: `${url}/keys` }));
    const verifier = createVerifier({
      audience: 'api',
      issuer: s.url,
      now: clock.now,
      keySet: { maxAge: 60, backoff: 0 },
    });
    await verifier.verify(await signAs(s.url));
    s.behave((req, res) => {
      if (req.url === DISCOVERY) return json({ issuer: s.url, jwks_uri: `${s.url}/moved` })(req, res);
      if (req.url === '/moved') return json(signer.jwks())(req, res);
      status(404)(req, res);
    });
    clock.advance(61);
    await verifier.verify(await signAs(s.url, { sub: 'stale-1' })); // background refresh: old location, 404
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(1));
    await verifier.verify(await signAs(s.url, { sub: 'stale-2' })); // background refresh: rediscovers
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(0));
    expect(s.requests).toEqual([DISCOVERY, '/keys', '/keys', DISCOVERY, '/moved']);
  });
});

describe('a discovery document that cannot be trusted', () => {
  test('it names another issuer → 503, and its jwks_uri is never fetched', async () => {
    const s = await oidcServer(() => ({ issuer: 'https://evil.example.com', jwks_uri: 'http://127.0.0.1:1/keys' }));
    const verifier = createVerifier({ audience: 'api', issuer: s.url });
    expectKeysUnavailable(await rejection(verifier.verify(await signAs(s.url))));
    expect(s.requests).toEqual([DISCOVERY]);
    expect(verifier.keyStatus()?.lastError).toBe('discovery document names another issuer');
  });

  test('an issuer that differs only by a trailing slash is another issuer → 503', async () => {
    const s = await oidcServer((url) => ({ issuer: `${url}/`, jwks_uri: `${url}/keys` }));
    const verifier = createVerifier({ audience: 'api', issuer: s.url });
    expectKeysUnavailable(await rejection(verifier.verify(await signAs(s.url))));
  });

  for (const jwksUri of [
    'http://example.com/keys',
    'http://keys.localhost/keys',
    'ftp://127.0.0.1/keys',
    'https://user:secret@example.com/keys',
    'not a url',
  ]) {
    test(`jwks_uri ${jwksUri} is refused → 503`, async () => {
      const s = await oidcServer((url) => ({ issuer: url, jwks_uri: jwksUri }));
      const verifier = createVerifier({ audience: 'api', issuer: s.url });
      expectKeysUnavailable(await rejection(verifier.verify(await signAs(s.url))));
      expect(s.requests).toEqual([DISCOVERY]);
      expect(verifier.keyStatus()?.lastError).toBe('discovery document has an unusable jwks_uri');
    });
  }

  for (const [name, document] of [
    ['no jwks_uri', (url: string) => ({ issuer: url })],
    ['a jwks_uri that is not a string', (url: string) => ({ issuer: url, jwks_uri: [`${url}/keys`] })],
    ['not an object', () => 'nope'],
  ] as const) {
    test(`${name} → 503`, async () => {
      const s = await oidcServer(document);
      const verifier = createVerifier({ audience: 'api', issuer: s.url });
      expectKeysUnavailable(await rejection(verifier.verify(await signAs(s.url))));
    });
  }

  test('the discovery endpoint down, slow or failing → 503', async () => {
    for (const behavior of [status(500), hang, json('<html>')]) {
      const s = await startKeyServer(behavior);
      servers.push(s);
      const verifier = createVerifier({ audience: 'api', issuer: s.url, keySet: { timeout: 0.2 } });
      expectKeysUnavailable(await rejection(verifier.verify(await signAs(s.url))));
    }
  });

  test('the issuer itself must be https or loopback http', () => {
    expect(() => createVerifier({ audience: 'api', issuer: 'http://issuer.example.com' })).toThrow(
      GatehouseConfigError,
    );
    expect(() => createVerifier({ audience: 'api', issuer: 'issuer' })).toThrow(GatehouseConfigError);
    expect(() => createVerifier({ audience: 'api', issuer: 'https://issuer.example.com' })).not.toThrow();
  });

  test('several issuers and no key source is a configuration error', () => {
    expect(() =>
      createVerifier({ audience: 'api', issuer: ['https://a.example.com', 'https://b.example.com'] }),
    ).toThrow(GatehouseConfigError);
  });
});
