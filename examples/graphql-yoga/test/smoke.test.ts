import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createGraphQLServer } from '../src/server.js';

let issuer: TestIssuer;
let server: Server;
let url: string;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  server = createGraphQLServer(createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await issuer?.close();
});

async function graphql(query: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, data: body.data, code: body.errors?.[0]?.extensions?.code };
}

test('public fields answer anyone; @auth fields need a token', async () => {
  expect(await graphql('{ health }')).toMatchObject({ status: 200, data: { health: 'ok' } });
  expect(await graphql('{ me { id } }')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  const token = await issuer.sign({ sub: 'u1', tenantId: 't1' });
  expect(await graphql('{ me { id tenantId } }', token)).toMatchObject({
    status: 200,
    data: { me: { id: 'u1', tenantId: 't1' } },
  });
});

test('roles and permissions, on fields and on a protected type', async () => {
  const reader = await issuer.sign({ sub: 'r', permissions: ['reports:admin'] });
  const admin = await issuer.sign({ sub: 'a', roles: ['admin'] });
  expect(await graphql('{ reports }', reader)).toMatchObject({ data: { reports: ['Quarterly revenue'] } });
  expect(await graphql('{ reports }', admin)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  expect(await graphql('{ auditLog { action } }', admin)).toMatchObject({ data: { auditLog: [{ action: 'login' }] } });
  expect(await graphql('{ auditLog { __typename } }', reader)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  expect(await graphql('mutation { publish(title: "x") }', admin)).toMatchObject({ code: 'FORBIDDEN' });
  const editor = await issuer.sign({ sub: 'e', roles: ['editor'] });
  expect(await graphql('mutation { publish(title: "x") }', editor)).toMatchObject({
    data: { publish: 'published: x' },
  });
});

test('an invalid token fails the request even for a public field', async () => {
  expect(await graphql('{ health }', 'not.a.token')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
});
