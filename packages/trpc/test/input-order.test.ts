import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext } from '@gatehousejs/trpc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppRouter, createAppRouter } from './support/app.js';
import { client, outcome } from './support/clients.js';
import { ADAPTERS, type RunningServer, startServer } from './support/servers.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
});
afterAll(() => issuer.close());

describe.each(ADAPTERS)('authorization before input parsing (%s adapter)', (adapter) => {
  let server: RunningServer;
  let state: ReturnType<typeof createAppRouter>['state'];
  beforeAll(async () => {
    const app = createAppRouter();
    state = app.state;
    const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    server = await startServer(adapter, app.router, createGatehouseContext(verifier));
  });
  afterAll(() => server.close());

  test('anonymous with invalid input: UNAUTHORIZED, the parser never ran, no validation details', async () => {
    const result = await outcome(() => client<AppRouter>(server.url).uploads.create.mutate({ name: '' }));
    expect(result).toMatchObject({ ok: false, code: 'UNAUTHORIZED', message: 'Authentication required' });
    expect(state.inputParses).toBe(0);
  });

  test('lacking the permission with invalid input: FORBIDDEN, the parser never ran', async () => {
    const token = await issuer.sign({ permissions: ['reports:read'] });
    const result = await outcome(() => client<AppRouter>(server.url, token).uploads.create.mutate({ name: '' }));
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN', message: 'Insufficient permissions' });
    expect(state.inputParses).toBe(0);
  });

  test('anonymous with a body that is not even JSON: UNAUTHORIZED (the raw input is never read)', async () => {
    const res = await fetch(`${server.url}/uploads.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toMatch(/JSON|Unexpected|position|name/);
  });

  test('an authorized caller with invalid input gets the validation error; nothing runs', async () => {
    const token = await issuer.sign({ permissions: ['uploadFile'] });
    const result = await outcome(() => client<AppRouter>(server.url, token).uploads.create.mutate({ name: '' }));
    expect(result).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(state.inputParses).toBe(1);
    expect(state.uploads).toBe(0);
    const created = await client<AppRouter>(server.url, token).uploads.create.mutate({ name: 'a.pdf' });
    expect(created).toEqual({ id: '1', name: 'a.pdf' });
  });
});
