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
  server = await startYoga(app.schema, issued.verifier, { partialResults: true });
  tokens = await signCallers(issued);
});
afterAll(async () => {
  await server?.close();
  await issued?.issuer.close();
});

const codes = (errors: { extensions?: Record<string, unknown> }[] | undefined) =>
  (errors ?? []).map((e) => e.extensions?.code);

describe('partial results', () => {
  test('denied fields are null with an error each; the rest is returned', async () => {
    const res = await server.query('{ health home { area } billing admin { area } }', { token: tokens.readOnly });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ health: 'ok', home: { area: 'home' }, billing: null, admin: null });
    expect(codes(res.body.errors)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(res.body.errors?.map((e) => e.path)).toEqual([['billing'], ['admin']]);
    expect(app.effects.calls).not.toContain('billing');
  });

  test('anonymous callers get UNAUTHENTICATED per field', async () => {
    const res = await server.query('{ health me { id } }');
    expect(res.body.data).toEqual({ health: 'ok', me: null });
    expect(codes(res.body.errors)).toEqual(['UNAUTHENTICATED']);
  });

  test('nullable protected fields inside lists', async () => {
    const res = await server.query('{ users { name email } }', { token: tokens.user });
    expect(res.body.data).toEqual({
      users: [
        { name: 'Ada', email: null },
        { name: 'Grace', email: null },
      ],
    });
    expect(res.body.errors?.map((e) => e.path)).toEqual([
      ['users', 0, 'email'],
      ['users', 1, 'email'],
    ]);
  });

  test('a denied non-null field nulls its nearest nullable parent', async () => {
    const nonNull = await server.query('{ health vault { label code } }', { token: tokens.user });
    expect(nonNull.body.data).toEqual({ health: 'ok', vault: null });
    expect(nonNull.body.errors).toEqual([
      expect.objectContaining({ path: ['vault', 'code'], extensions: { code: 'FORBIDDEN' } }),
    ]);
    const nullable = await server.query('{ vault { label pin } }', { token: tokens.user });
    expect(nullable.body.data).toEqual({ vault: { label: 'main', pin: null } });
  });

  test('a denied root mutation never runs, and non-null propagation reaches data', async () => {
    const before = app.effects.uploads;
    const res = await server.query('mutation { uploadFile(name: "x") { id } }', { token: tokens.user });
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(codes(res.body.errors)).toEqual(['FORBIDDEN']);
    expect(app.effects.uploads).toBe(before);
  });

  test('a mutation returning a protected type is denied before its resolver runs', async () => {
    const before = app.effects.secretsCreated;
    const res = await server.query('mutation { createSecret(value: "x") { id } }', { token: tokens.user });
    expect(res.body.data).toEqual({ createSecret: null });
    expect(app.effects.secretsCreated).toBe(before);
  });

  test('allowed callers see everything, no errors', async () => {
    const res = await server.query('{ billing vault { code pin } secret { value } }', { token: tokens.billingAdmin });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toMatchObject({ billing: 'billing', vault: { code: '1234', pin: '99' } });
  });

  test('a bad token still fails the whole request', async () => {
    const res = await server.query('{ health }', { token: 'bad' });
    expect(res.status).toBe(401);
  });
});
