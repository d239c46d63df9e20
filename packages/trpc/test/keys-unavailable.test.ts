import { AUTH_ERROR_MESSAGES, createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext } from '@gatehousejs/trpc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppRouter } from './support/app.js';
import { ADAPTERS, closedPort, type RunningServer, startServer } from './support/servers.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
});
afterAll(() => issuer.close());

describe.each(ADAPTERS)('key source down (%s adapter)', (adapter) => {
  let server: RunningServer;
  beforeAll(async () => {
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: `http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`,
      issuer: issuer.issuer,
    });
    server = await startServer(adapter, createAppRouter().router, createGatehouseContext(verifier));
  });
  afterAll(() => server.close());

  test('a protected call answers 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    const token = await issuer.sign({ roles: ['admin'] });
    const res = await fetch(`${server.url}/admin`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('www-authenticate')).toBeNull();
    const body = (await res.json()) as { error: { code: number; message: string; data: Record<string, unknown> } };
    expect(body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
    expect(body.error.code).toBe(-32603); // the INTERNAL_SERVER_ERROR class of JSON-RPC codes
    expect(body.error.message).toBe(AUTH_ERROR_MESSAGES.KEYS_UNAVAILABLE);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|jwks|fetch/i);
  });

  test('a public call without a token still answers; with one it cannot be checked: 503', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const token = await issuer.sign({});
    expect((await fetch(`${server.url}/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(503);
  });
});
