import { createTestIssuer, signJwt } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Demo, startDemo } from '../src/demo.js';
import {
  expectedMatrix,
  graphqlCall,
  observeMatrix,
  restCall,
  tokensFor,
  trpcCall,
  trpcClient,
} from './support/matrix.js';

let demo: Demo;

beforeAll(async () => {
  demo = await startDemo({ port: 0, env: {} });
});

afterAll(async () => {
  await demo?.close();
});

async function devToken(body: unknown): Promise<Response> {
  return fetch(`${demo.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function mint(claims: object): Promise<string> {
  const response = await devToken(claims);
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

describe('embedded dev issuer', () => {
  test('answers /healthz and says which keys it uses', async () => {
    const response = await fetch(`${demo.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', mode: 'embedded' });
    expect(demo.mode).toBe('embedded');
  });

  test('publishes its JWKS at /.well-known/jwks.json, public keys only', async () => {
    const response = await fetch(`${demo.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(privatePart);
  });

  test('POST /dev/token mints a token with the requested claims', async () => {
    const response = await devToken({ sub: 'u-9', roles: ['admin'], permissions: ['billing:read'], tenantId: 't-1' });
    expect(response.status).toBe(200);
    const { accessToken } = (await response.json()) as { accessToken: string };
    const user = await demo.verifier.verify(accessToken);
    expect(user).toMatchObject({ id: 'u-9', roles: ['admin'], permissions: ['billing:read'], tenantId: 't-1' });
    expect(await trpcClient(demo.url, accessToken).me.query()).toEqual({
      id: 'u-9',
      roles: ['admin'],
      permissions: ['billing:read'],
      tenantId: 't-1',
    });
  });

  test.each([
    ['roles that are not a list', { roles: 'admin' }],
    ['an empty role name', { roles: [''] }],
    ['a non-string permission', { permissions: [1] }],
    ['an unknown field', { sub: 'x', admin: true }],
    ['a lifetime over a day', { expiresIn: 90_000 }],
    ['a body that is not an object', [1, 2]],
  ])('POST /dev/token refuses %s with 400', async (_, body) => {
    const response = await devToken(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'BAD_REQUEST' });
  });

  test('POST /dev/token takes a JSON body sent as text, and null for absent claims', async () => {
    const response = await fetch(`${demo.url}/dev/token`, {
      method: 'POST',
      body: JSON.stringify({ sub: 'plain', roles: ['read-only'], tenantId: null }),
    });
    expect(response.status).toBe(200);
    const { accessToken } = (await response.json()) as { accessToken: string };
    const user = await demo.verifier.verify(accessToken);
    expect(user).toMatchObject({ id: 'plain', roles: ['read-only'] });
    expect(user.tenantId).toBeUndefined();
  });

  test('POST /dev/token refuses malformed JSON, form bodies, oversized bodies and other methods', async () => {
    expect((await devToken('{"sub":')).status).toBe(400);
    const form = await fetch(`${demo.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sub=x',
    });
    expect(form.status).toBe(415);
    const tooLarge = await devToken({ sub: 'x', roles: Array.from({ length: 3000 }, (_, i) => `role-${i}`) });
    expect(tooLarge.status).toBe(413);
    expect((await fetch(`${demo.url}/dev/token`)).status).toBe(405);
  });

  test('GraphQL me is the caller as a User; tRPC me has roles, permissions and tenantId', async () => {
    const token = await mint({ sub: 'u-7', name: 'Grace', roles: ['read-only'], tenantId: 't-2' });
    const answer = await graphqlCall(demo.url, token, '{ me { id name } }');
    expect(answer.body).toEqual({ data: { me: { id: 'u-7', name: 'Grace' } } });
    expect(await trpcClient(demo.url, token).me.query()).toEqual({
      id: 'u-7',
      roles: ['read-only'],
      permissions: [],
      tenantId: 't-2',
    });
  });
});

test('the full matrix: every persona through tRPC, GraphQL and REST', async () => {
  const tokens = await tokensFor((claims) => mint(claims));
  expect(await observeMatrix(demo.url, tokens)).toEqual(expectedMatrix());
});

describe('attacks', () => {
  test('a token signed by another issuer is refused everywhere, public routes included', async () => {
    const other = await createTestIssuer({ issuer: `http://localhost:${demo.port}`, audience: 'gatehouse-demo' });
    try {
      const forged = await other.sign({ sub: 'x', roles: ['admin'], permissions: ['billing:read'] });
      expect(await trpcCall(() => trpcClient(demo.url, forged).health.query())).toEqual({ outcome: 'UNAUTHENTICATED' });
      expect(await trpcCall(() => trpcClient(demo.url, forged).admin.query())).toEqual({ outcome: 'UNAUTHENTICATED' });
      expect((await graphqlCall(demo.url, forged, '{ health }')).outcome).toBe('UNAUTHENTICATED');
      const rest = await restCall(demo.url, forged, 'GET', '/api/admin');
      expect(rest.status).toBe(401);
      expect(rest.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      await other.close();
    }
  });

  test('alg "none", an expired token and a tampered payload are refused', async () => {
    const valid = await mint({ sub: 'u-1', roles: ['user'] });
    const [header, , signature] = valid.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'u-1', roles: ['admin'], exp: 9e9 })).toString('base64url');
    const tampered = `${header}.${payload}.${signature}`;
    const none = signJwt({ header: { alg: 'none', typ: 'JWT' }, payload: { sub: 'u-1', roles: ['admin'] } });
    const expired = demo.devIssuer ? await demo.devIssuer.issuer.sign({ roles: ['admin'] }, { expiresIn: -3600 }) : '';
    for (const token of [tampered, none, expired]) {
      expect((await restCall(demo.url, token, 'GET', '/api/admin')).status).toBe(401);
      expect((await trpcCall(() => trpcClient(demo.url, token).admin.query())).outcome).toBe('UNAUTHENTICATED');
      expect((await graphqlCall(demo.url, token, '{ admin { area } }')).outcome).toBe('UNAUTHENTICATED');
    }
  });

  test('a token for another audience is refused', async () => {
    const token = await demo.devIssuer?.issuer.sign({ roles: ['admin'], aud: 'another-api' });
    expect((await restCall(demo.url, token, 'GET', '/api/admin')).status).toBe(401);
  });

  test('two credentials or an empty Bearer are a bad request, not anonymous', async () => {
    const token = await mint({ roles: ['admin'] });
    for (const authorization of ['Bearer ', `Bearer ${token} ${token}`]) {
      const response = await fetch(`${demo.url}/api/admin`, { headers: { authorization } });
      expect(response.status).toBe(400);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
      const trpc = await fetch(`${demo.url}/trpc/health`, { headers: { authorization } });
      expect(trpc.status).toBe(400);
    }
  });

  test('an unauthenticated caller never sees input validation or reaches the store', async () => {
    const before = await trpcClient(demo.url).uploads.count.query();
    expect(await trpcCall(() => trpcClient(demo.url).uploads.create.mutate({ name: '' }))).toEqual({
      outcome: 'UNAUTHENTICATED',
    });
    const rest = await restCall(demo.url, undefined, 'POST', '/api/uploads', { name: '' });
    expect(rest.status).toBe(401);
    const reader = await mint({ permissions: ['reports:read'] });
    expect((await graphqlCall(demo.url, reader, 'mutation { uploadFile(name: "x") { id } }')).outcome).toBe(
      'FORBIDDEN',
    );
    expect(await trpcClient(demo.url).uploads.count.query()).toBe(before);
  });

  test('an uploader gets validation errors for bad input, and nothing is stored', async () => {
    const uploader = await mint({ permissions: ['uploadFile'] });
    const before = await trpcClient(demo.url).uploads.count.query();
    expect(await trpcCall(() => trpcClient(demo.url, uploader).uploads.create.mutate({ name: '' }))).toEqual({
      outcome: 'BAD_REQUEST',
    });
    expect(
      (await trpcCall(() => trpcClient(demo.url, uploader).uploads.create.mutate({ name: 'x'.repeat(101) }))).outcome,
    ).toBe('BAD_REQUEST');
    expect((await restCall(demo.url, uploader, 'POST', '/api/uploads', { name: '' })).status).toBe(400);
    expect((await restCall(demo.url, uploader, 'POST', '/api/uploads', { name: 7 })).status).toBe(400);
    const gql = await graphqlCall(demo.url, uploader, 'mutation { uploadFile(name: "") { id } }');
    expect(gql.outcome).toBe('BAD_USER_INPUT');
    expect(await trpcClient(demo.url).uploads.count.query()).toBe(before);
  });

  test('a non-admin cannot learn that a secret exists through node() or search()', async () => {
    const user = await mint({ roles: ['user'] });
    for (const query of [
      '{ node(id: "secret-1") { __typename id } }',
      '{ search(term: "secret") { __typename } }',
      '{ search(term: "") { ... on User { id } } }',
    ]) {
      const answer = await graphqlCall(demo.url, user, query);
      expect(answer.outcome).toBe('FORBIDDEN');
      expect(JSON.stringify(answer.body)).not.toMatch(/Secret|vault/);
    }
  });

  test('auth errors carry no stack, token contents or requirement names', async () => {
    const user = await mint({ roles: ['user'] });
    const trpc = await fetch(`${demo.url}/trpc/billing`, { headers: { authorization: `Bearer ${user}` } });
    const gql = await graphqlCall(demo.url, user, '{ billing }');
    const rest = await fetch(`${demo.url}/api/billing`, { headers: { authorization: `Bearer ${user}` } });
    for (const text of [await trpc.text(), JSON.stringify(gql.body), await rest.text()]) {
      expect(text).not.toMatch(/billing:read|admin|stack|at .*\.ts/);
      expect(text).toContain('Insufficient permissions');
    }
  });
});

describe('routes', () => {
  test('the page and its tRPC client modules are served; nothing outside them is', async () => {
    const page = await fetch(`${demo.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('importmap');
    const client = await fetch(`${demo.url}/vendor/@trpc/client/index.mjs`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toContain('javascript');
    for (const path of [
      '/vendor/@trpc/client/../package.json',
      '/vendor/@trpc/client/%2e%2e/%2e%2e/zod/index.mjs',
      '/vendor/@trpc/server/../../../../package.json',
      '/vendor/zod/index.mjs',
      '/public/app.js',
    ]) {
      expect((await fetch(`${demo.url}${path}`)).status, path).toBe(404);
    }
  });

  test('a REST route answers 405 to another method, after authentication', async () => {
    const admin = await mint({ roles: ['admin'] });
    expect((await fetch(`${demo.url}/api/admin`, { method: 'DELETE' })).status).toBe(401);
    const response = await fetch(`${demo.url}/api/admin`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  test('unknown paths are 404', async () => {
    expect((await fetch(`${demo.url}/nope`)).status).toBe(404);
    expect((await fetch(`${demo.url}/api/nope`)).status).toBe(404);
  });
});
