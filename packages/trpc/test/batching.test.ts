import { type AuthDecision, createVerifier } from '@gatehousejs/core';
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

describe.each(ADAPTERS)('batches over the %s adapter', (adapter) => {
  let server: RunningServer;
  const decisions: AuthDecision[] = [];
  beforeAll(async () => {
    // No token cache: every verification is a real one, and reported.
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: issuer.jwksUri,
      issuer: issuer.issuer,
      cache: false,
      onDecision: (d) => decisions.push(d),
    });
    server = await startServer(adapter, createAppRouter().router, createGatehouseContext(verifier));
  });
  afterAll(() => server.close());
  const verifications = () => decisions.filter((d) => d.type === 'authenticated' || d.type === 'rejected').length;

  test('an anonymous batch mixing public and protected calls: the public calls succeed', async () => {
    const c = client<AppRouter>(server.url, undefined, true);
    const [health, me, count, admin] = await Promise.all([
      outcome(() => c.health.query()),
      outcome(() => c.me.query()),
      outcome(() => c.uploads.count.query()),
      outcome(() => c.admin.query()),
    ]);
    expect(health).toEqual({ ok: true, data: 'ok' });
    expect(count).toEqual({ ok: true, data: 0 });
    expect(me).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    expect(admin).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
  });

  test('the token is verified once per request, shared by every call of the batch', async () => {
    const token = await issuer.sign({ roles: ['admin'], permissions: ['reports:read'] });
    const c = client<AppRouter>(server.url, token, true);
    const before = verifications();
    const results = await Promise.all([
      c.me.query(),
      c.admin.query(),
      c.home.query(),
      c.reports.query(),
      c.whoami.query(),
      c.health.query(),
    ]);
    expect(results).toHaveLength(6);
    expect(verifications() - before).toBe(1);
    await Promise.all([c.me.query(), c.admin.query()]);
    expect(verifications() - before).toBe(2);
  });

  test('a procedure that does not need the caller never causes a verification', async () => {
    const before = verifications();
    const c = client<AppRouter>(server.url, 'not-even-a-jwt', true);
    expect(await Promise.all([c.unchecked.query(), c.unchecked.query()])).toEqual(['no check', 'no check']);
    expect(verifications() - before).toBe(0);
  });

  test('an invalid token fails every call of a batch, public ones included, with one verification', async () => {
    const before = verifications();
    const token = await issuer.sign({ roles: ['admin'] }, { expiresIn: -60 });
    const c = client<AppRouter>(server.url, token, true);
    const results = await Promise.all([
      outcome(() => c.health.query()),
      outcome(() => c.whoami.query()),
      outcome(() => c.admin.query()),
    ]);
    for (const result of results) expect(result).toMatchObject({ ok: false, code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(verifications() - before).toBe(1);
  });

  test('a batch where one call is forbidden: the others succeed; 207 with the challenge', async () => {
    const token = await issuer.sign({ roles: ['read-only'] });
    const c = client<AppRouter>(server.url, token, true);
    const [home, admin] = await Promise.all([outcome(() => c.home.query()), outcome(() => c.admin.query())]);
    expect(home).toEqual({ ok: true, data: { area: 'home' } });
    expect(admin).toMatchObject({ ok: false, code: 'FORBIDDEN', httpStatus: 403 });
    const raw = await fetch(`${server.url}/home,admin?batch=1&input={}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(raw.status).toBe(207);
    expect(raw.headers.get('www-authenticate')).toContain('insufficient_scope');
  });
});
