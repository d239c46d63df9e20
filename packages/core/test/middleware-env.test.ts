import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthenticatedRequest, withAuthentication } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import express from 'express';
import { afterAll, beforeAll, expect, test } from 'vitest';

// In a file of its own: the default verifier is made once per process (per test file here).
const VARIABLES = [
  'GATEHOUSE_JWKS_URI',
  'GATEHOUSE_ISSUER',
  'GATEHOUSE_AUDIENCE',
  'FRONTEGG_CLIENT_ID',
  'FRONTEGG_API_KEY',
];
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders' });
  for (const name of VARIABLES) delete process.env[name];
  process.env.GATEHOUSE_JWKS_URI = issuer.jwksUri;
  process.env.GATEHOUSE_ISSUER = issuer.issuer;
  process.env.GATEHOUSE_AUDIENCE = 'orders';
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await issuer.close();
});

test('without a verifier, withAuthentication uses verifierFromEnv(), made once and shared by every route', async () => {
  const app = express();
  app.get('/me', withAuthentication(), (req, res) => {
    res.json((req as unknown as AuthenticatedRequest).user);
  });
  app.get('/admin', withAuthentication({ roles: ['admin'] }), (_req, res) => {
    res.json({ area: 'admin' });
  });
  // Changing the environment later changes nothing: the verifier already exists.
  process.env.GATEHOUSE_AUDIENCE = 'somebody-else';
  app.get('/reports', withAuthentication({ permissions: ['reports:read'] }), (_req, res) => {
    res.json([]);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const token = await issuer.sign({ sub: 'env-user', roles: ['admin'], permissions: ['reports:read'] });
    const headers = { authorization: `Bearer ${token}` };
    const me = await fetch(`${url}/me`, { headers });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: 'env-user', roles: ['admin'] });
    expect((await fetch(`${url}/admin`, { headers })).status).toBe(200);
    expect((await fetch(`${url}/reports`, { headers })).status).toBe(200);
    // One verifier: one JWKS fetch, then the same verified token from its cache.
    expect(issuer.jwksRequests).toBe(1);
    const wrongAudience = await issuer.sign({ sub: 'env-user', aud: 'somebody-else' });
    const refused = await fetch(`${url}/reports`, { headers: { authorization: `Bearer ${wrongAudience}` } });
    expect(refused.status).toBe(401);
    expect((await fetch(`${url}/me`)).status).toBe(401);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
});
