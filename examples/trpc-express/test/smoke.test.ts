import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from '../src/app.js';
import type { AppRouter } from '../src/router.js';

let issuer: TestIssuer;
let server: Server;
let url: string;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'express-example' });
  const verifier = createVerifier({ jwksUri: issuer.jwksUri, issuer: issuer.issuer, audience: 'express-example' });
  server = await new Promise<Server>((resolve) => {
    const listening = createApp(verifier).listen(0, '127.0.0.1', () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await issuer?.close();
});

const client = (token?: string) =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => {
      if (!(error instanceof TRPCClientError)) return 'not a tRPC error';
      const data = error.data as { code: string; httpStatus: number };
      return `${data.code} ${data.httpStatus}`;
    },
  );

test('tRPC procedures behind Express: any-of permissions, and roles AND permissions', async () => {
  const reader = await issuer.sign({ sub: 'r1', permissions: ['reports:read'] });
  const adminWithoutBilling = await issuer.sign({ sub: 'a1', roles: ['admin'] });
  const adminWithBilling = await issuer.sign({ sub: 'a2', roles: ['admin'], permissions: ['billing:read'] });
  expect(await client().health.query()).toBe('ok');
  expect(await client(reader).reports.query()).toEqual([{ id: 'report-1', title: 'Quarterly revenue' }]);
  expect(await failure(client().reports.query())).toBe('UNAUTHORIZED 401');
  expect(await failure(client(adminWithoutBilling).reports.query())).toBe('FORBIDDEN 403');
  expect(await failure(client(adminWithoutBilling).billing.query())).toBe('FORBIDDEN 403');
  expect(await failure(client(reader).billing.query())).toBe('FORBIDDEN 403');
  expect(await client(adminWithBilling).billing.query()).toBe('Invoices: 3 open');
});

test('the REST route uses withAuthentication with the same verifier', async () => {
  const get = (token?: string) =>
    fetch(`${url}/api/admin`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const anonymous = await get();
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  expect(await anonymous.json()).toEqual({ error: 'UNAUTHENTICATED', message: 'Authentication required' });
  expect((await get(await issuer.sign({ sub: 'v1', roles: ['viewer'] }))).status).toBe(403);
  const wrongAudience = await issuer.sign({ sub: 'a1', roles: ['admin'], aud: 'another-api' });
  expect((await get(wrongAudience)).status).toBe(401);
  const admin = await get(await issuer.sign({ sub: 'a1', roles: ['admin'] }));
  expect(admin.status).toBe(200);
  expect(await admin.json()).toEqual({ area: 'admin', user: 'a1' });
});
