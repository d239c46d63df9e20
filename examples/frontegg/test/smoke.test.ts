import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatehouseConfigError } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FronteggGateway, startFronteggGateway } from '../../demo/test/support/frontegg-gateway.js';
import { createFronteggServer } from '../src/server.js';
import { fronteggVerifier } from '../src/verifier.js';

const CLIENT_ID = 'client-123';
const API_KEY = 'api-key-456';

let issuer: TestIssuer;
let gateway: FronteggGateway;
const servers: Server[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer();
  gateway = await startFronteggGateway({ clientId: CLIENT_ID, apiKey: API_KEY, publicKeyPem: issuer.publicKeyPem });
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await gateway?.close();
  await issuer?.close();
});

async function serve(env: Record<string, string>): Promise<string> {
  const server = createFronteggServer(fronteggVerifier(env));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (url: string, token?: string) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('verifies Frontegg tokens with the public key from the vendor API', async () => {
  const url = await serve({
    FRONTEGG_CLIENT_ID: CLIENT_ID,
    FRONTEGG_API_KEY: API_KEY,
    FRONTEGG_API_GATEWAY_URL: gateway.url,
  });
  const claims = { sub: 'user-1', tenantId: 'tenant-1', type: 'userToken' };
  const admin = await issuer.sign({ ...claims, roles: ['admin'], permissions: ['reports:read'] });
  const member = await issuer.sign({ ...claims, roles: ['member'] });

  const me = await get(`${url}/api/me`, admin);
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ id: 'user-1', tenantId: 'tenant-1', type: 'userToken', roles: ['admin'] });
  expect((await get(`${url}/api/admin`, admin)).status).toBe(200);
  expect(await (await get(`${url}/api/reports`, admin)).json()).toEqual({
    tenantId: 'tenant-1',
    reports: ['report-1'],
  });
  expect((await get(`${url}/api/admin`, member)).status).toBe(403);
  expect((await get(`${url}/api/admin`)).status).toBe(401);
  expect(gateway.keyRequests).toBeGreaterThan(0);
});

test('a wrong API key means no keys: 503 with Retry-After, never a pass', async () => {
  const url = await serve({
    FRONTEGG_CLIENT_ID: CLIENT_ID,
    FRONTEGG_API_KEY: 'wrong-key',
    FRONTEGG_API_GATEWAY_URL: gateway.url,
  });
  const response = await get(`${url}/api/me`, await issuer.sign({ sub: 'user-1', roles: ['admin'] }));
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await response.json()).toEqual({
    error: 'KEYS_UNAVAILABLE',
    message: 'Authentication is temporarily unavailable',
  });
});

test('a missing API key is a configuration error at start', () => {
  expect(() => fronteggVerifier({ FRONTEGG_CLIENT_ID: CLIENT_ID })).toThrow(GatehouseConfigError);
  expect(() => fronteggVerifier({ FRONTEGG_CLIENT_ID: CLIENT_ID })).toThrow(/apiKey/);
});
