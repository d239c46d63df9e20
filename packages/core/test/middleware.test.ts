import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AUTH_ERROR_MESSAGES,
  type AuthenticatedRequest,
  createVerifier,
  GatehouseConfigError,
  type Verifier,
  withAuthentication,
} from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { closedPort, rawHttp } from './verifier-fixtures.js';

let issuer: TestIssuer;
let verifier: Verifier;
let down: Verifier;
let reached: string[];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  verifier = createVerifier({ jwksUri: issuer.jwksUri, issuer: issuer.issuer, audience: 'api' });
  down = createVerifier({ audience: 'api', jwksUri: `http://127.0.0.1:${await closedPort()}/jwks.json` });
});
afterAll(() => issuer.close());
beforeEach(() => {
  reached = [];
});

async function listen(server: Server): Promise<{ url: string; port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function expressApp() {
  const app = express();
  app.get('/me', withAuthentication({ verifier }), (req, res) => {
    reached.push('/me');
    const { user } = req as unknown as AuthenticatedRequest;
    res.json({ user, frozen: Object.isFrozen(user) });
  });
  app.use('/admin', withAuthentication({ roles: ['admin'], verifier }));
  app.get('/admin', (req, res) => {
    reached.push('/admin');
    res.json({ area: 'admin', id: (req as unknown as AuthenticatedRequest).user.id });
  });
  app.get('/reports', withAuthentication({ permissions: ['reports:read', 'reports:admin'], verifier }), (_req, res) => {
    reached.push('/reports');
    res.json([]);
  });
  app.get(
    '/billing',
    withAuthentication({ roles: ['admin'], permissions: ['billing:read'], verifier }),
    (_req, res) => {
      reached.push('/billing');
      res.json('billing');
    },
  );
  app.get('/down', withAuthentication({ verifier: down }), (_req, res) => {
    reached.push('/down');
    res.json('never');
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    reached.push(`error handler: ${String(error)}`);
    res.status(500).json({ error: 'unexpected' });
  });
  return createServer(app);
}

function nodeHttpServer() {
  const me = withAuthentication({ verifier });
  const admin = withAuthentication({ roles: ['admin'], verifier });
  const down503 = withAuthentication({ verifier: down });
  return createServer((req, res) => {
    const guard = req.url?.startsWith('/admin') ? admin : req.url?.startsWith('/down') ? down503 : me;
    void guard(req, res, () => {
      reached.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ user: (req as AuthenticatedRequest).user }));
    });
  });
}

describe.each([
  ['Express 5', expressApp],
  ['node:http', nodeHttpServer],
])('withAuthentication on %s', (_name, build) => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(build());
  });
  afterAll(() => server.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
  const bearer = async (claims: Record<string, unknown>, options?: Parameters<TestIssuer['sign']>[1]) => ({
    authorization: `Bearer ${await issuer.sign(claims, options)}`,
  });

  async function expectRefusal(response: Response, status: number, challenge: string | null, secrets: string[] = []) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(Object.values(AUTH_ERROR_MESSAGES)).toContain(body.message);
    for (const secret of ['at ', 'Error', ...secrets]) expect(text).not.toContain(secret);
    expect(reached).toEqual([]);
    return body;
  }

  test('success: next() runs with req.user set (frozen)', async () => {
    const response = await get('/me', await bearer({ sub: 'u1', roles: ['user'], permissions: ['p'] }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.user).toMatchObject({ id: 'u1', roles: ['user'], permissions: ['p'] });
    if ('frozen' in body) expect(body.frozen).toBe(true);
    expect(reached).toEqual(['/me']);
  });

  test('no credentials: 401 with a bare Bearer challenge', async () => {
    const body = await expectRefusal(await get('/me'), 401, 'Bearer realm="gatehouse"');
    expect(body).toEqual({ error: 'UNAUTHENTICATED', message: AUTH_ERROR_MESSAGES.NO_CREDENTIALS });
  });

  test('any token defect: 401 invalid_token, nothing echoed', async () => {
    const expired = await issuer.sign({ sub: 'u1' }, { expiresIn: -60 });
    const wrongAudience = await issuer.sign({ sub: 'u1', aud: 'other' });
    const forged = `${expired.split('.').slice(0, 2).join('.')}.${'A'.repeat(342)}`;
    for (const token of [expired, wrongAudience, forged, 'garbage', `${expired.slice(0, -2)}`]) {
      const body = await expectRefusal(
        await get('/me', { authorization: `Bearer ${token}` }),
        401,
        'Bearer realm="gatehouse", error="invalid_token"',
        [token, issuer.currentKid, 'RS256', issuer.issuer],
      );
      expect(body).toEqual({ error: 'UNAUTHENTICATED', message: AUTH_ERROR_MESSAGES.INVALID_TOKEN });
    }
  });

  test('malformed credentials: 400 invalid_request (empty Bearer, merged header, duplicate raw headers)', async () => {
    const token = await issuer.sign({ sub: 'u1', roles: ['admin'] });
    for (const authorization of ['Bearer', 'Bearer ', `Bearer ${token}, Bearer ${token}`, `Bearer ${token} ${token}`]) {
      const body = await expectRefusal(
        await get('/admin', { authorization }),
        400,
        'Bearer realm="gatehouse", error="invalid_request"',
        [token],
      );
      expect(body).toEqual({ error: 'BAD_REQUEST', message: AUTH_ERROR_MESSAGES.BAD_REQUEST });
    }
    const raw = await rawHttp(server.port, [
      'GET /admin HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${token}`,
      `authorization: Bearer ${token}`,
    ]);
    expect(raw.status).toBe(400);
    expect(raw.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_request"');
    expect(JSON.parse(raw.body)).toEqual({ error: 'BAD_REQUEST', message: AUTH_ERROR_MESSAGES.BAD_REQUEST });
    expect(reached).toEqual([]);
  });

  test('authenticated without the role: 403 insufficient_scope, without naming the role', async () => {
    const body = await expectRefusal(
      await get('/admin', await bearer({ sub: 'u1', roles: ['user', 'superadmin', 'Admin'] })),
      403,
      'Bearer realm="gatehouse", error="insufficient_scope"',
      ['admin', 'superadmin'],
    );
    expect(body).toEqual({ error: 'FORBIDDEN', message: AUTH_ERROR_MESSAGES.FORBIDDEN });
    const ok = await get('/admin', await bearer({ sub: 'boss', roles: ['admin'] }));
    expect(ok.status).toBe(200);
    expect(reached).toEqual(['/admin']);
  });

  test('a token claim of the wrong type is a 401, never a substring match', async () => {
    await expectRefusal(
      await get('/admin', await bearer({ sub: 'u1', roles: 'superadmin' })),
      401,
      'Bearer realm="gatehouse", error="invalid_token"',
    );
  });

  test('no usable keys: 503 with Retry-After and no challenge', async () => {
    const response = await get('/down', await bearer({ sub: 'u1' }));
    const body = await expectRefusal(response, 503, null, ['127.0.0.1', 'jwks']);
    expect(body).toEqual({ error: 'KEYS_UNAVAILABLE', message: AUTH_ERROR_MESSAGES.KEYS_UNAVAILABLE });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('withAuthentication on Express 5: requirement semantics per route', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(expressApp());
  });
  afterAll(() => server.close());

  const status = async (path: string, claims: Record<string, unknown>) =>
    (
      await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${await issuer.sign({ sub: 'u', ...claims })}` },
      })
    ).status;

  test('permissions any-of; roles AND permissions', async () => {
    expect(await status('/reports', { permissions: ['reports:admin'] })).toBe(200);
    expect(await status('/reports', { permissions: ['reports:write'], roles: ['admin'] })).toBe(403);
    expect(await status('/billing', { roles: ['admin'], permissions: ['billing:read'] })).toBe(200);
    expect(await status('/billing', { roles: ['admin'] })).toBe(403);
    expect(await status('/billing', { permissions: ['billing:read'] })).toBe(403);
    expect(reached).toEqual(['/reports', '/billing']);
  });
});

test('a requirement that can never be met, or a misspelt key, fails when the route is declared', () => {
  expect(() => withAuthentication({ roles: [], verifier })).toThrow(GatehouseConfigError);
  expect(() => withAuthentication({ role: ['admin'], verifier } as never)).toThrow(/unknown key "role"/);
  expect(() => withAuthentication({ roles: 'admin', verifier } as never)).toThrow(GatehouseConfigError);
});

test('a custom realm reaches the response header', async () => {
  const realmVerifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, realm: 'orders' });
  const guard = withAuthentication({ verifier: realmVerifier });
  const server = await listen(createServer((req, res) => void guard(req, res, () => res.end('ok'))));
  try {
    const response = await fetch(server.url);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
  } finally {
    await server.close();
  }
});
