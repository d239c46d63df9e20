import { request as httpRequest } from 'node:http';
import { AUTH_ERROR_MESSAGES, createVerifier } from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext } from '@gatehousejs/trpc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppRouter } from './support/app.js';
import { ADAPTERS, type RunningServer, startServer } from './support/servers.js';

let issuer: TestIssuer;
let stranger: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  stranger = await createTestIssuer({ audience: 'api' });
});
afterAll(async () => {
  await issuer.close();
  await stranger.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: { error?: { message: string; code: number; data: Record<string, unknown> }; result?: { data: unknown } };
}

/** A raw HTTP GET, so that headers (duplicates included) are exactly what we say. */
function get(url: string, headers: Record<string, string | string[]> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(ADAPTERS)('credentials over the %s adapter', (adapter) => {
  let server: RunningServer;
  let devServer: RunningServer;
  beforeAll(async () => {
    const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    server = await startServer(adapter, createAppRouter().router, createGatehouseContext(verifier));
    // isDev would put stacks in error shapes; auth failures must still have none.
    devServer = await startServer(adapter, createAppRouter({ isDev: true }).router, createGatehouseContext(verifier));
  });
  afterAll(async () => {
    await server.close();
    await devServer.close();
  });

  test('no credentials: 401 with a bare challenge; public calls still answer', async () => {
    const res = await get(`${server.url}/me`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.error?.message).toBe(AUTH_ERROR_MESSAGES.NO_CREDENTIALS);
    expect(res.body.error?.data).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    const health = await get(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.result?.data).toBe('ok');
    expect(health.headers['www-authenticate']).toBeUndefined();
  });

  test('lacking a role: 403 insufficient_scope, without naming the role', async () => {
    const res = await get(`${server.url}/billing`, bearer(await issuer.sign({ roles: ['read-only'] })));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="insufficient_scope"');
    expect(res.body.error?.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(res.body.error?.message).toBe(AUTH_ERROR_MESSAGES.FORBIDDEN);
    expect(res.text).not.toMatch(/admin|read-only|billing:read/);
  });

  const badTokens: [string, () => Promise<string>][] = [
    ['expired', () => issuer.sign({}, { expiresIn: -60 })],
    ['not yet valid', () => issuer.sign({}, { notBefore: Math.floor(Date.now() / 1000) + 600 })],
    ['from another issuer', () => stranger.sign({ roles: ['admin'] })],
    ['with the wrong iss', () => issuer.sign({ iss: 'https://evil.example' })],
    [
      'with a tampered payload',
      async () => {
        const [h, , s] = (await issuer.sign({ roles: [] })).split('.');
        const payload = Buffer.from(JSON.stringify({ iss: issuer.issuer, sub: 'x', roles: ['admin'], exp: 2e9 }));
        return `${h}.${payload.toString('base64url')}.${s}`;
      },
    ],
    [
      'signed with alg none',
      async () => signJwt({ header: { alg: 'none' }, payload: { iss: issuer.issuer, sub: 'x', roles: ['admin'] } }),
    ],
    [
      'signed with the public key as an HMAC secret',
      async () =>
        signJwt({
          header: { alg: 'HS256', kid: issuer.currentKid },
          payload: { iss: issuer.issuer, sub: 'x', roles: ['admin'], exp: 2e9 },
          key: issuer.publicKeyPem(),
        }),
    ],
    ['with roles as a string', () => issuer.sign({ roles: 'admin' })],
    ['that is not a JWT', async () => 'not-a-jwt'],
  ];
  test.each(badTokens)('a token %s fails every call, public ones included', async (_, make) => {
    const token = await make();
    for (const path of ['me', 'admin', 'health', 'whoami']) {
      const res = await get(`${devServer.url}/${path}`, bearer(token));
      expect(res.status, path).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_token"');
      expect(res.body.error?.message).toBe(AUTH_ERROR_MESSAGES.INVALID_TOKEN);
      expect(res.body.error?.data.code).toBe('UNAUTHORIZED');
      expect(res.body.error?.data.stack).toBeUndefined();
      expect(res.text).not.toContain(token.slice(0, 20));
      expect(res.text).not.toMatch(/kid|alg|127\.0\.0\.1|issuer|signature|expired at|TRPCError|at .*\.ts/i);
    }
  });

  const malformed: [string, Record<string, string | string[]>][] = [
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['two tokens in one header', { authorization: 'Bearer a.b.c, Bearer d.e.f' }],
    ['two Authorization headers', { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] }],
  ];
  test.each(malformed)('%s: 400 invalid_request, public calls included', async (_, headers) => {
    for (const path of ['me', 'health']) {
      const res = await get(`${server.url}/${path}`, headers);
      expect(res.status, path).toBe(400);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_request"');
      expect(res.body.error?.data.code).toBe('BAD_REQUEST');
      expect(res.body.error?.message).toBe(AUTH_ERROR_MESSAGES.BAD_REQUEST);
    }
  });

  test('two Authorization headers are refused even when both carry the same valid token', async () => {
    const token = await issuer.sign({ roles: ['admin'] });
    const res = await get(`${server.url}/admin`, { authorization: [`Bearer ${token}`, `Bearer ${token}`] });
    expect(res.status).toBe(400);
  });

  test('another scheme is refused, not ignored', async () => {
    const res = await get(`${server.url}/health`, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.status).toBe(401);
    expect(res.body.error?.data.code).toBe('UNAUTHORIZED');
  });

  test('a token in the URL is never read', async () => {
    const token = await issuer.sign({ roles: ['admin'] });
    const res = await get(`${server.url}/admin?access_token=${token}&authorization=Bearer%20${token}`);
    expect(res.status).toBe(401);
  });

  test('a valid token: 200 and no challenge', async () => {
    const res = await get(`${server.url}/admin`, bearer(await issuer.sign({ roles: ['admin'] })));
    expect(res.status).toBe(200);
    expect(res.body.result?.data).toEqual({ area: 'admin' });
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

test('the realm of the verifier is used in challenges', async () => {
  const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer, realm: 'acme' });
  const server = await startServer('fetch', createAppRouter().router, createGatehouseContext(verifier));
  try {
    expect((await get(`${server.url}/me`)).headers['www-authenticate']).toBe('Bearer realm="acme"');
    const expired = await issuer.sign({}, { expiresIn: -60 });
    expect((await get(`${server.url}/me`, bearer(expired))).headers['www-authenticate']).toBe(
      'Bearer realm="acme", error="invalid_token"',
    );
  } finally {
    await server.close();
  }
});

test('authResponseMeta adds the challenge for adapters whose context has no response', async () => {
  const { fetchRequestHandler } = await import('@trpc/server/adapters/fetch');
  const { authResponseMeta } = await import('@gatehousejs/trpc');
  const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  const gatehouseContext = createGatehouseContext(verifier);
  const { router } = createAppRouter();
  const handle = (req: Request) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req,
      router,
      createContext: () => gatehouseContext({ req }), // no resHeaders handed over
      responseMeta: authResponseMeta,
    });
  const denied = await handle(new Request('http://localhost/trpc/me'));
  expect(denied.status).toBe(401);
  expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
  const fine = await handle(new Request('http://localhost/trpc/health'));
  expect(fine.headers.get('www-authenticate')).toBeNull();

  // The challenge names the realm of the context's verifier.
  const acme = createGatehouseContext(
    createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer, realm: 'acme' }),
  );
  const expired = await issuer.sign({}, { expiresIn: -60 });
  const inAcme = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request('http://localhost/trpc/me', { headers: bearer(expired) }),
    router,
    createContext: ({ req }) => acme({ req }),
    responseMeta: authResponseMeta,
  });
  expect(inAcme.status).toBe(401);
  expect(inAcme.headers.get('www-authenticate')).toBe('Bearer realm="acme", error="invalid_token"');
});

test('server-side callers get a context from headers', async () => {
  const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  const { router } = createAppRouter();
  const token = await issuer.sign({ sub: 'caller', roles: ['admin'] });
  const caller = router.createCaller(createGatehouseContext(verifier)({ req: new Headers(bearer(token)) }));
  expect(await caller.admin()).toEqual({ area: 'admin' });
  const anonymous = router.createCaller(createGatehouseContext(verifier)());
  await expect(anonymous.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  expect(await anonymous.health()).toBe('ok');
});
