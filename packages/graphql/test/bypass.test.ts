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
  server = await startYoga(app.schema, issued.verifier, { yoga: { batching: true } });
  tokens = await signCallers(issued);
});
afterAll(async () => {
  await server?.close();
  await issued?.issuer.close();
});

async function expectRejected(query: string, token: string | undefined, variables?: Record<string, unknown>) {
  const calls = app.effects.calls.length;
  const res = await server.query(query, { token, variables });
  expect(res.status, res.text).toBe(token ? 403 : 401);
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors?.[0]?.extensions?.code).toBe(token ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  expect(app.effects.calls.length, 'no resolver may run').toBe(calls);
  return res;
}

describe('static bypasses are rejected before execution', () => {
  test('aliases', async () => {
    await expectRejected('{ ok: health innocent: admin { area } }', tokens.user);
    await expectRejected('{ health: billing }', tokens.admin);
  });

  test('named fragments, nested and spread twice', async () => {
    await expectRejected(
      `query { ...Outer }
       fragment Outer on Query { health ...Inner ...Inner }
       fragment Inner on Query { reports { id } }`,
      tokens.user,
    );
  });

  test('inline fragments, with and without a type condition', async () => {
    await expectRejected('{ ... { admin { area } } }', tokens.user);
    await expectRejected('{ ... on Query { billing } }', tokens.admin);
  });

  test('nested selections under public fields', async () => {
    await expectRejected('{ users { id name email } }', tokens.user);
    await expectRejected('{ users { ... on User { email } } }', undefined);
    await expectRejected('{ users { ...Mail } } fragment Mail on User { email }', tokens.admin);
  });

  test('a fragment on an interface that spreads a protected type', async () => {
    await expectRejected('{ node(id: "user-1") { id ... on Secret { value } } }', tokens.user);
    await expectRejected(
      '{ node(id: "user-1") { ...N } } fragment N on Node { id ...S } fragment S on Secret { id }',
      tokens.readOnly,
    );
    await expectRejected('{ search(term: "ada") { ... on Secret { __typename } } }', tokens.user);
  });

  test('a fragment on an interface that spreads a protected field of a visible type', async () => {
    await expectRejected('{ node(id: "user-1") { ... on User { email } } }', tokens.user);
    await expectRejected('{ search(term: "ada") { ... on Node { ... on User { email } } } }', tokens.user);
  });

  test('__typename of a protected type selected directly', async () => {
    await expectRejected('{ secret { __typename } }', tokens.user);
  });

  test('a field can never weaken its type rule', async () => {
    // Secret.weakField asks for read-only; the type asks for admin: both must hold.
    await expectRejected('{ secret { weakField } }', tokens.readOnly);
    const res = await server.query('{ secret { weakField } }', { token: tokens.admin });
    expect(res.status).toBe(403);
  });

  test('variables cannot smuggle a field past the check', async () => {
    await expectRejected('query ($id: ID!) { node(id: $id) { ... on User { email } } }', tokens.user, { id: 'user-1' });
  });

  test('the selected operation is the one checked', async () => {
    const document = 'query Open { health } query Closed { admin { area } }';
    const open = await server.query(document, { token: tokens.user, operationName: 'Open' });
    expect(open.body).toEqual({ data: { health: 'ok' } });
    const closed = await server.query(document, { token: tokens.user, operationName: 'Closed' });
    expect(closed.status).toBe(403);
  });
});

describe('@skip and @include', () => {
  const query = 'query ($hide: Boolean!) { health admin @skip(if: $hide) { area } }';
  test('a skipped field is not required', async () => {
    const res = await server.query(query, { token: tokens.user, variables: { hide: true } });
    expect(res.body).toEqual({ data: { health: 'ok' } });
  });
  test('the same document with the field kept is rejected (the verdict depends on the variable)', async () => {
    await expectRejected(query, tokens.user, { hide: false });
    const again = await server.query(query, { token: tokens.user, variables: { hide: true } });
    expect(again.body).toEqual({ data: { health: 'ok' } });
  });
  test('@include, defaults and literals', async () => {
    const withDefault = 'query ($show: Boolean = false) { health billing @include(if: $show) }';
    expect((await server.query(withDefault, { token: tokens.user })).body).toEqual({ data: { health: 'ok' } });
    await expectRejected(withDefault, tokens.user, { show: true });
    await expectRejected('{ health billing @include(if: true) }', tokens.user);
    await expectRejected('{ health ... @skip(if: false) { billing } }', tokens.user);
    const skipped = await server.query('{ health ...B @skip(if: true) } fragment B on Query { billing }', {
      token: tokens.user,
    });
    expect(skipped.body).toEqual({ data: { health: 'ok' } });
  });
  test('both directives: skipped when either says so', async () => {
    const q = 'query ($a: Boolean!, $b: Boolean!) { health admin @include(if: $a) @skip(if: $b) { area } }';
    expect((await server.query(q, { token: tokens.user, variables: { a: true, b: true } })).body).toEqual({
      data: { health: 'ok' },
    });
    await expectRejected(q, tokens.user, { a: true, b: false });
  });
  test('a value that is not a boolean is never read as "skip"', async () => {
    const calls = app.effects.calls.length;
    const res = await server.query(query, { token: tokens.user, variables: { hide: 'true' } });
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(app.effects.calls.length).toBe(calls);
  });
});

describe('run time: interfaces, unions and node(id)', () => {
  test('node(id) of a protected type is null with FORBIDDEN, its type name hidden', async () => {
    const res = await server.query('{ node(id: "secret-1") { id __typename } }', { token: tokens.user });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ node: null });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: 'Insufficient permissions',
        path: ['node'],
        extensions: { code: 'FORBIDDEN' },
      }),
    ]);
    expect(res.text).not.toContain('Secret');
  });

  test('anonymous callers get UNAUTHENTICATED for a protected object behind an interface', async () => {
    const res = await server.query('{ node(id: "secret-1") { __typename } }');
    expect(res.body.data).toEqual({ node: null });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  test('node(id) of a visible type works; an admin sees the protected one', async () => {
    const user = await server.query('{ node(id: "user-1") { id __typename ... on User { name } } }', {
      token: tokens.user,
    });
    expect(user.body).toEqual({ data: { node: { id: 'user-1', __typename: 'User', name: 'Ada' } } });
    const admin = await server.query('{ node(id: "secret-1") { __typename ... on Secret { value } } }', {
      token: tokens.admin,
    });
    expect(admin.body).toEqual({ data: { node: { __typename: 'Secret', value: 'the launch code' } } });
  });

  test("unions: a protected member is null with an error; non-null propagation is the schema's", async () => {
    const visible = await server.query('{ search(term: "a") { __typename ... on User { name } } }', {
      token: tokens.user,
    });
    // "a" matches Ada, Grace: no Secret among them.
    expect(visible.body).toEqual({
      data: {
        search: [
          { __typename: 'User', name: 'Ada' },
          { __typename: 'User', name: 'Grace' },
        ],
      },
    });
    const hidden = await server.query('{ health search(term: "secret") { __typename } }', { token: tokens.user });
    // [SearchResult!]! cannot hold a null: it propagates to `data`, and nothing of the Secret leaks.
    expect(hidden.body.data).toBeNull();
    expect(hidden.body.errors).toEqual([
      expect.objectContaining({ path: ['search', 0], extensions: { code: 'FORBIDDEN' } }),
    ]);
    expect(hidden.text).not.toContain('Secret');
    expect(hidden.text).not.toContain('launch');
    const admin = await server.query('{ search(term: "secret") { __typename } }', { token: tokens.admin });
    expect(admin.body).toEqual({ data: { search: [{ __typename: 'Secret' }] } });
  });

  test('an interface field whose implementation asks for more is guarded per object', async () => {
    const res = await server.query('{ named { name } }', { token: tokens.user });
    expect(res.status).toBe(200);
    // Agent.name is admin-only and non-null: the Agent becomes null, the User stays.
    expect(res.body.data).toEqual({ named: [{ name: 'Ada' }, null] });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['named', 1, 'name'], extensions: { code: 'FORBIDDEN' } }),
    ]);
    const admin = await server.query('{ named { name } }', { token: tokens.admin });
    expect(admin.body).toEqual({ data: { named: [{ name: 'Ada' }, { name: 'Bond' }] } });
  });
});

describe('mutations', () => {
  test('a denied mutation leaves no side effect', async () => {
    const before = app.effects.uploads;
    await expectRejected('mutation { uploadFile(name: "x") { id } }', tokens.user);
    await expectRejected('mutation { uploadFile(name: "x") { id } }', undefined);
    expect(app.effects.uploads).toBe(before);
    expect((await server.query('{ uploadCount }')).body).toEqual({ data: { uploadCount: before } });
  });

  test('serial mutations: a denied second field stops the first from running too', async () => {
    const before = { uploads: app.effects.uploads, purges: app.effects.purges };
    await expectRejected('mutation { first: uploadFile(name: "a") { id } second: purge }', tokens.uploader);
    expect(app.effects.uploads).toBe(before.uploads);
    expect(app.effects.purges).toBe(before.purges);
  });

  test('a mutation returning a protected type is rejected before it commits', async () => {
    const before = app.effects.secretsCreated;
    await expectRejected('mutation { createSecret(value: "x") { id } }', tokens.user);
    await expectRejected('mutation { createSecret(value: "x") { __typename } }', tokens.readOnly);
    expect(app.effects.secretsCreated).toBe(before);
  });

  test('an allowed mutation runs', async () => {
    const before = app.effects.uploads;
    const res = await server.query('mutation { uploadFile(name: "report.pdf") { name } }', { token: tokens.uploader });
    expect(res.body).toEqual({ data: { uploadFile: { name: 'report.pdf' } } });
    expect(app.effects.uploads).toBe(before + 1);
  });
});

describe('batched operations', () => {
  test('each operation is judged on its own; a denied one runs nothing', async () => {
    const before = app.effects.uploads;
    const res = await server.request(
      [
        { query: '{ health }' },
        { query: 'mutation { uploadFile(name: "b") { id } }' },
        { query: '{ admin { area } }' },
        { query: '{ home { area } }' },
      ],
      { token: tokens.readOnly },
    );
    expect(res.status).toBe(200);
    const forbidden = { message: 'Insufficient permissions', extensions: { code: 'FORBIDDEN' } };
    expect(res.json).toEqual([
      { data: { health: 'ok' } },
      { errors: [{ ...forbidden, path: ['uploadFile'], locations: [{ line: 1, column: 12 }] }] },
      { errors: [{ ...forbidden, path: ['admin'], locations: [{ line: 1, column: 3 }] }] },
      { data: { home: { area: 'home' } } },
    ]);
    expect(app.effects.uploads).toBe(before);
  });

  test('a bad token fails the whole batch with 401', async () => {
    const res = await server.request([{ query: '{ health }' }, { query: '{ uploadCount }' }], { token: 'nope' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      errors: [{ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });
});

describe('introspection', () => {
  test('the schema can be introspected; requirements and role names are not in it', async () => {
    const res = await server.query(
      `{ __schema { types { name fields { name description } } directives { name args { name } } }
         __type(name: "Secret") { name fields { name } } }`,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    // The shape is public (as the SDL is); who may read what is not.
    expect(res.text).not.toMatch(/read-only|users:email|billing:read|reports:read|reports:admin/);
    const directives = (res.body.data as { __schema: { directives: { name: string }[] } }).__schema.directives;
    expect(directives.map((d) => d.name)).toContain('auth');
  });

  test('introspection cannot read data', async () => {
    await expectRejected('{ __typename admin { __typename } }', tokens.user);
  });
});
