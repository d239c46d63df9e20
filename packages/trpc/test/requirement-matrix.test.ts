import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext } from '@gatehousejs/trpc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppRouter, createAppRouter } from './support/app.js';
import { client, outcome } from './support/clients.js';
import { ADAPTERS, type RunningServer, startServer } from './support/servers.js';

type Expect = 'ok' | 'UNAUTHORIZED' | 'FORBIDDEN';
const O = 'ok' as const;
const U = 'UNAUTHORIZED' as const;
const F = 'FORBIDDEN' as const;

const CALLERS: Record<string, Record<string, unknown> | null> = {
  anonymous: null,
  'no role': {},
  admin: { roles: ['admin'] },
  'read-only': { roles: ['read-only'] },
  'Admin (other case)': { roles: ['Admin'] },
  'reports:read': { permissions: ['reports:read'] },
  'reports:admin': { permissions: ['reports:admin'] },
  'billing:read only': { permissions: ['billing:read'] },
  'admin + billing:read': { roles: ['admin'], permissions: ['billing:read'] },
  uploadFile: { permissions: ['uploadFile'] },
  'roles in permissions': { permissions: ['admin'] },
  everything: {
    roles: ['admin', 'read-only'],
    permissions: ['reports:read', 'reports:admin', 'billing:read', 'uploadFile'],
  },
};

// health, me, admin, home, reports, billing, publicWithRole, uploads.create
const MATRIX: Record<keyof typeof CALLERS, Expect[]> = {
  anonymous: [O, U, U, U, U, U, U, U],
  'no role': [O, O, F, F, F, F, F, F],
  admin: [O, O, O, O, F, F, O, F],
  'read-only': [O, O, F, O, F, F, F, F],
  'Admin (other case)': [O, O, F, F, F, F, F, F],
  'reports:read': [O, O, F, F, O, F, F, F],
  'reports:admin': [O, O, F, F, O, F, F, F],
  'billing:read only': [O, O, F, F, F, F, F, F],
  'admin + billing:read': [O, O, O, O, F, O, O, F],
  uploadFile: [O, O, F, F, F, F, F, O],
  'roles in permissions': [O, O, F, F, F, F, F, F],
  everything: [O, O, O, O, O, O, O, O],
};

type Client = ReturnType<typeof client<AppRouter>>;
const PROCEDURES: [string, (c: Client) => Promise<unknown>][] = [
  ['health', (c) => c.health.query()],
  ['me', (c) => c.me.query()],
  ['admin', (c) => c.admin.query()],
  ['home', (c) => c.home.query()],
  ['reports', (c) => c.reports.query()],
  ['billing', (c) => c.billing.query()],
  ['publicWithRole', (c) => c.publicWithRole.query()],
  ['uploads.create', (c) => c.uploads.create.mutate({ name: 'report.pdf' })],
];

let issuer: TestIssuer;
const tokens = new Map<string, string | undefined>();

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  for (const [name, claims] of Object.entries(CALLERS)) {
    tokens.set(name, claims === null ? undefined : await issuer.sign({ sub: `user-${name}`, ...claims }));
  }
});
afterAll(() => issuer.close());

describe.each(ADAPTERS)('requirement matrix over the %s adapter', (adapter) => {
  let server: RunningServer;
  beforeAll(async () => {
    const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    server = await startServer(adapter, createAppRouter().router, createGatehouseContext(verifier));
  });
  afterAll(() => server.close());

  const cases = Object.entries(MATRIX).flatMap(([caller, row]) =>
    PROCEDURES.map(([path, call], i) => ({ caller, path, call, expected: row[i] as Expect })),
  );
  test.each(cases)('$caller → $path: $expected', async ({ caller, call, expected }) => {
    const result = await outcome(() => call(client<AppRouter>(server.url, tokens.get(caller))));
    if (expected === 'ok') {
      expect(result).toMatchObject({ ok: true });
    } else {
      expect(result).toMatchObject({ ok: false, code: expected, httpStatus: expected === 'FORBIDDEN' ? 403 : 401 });
    }
  });
});

test('ctx.user carries the verified caller', async () => {
  const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  const server = await startServer('standalone', createAppRouter().router, createGatehouseContext(verifier));
  try {
    const token = await issuer.sign({ sub: 'u-42', roles: ['admin'], permissions: ['p'], tenantId: 't-1' });
    const c = client<AppRouter>(server.url, token);
    expect(await c.me.query()).toEqual({ id: 'u-42', roles: ['admin'], permissions: ['p'], tenantId: 't-1' });
    expect(await c.whoami.query()).toBe('u-42');
    expect(await client<AppRouter>(server.url).whoami.query()).toBeNull();
  } finally {
    await server.close();
  }
});
