import { createVerifier, GatehouseConfigError } from '@gatehousejs/core';
import { signJwt } from '@gatehousejs/core/testing';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestSchema } from './support/schema.js';
import { type Issued, startIssuer, startYoga, type TestServer } from './support/server.js';
import { type CallerName, signCallers } from './support/tokens.js';

let issued: Issued;
let server: TestServer;
let tokens: Record<CallerName, string>;
const app = buildTestSchema();

beforeAll(async () => {
  issued = await startIssuer();
  server = await startYoga(app.schema, issued.verifier, { yoga: { maskedErrors: { isDev: true } } });
  tokens = await signCallers(issued);
});
afterAll(async () => {
  await server?.close();
  await issued?.issuer.close();
});

type Caller = CallerName | 'anonymous';
const everyone: Caller[] = [
  'anonymous',
  'user',
  'admin',
  'readOnly',
  'reporter',
  'reportAdmin',
  'billingAdmin',
  'billingOnly',
  'uploader',
  'emailReader',
  'upperAdmin',
  'adminPrefix',
];

const MATRIX: { query: string; allowed: Caller[] }[] = [
  { query: '{ health }', allowed: everyone },
  { query: '{ uploadCount }', allowed: everyone },
  { query: '{ users { id name } }', allowed: everyone },
  { query: '{ me { id } }', allowed: everyone.filter((c) => c !== 'anonymous') },
  { query: '{ admin { area } }', allowed: ['admin', 'billingAdmin'] },
  { query: '{ home { area } }', allowed: ['admin', 'readOnly', 'billingAdmin'] },
  { query: '{ reports { id title } }', allowed: ['reporter', 'reportAdmin'] },
  { query: '{ billing }', allowed: ['billingAdmin'] },
  { query: '{ users { email } }', allowed: ['emailReader'] },
  { query: '{ secret { id } }', allowed: ['admin', 'billingAdmin'] },
  { query: '{ weak }', allowed: ['readOnly'] },
];

describe('requirement matrix over HTTP', () => {
  for (const { query, allowed } of MATRIX) {
    for (const caller of everyone) {
      const expected = allowed.includes(caller) ? 'allowed' : caller === 'anonymous' ? '401' : '403';
      test(`${query} as ${caller}: ${expected}`, async () => {
        const before = app.effects.calls.length;
        const res = await server.query(query, { token: caller === 'anonymous' ? undefined : tokens[caller] });
        if (expected === 'allowed') {
          expect(res.status).toBe(200);
          expect(res.body.errors).toBeUndefined();
          expect(res.body.data).toBeTruthy();
          return;
        }
        expect(res.status).toBe(expected === '401' ? 401 : 403);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors).toHaveLength(1);
        const [error] = res.body.errors ?? [];
        if (expected === '401') {
          expect(error).toMatchObject({ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } });
          expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
        } else {
          expect(error).toMatchObject({ message: 'Insufficient permissions', extensions: { code: 'FORBIDDEN' } });
          expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="insufficient_scope"');
        }
        // Rejected before execution: no resolver ran.
        expect(app.effects.calls.length).toBe(before);
      });
    }
  }
});

describe('setup', () => {
  test('yoga refuses a schema that did not go through the transformer', async () => {
    const { makeExecutableSchema } = await import('@graphql-tools/schema');
    const raw = makeExecutableSchema({ typeDefs: 'type Query { a: String }' });
    await expect(startYoga(raw, issued.verifier)).rejects.toThrow(/authDirectiveTransformer/);
  });

  test('useGatehouse needs a verifier', () => {
    expect(() => useGatehouse({} as never)).toThrow(GatehouseConfigError);
  });
});

describe('outcomes for bad, expired and missing credentials', () => {
  test('ctx.user is the verified caller', async () => {
    const res = await server.query('{ me { id name } }', { token: tokens.admin });
    expect(res.body).toEqual({ data: { me: { id: 'admin', name: 'admin' } } });
  });

  test('an anonymous caller may read public fields', async () => {
    const res = await server.query('{ health uploadCount users { name } }');
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  test('a present but invalid token fails even a public field', async () => {
    const forged = await signJwt({
      header: { alg: 'RS256', kid: issued.issuer.currentKid },
      payload: { sub: 'x', iss: issued.issuer.issuer, exp: Math.floor(Date.now() / 1000) + 60 },
      key: await startIssuer().then(async (other) => {
        const key = other.issuer.privateKey();
        await other.issuer.close();
        return key;
      }),
    });
    for (const token of ['not-a-jwt', forged, `${tokens.admin.slice(0, -4)}AAAA`]) {
      const res = await server.query('{ health }', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="invalid_token"');
      expect(res.body).toEqual({
        errors: [{ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
  });

  test('an expired token is refused, public field or not', async () => {
    const expired = await issued.issuer.sign(
      { sub: 'late', roles: ['admin'] },
      { expiresIn: -60, issuedAt: Math.floor(Date.now() / 1000) - 120 },
    );
    const res = await server.query('{ health }', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.text).not.toContain('expired at');
  });

  test('malformed credentials are a 400 BAD_REQUEST', async () => {
    for (const authorization of [
      'Bearer',
      `Bearer ${tokens.admin} ${tokens.admin}`,
      [`Bearer ${tokens.user}`, `Bearer ${tokens.admin}`],
    ]) {
      const res = await server.request({ query: '{ health }' }, { authorization });
      expect(res.status).toBe(400);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="invalid_request"');
      expect(res.json).toEqual({
        errors: [{ message: 'Malformed authorization header', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
  });

  test('another scheme is not silently ignored', async () => {
    const res = await server.request({ query: '{ health }' }, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(res.status).toBe(401);
    expect((res.json as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  test('no usable keys: 503 KEYS_UNAVAILABLE with Retry-After', async () => {
    const down = await startIssuer();
    const jwksUri = down.issuer.jwksUri;
    const token = await down.token({ sub: 'x' });
    await down.issuer.close();
    const verifier = createVerifier({ audience: 'api', jwksUri, keySet: { timeout: 1 } });
    const offline = await startYoga(app.schema, verifier);
    try {
      const res = await offline.query('{ health }', { token });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body).toEqual({
        errors: [{ message: 'Authentication is temporarily unavailable', extensions: { code: 'KEYS_UNAVAILABLE' } }],
      });
    } finally {
      await offline.close();
    }
  });

  test('auth errors carry no stack, reason, role or type name, even in development mode', async () => {
    const responses = await Promise.all([
      server.query('{ billing }', { token: tokens.admin }),
      server.query('{ node(id: "secret-1") { id } }', { token: tokens.user }),
      server.query('{ secret { value } }'),
      server.query('{ health }', { token: 'garbage' }),
    ]);
    for (const res of responses) {
      expect(res.text).not.toMatch(
        /stack|\bat \w|ROLE_MISSING|PERMISSION_MISSING|SIGNATURE|billing:read|admin|Secret|originalError/,
      );
    }
  });

  test('resolver errors that are not about auth pass through unchanged', async () => {
    const masked = await server.query('{ health boom }', { token: tokens.user });
    expect(masked.status).toBe(200);
    expect(masked.body.data).toEqual({ health: 'ok', boom: null });
    // yoga's own masking decides what a non-auth error looks like; Gatehouse leaves it alone.
    expect(masked.body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(masked.body.errors?.[0]?.extensions?.code).not.toBe('FORBIDDEN');

    const unmasked = await startYoga(app.schema, issued.verifier, { yoga: { maskedErrors: false } });
    try {
      const res = await unmasked.query('{ boom }', { token: tokens.user });
      expect(res.body.errors?.[0]).toMatchObject({ message: 'resolver exploded: not an auth problem', path: ['boom'] });
    } finally {
      await unmasked.close();
    }
  });
});
