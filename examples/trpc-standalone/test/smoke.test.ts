import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AppRouter } from '../src/router.js';
import { startServer } from '../src/server.js';

let issuer: TestIssuer;
let server: Server;
let url: string;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  server = await startServer(createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer }), 0);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await issuer?.close();
});

const client = (token?: string) =>
  createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code: string }).code : 'not a tRPC error'),
  );

test('public procedures answer anyone; protected ones need a token', async () => {
  expect(await client().health.query()).toBe('ok');
  expect(await codeOf(client().me.query())).toBe('UNAUTHORIZED');
  const token = await issuer.sign({ sub: 'u1', roles: ['viewer'] });
  expect(await client(token).me.query()).toEqual({ id: 'u1', roles: ['viewer'] });
});

test('meta roles and permissions are enforced, before the input is parsed', async () => {
  const admin = await issuer.sign({ sub: 'a1', roles: ['admin'] });
  const viewer = await issuer.sign({ sub: 'v1', roles: ['viewer'] });
  const uploader = await issuer.sign({ sub: 'u2', permissions: ['uploadFile'] });
  expect(await client(admin).admin.query()).toEqual({ area: 'admin' });
  expect(await codeOf(client(viewer).admin.query())).toBe('FORBIDDEN');
  expect(await codeOf(client().upload.mutate({ name: '' }))).toBe('UNAUTHORIZED');
  expect(await codeOf(client(viewer).upload.mutate({ name: '' }))).toBe('FORBIDDEN');
  expect(await codeOf(client(uploader).upload.mutate({ name: '' }))).toBe('BAD_REQUEST');
  expect(await client(uploader).upload.mutate({ name: 'a.txt' })).toEqual({ name: 'a.txt' });
});

test('a token from another issuer is refused, even on a public procedure', async () => {
  const other = await createTestIssuer({ audience: 'api' });
  try {
    const forged = await other.sign({ sub: 'x', roles: ['admin'], iss: issuer.issuer });
    expect(await codeOf(client(forged).admin.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(client(forged).health.query())).toBe('UNAUTHORIZED');
  } finally {
    await other.close();
  }
});
