import { connect } from 'node:net';
import { createTestIssuer, signJwt } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Demo, startDemo } from '../src/demo.js';
import { DEV_AUDIENCE } from '../src/dev-issuer.js';

/**
 * Attacks from outside, through DESIGN.md alone: real HTTP against the demo, real tokens from its
 * embedded issuer (or hostile ones made by hand).
 */

let demo: Demo;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  demo = await startDemo({ port: 0, env: {} });
  tokens.user = await mint({ sub: 'u-user', roles: ['user'] });
  tokens.admin = await mint({ sub: 'u-admin', roles: ['admin'] });
  tokens.uploader = await mint({ sub: 'u-up', roles: ['user'], permissions: ['uploadFile'] });
  tokens.emailer = await mint({ sub: 'u-mail', permissions: ['users:email'] });
});

afterAll(async () => {
  await demo?.close();
});

async function mint(claims: object): Promise<string> {
  const response = await fetch(`${demo.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** A token signed by the demo's own issuer key, with claims exactly as given (no defaults). */
async function forge(payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const issuer = demo.devIssuer?.issuer;
  if (!issuer) throw new Error('embedded mode expected');
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    header: { alg: 'RS256', typ: 'JWT', kid: issuer.currentKid, ...header },
    payload: { iss: issuer.issuer, aud: DEV_AUDIENCE, sub: 'forged', iat: now, exp: now + 600, ...payload },
    key: issuer.privateKey(),
  });
}

interface GraphQLAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

async function gql(
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
  method: 'POST' | 'GET' = 'POST',
): Promise<GraphQLAnswer> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let response: Response;
  if (method === 'GET') {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      params.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    response = await fetch(`${demo.url}/graphql?${params}`, {
      headers: { accept: 'application/graphql-response+json', ...auth, ...headers },
    });
  } else {
    response = await fetch(`${demo.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...auth,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
  const text = await response.text();
  let parsed: GraphQLAnswer['body'] = {};
  try {
    parsed = JSON.parse(text) as GraphQLAnswer['body'];
  } catch {
    parsed = {};
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

const query = (q: string, token?: string, variables?: Record<string, unknown>, operationName?: string) =>
  gql({ query: q, variables, operationName }, token);

const codes = (answer: GraphQLAnswer) => (answer.body.errors ?? []).map((e) => e.extensions?.code);

async function uploadCount(): Promise<number> {
  const answer = await query('{ uploadCount }');
  return answer.body.data?.uploadCount as number;
}

/** Nothing a client receives may name a hidden type, a role, a permission, a token or a stack. */
function expectHygienic(body: string, token?: string): void {
  // A tRPC error names the procedure it answers for (`"path":"admin"`), a GraphQL error the field
  // (`"path":["admin"]`, response keys and list indices): that is the caller's own input.
  const text = body.replace(/"path":("[^"]*"|\[[^\]]*\])/g, '');
  expect(text).not.toMatch(
    /\bSecret\b|vault|\badmin\b|read-only|reports:read|reports:admin|billing:read|uploadFile|users:email/,
  );
  expect(text).not.toMatch(/\bstack\b|(\n|\\n)\s+at |originalError|ROLE_MISSING|PERMISSION_MISSING|SIGNATURE|TOKEN_/);
  if (token) expect(text).not.toContain(token.split('.')[1] as string);
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 request written by hand: duplicate headers and odd bytes exactly as given. */
function raw(lines: string[], body = ''): Promise<RawResponse> {
  const { port } = demo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).split('\r\n');
      const status = Number(head[0]?.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let rest = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') {
        let decoded = '';
        while (rest.length > 0) {
          const eol = rest.indexOf('\r\n');
          const size = Number.parseInt(rest.slice(0, eol), 16);
          if (!size) break;
          decoded += rest.slice(eol + 2, eol + 2 + size);
          rest = rest.slice(eol + 2 + size + 2);
        }
        rest = decoded;
      }
      resolve({ status, headers, body: rest });
    });
    const length = Buffer.byteLength(body);
    socket.write(
      `${lines.join('\r\n')}\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${length}\r\n\r\n${body}`,
    );
  });
}

const GRAPHQL_BODY = JSON.stringify({ query: '{ health }' });
const GQL_HEAD = ['POST /graphql HTTP/1.1', 'Content-Type: application/json', 'Accept: application/json'];

// ---------------------------------------------------------------------------------------------
describe('GraphQL: static bypasses are rejected before execution', () => {
  test.each([
    ['alias', '{ a: admin { area } }'],
    ['alias of a public name over a protected field', '{ health: admin { area } }'],
    ['duplicate field, different aliases', '{ a: health b: health c: billing }'],
    ['named fragment', 'query { ...F } fragment F on Query { admin { area } }'],
    [
      'nested fragments',
      'query { ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { admin { area } }',
    ],
    ['inline fragment without type', '{ ... { admin { area } } }'],
    ['inline fragment on Query', '{ ... on Query { ... on Query { admin { area } } } }'],
    ['Secret via node inline fragment', '{ node(id: "secret-1") { ... on Secret { value } } }'],
    ['Secret via search inline fragment', '{ search(term: "") { ... on Secret { id } } }'],
    [
      'Secret via fragment on a union',
      '{ search(term: "") { ...R } } fragment R on SearchResult { ... on Secret { value } }',
    ],
    [
      'Secret via fragment on an interface',
      '{ node(id: "user-1") { ...N } } fragment N on Node { ... on Secret { id } }',
    ],
    ['Secret via named fragment on Secret', '{ node(id: "secret-1") { ...S } } fragment S on Secret { id }'],
    ['Secret __typename in a Secret fragment', '{ search(term: "") { ... on Secret { __typename } } }'],
    ['User.email through node', '{ node(id: "user-1") { ... on User { email } } }'],
    ['User.email through search', '{ search(term: "user") { ... on User { email } } }'],
    [
      'User.email through a fragment on User spread on a union',
      '{ search(term: "") { ...U } } fragment U on User { email }',
    ],
    ['User.email through users alias', '{ people: users { mail: email } }'],
    ['email on me', '{ me { email } }'],
    ['@include(if: true)', '{ health admin @include(if: true) { area } }'],
    ['@skip(if: false)', '{ health admin @skip(if: false) { area } }'],
    ['@include(if: true) on a fragment spread', '{ ...F @include(if: true) } fragment F on Query { admin { area } }'],
    ['@skip(if: false) on an inline fragment', '{ ... @skip(if: false) { admin { area } } }'],
  ])('%s (user: FORBIDDEN, nothing runs)', async (_, q) => {
    const answer = await query(q, tokens.user);
    expect(answer.status).toBe(403);
    expect(answer.body.data).toBeUndefined();
    expect(codes(answer)).toEqual(['FORBIDDEN']);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*", error="insufficient_scope"/);
    expectHygienic(answer.text, tokens.user);
  });

  test.each([
    ['alias', '{ a: me { id } }'],
    ['fragment', '{ ...F } fragment F on Query { me { id } }'],
    ['Secret through node', '{ node(id: "secret-1") { ... on Secret { id } } }'],
    ['email through users', '{ users { email } }'],
  ])('%s (anonymous: 401 UNAUTHENTICATED with a Bearer challenge)', async (_, q) => {
    const answer = await query(q);
    expect(answer.status).toBe(401);
    expect(answer.body.data).toBeUndefined();
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*"/);
    expectHygienic(answer.text);
  });

  test.each([
    ['missing (no default)', 'query ($v: Boolean) { health admin @skip(if: $v) { area } }', {}],
    ['null', 'query ($v: Boolean) { health admin @skip(if: $v) { area } }', { v: null }],
    ['default false', 'query ($v: Boolean = false) { health admin @skip(if: $v) { area } }', {}],
    ['null over a default true', 'query ($v: Boolean = true) { health admin @skip(if: $v) { area } }', { v: null }],
    ['false', 'query ($v: Boolean!) { health admin @skip(if: $v) { area } }', { v: false }],
    ['include true', 'query ($v: Boolean!) { health admin @include(if: $v) { area } }', { v: true }],
    ['string "true"', 'query ($v: Boolean!) { health admin @skip(if: $v) { area } }', { v: 'true' }],
    ['number 1', 'query ($v: Boolean!) { health admin @skip(if: $v) { area } }', { v: 1 }],
  ])('@skip/@include with a variable that is %s never lets the field through', async (_, q, variables) => {
    const answer = await query(q, tokens.user, variables);
    expect(answer.body.data?.admin).toBeUndefined();
    expect(answer.text).not.toContain('"area"');
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });

  test('a field truly skipped by a variable is not required, and the verdict follows the variable', async () => {
    const q = 'query ($v: Boolean = true) { health admin @skip(if: $v) { area } }';
    expect((await query(q, tokens.user)).body).toEqual({ data: { health: 'ok' } });
    expect((await query(q, tokens.user, { v: true })).body).toEqual({ data: { health: 'ok' } });
    expect((await query(q, tokens.user, { v: false })).status).toBe(403);
    expect((await query(q, tokens.user)).body).toEqual({ data: { health: 'ok' } });
  });

  test('a variable used in @skip by another operation of the document does not decide this one', async () => {
    const document = `
      query A($v: Boolean = true) { health admin @skip(if: $v) { area } }
      query B { health ...F }
      fragment F on Query { admin @skip(if: false) { area } }`;
    const answer = await query(document, tokens.user, { v: true }, 'B');
    expect(answer.status).toBe(403);
  });

  test('several operations: the named one is judged; a wrong or missing name runs nothing', async () => {
    const document = 'query Open { health } query Closed { admin { area } }';
    expect((await query(document, tokens.user, undefined, 'Open')).body).toEqual({ data: { health: 'ok' } });
    expect((await query(document, tokens.user, undefined, 'Closed')).status).toBe(403);
    for (const name of [undefined, 'Nope', '']) {
      const answer = await query(document, tokens.user, undefined, name);
      expect(answer.text).not.toContain('"area"');
      expect(answer.body.data ?? undefined).toBeUndefined();
    }
  });

  test('fragment cycles and unknown fragments fail validation without data or leaks', async () => {
    for (const q of [
      '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A admin { area } }',
      '{ ...Missing }',
      '{ ...A } fragment A on Query { admin { area } ...A }',
    ]) {
      const answer = await query(q, tokens.user);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toContain('"area"');
      expect(answer.text).not.toMatch(/\n\s+at /);
    }
  });

  test('the same protected field spread through many fragments is still rejected (and quickly walked)', async () => {
    const count = 300;
    const fragments = Array.from({ length: count }, (_, i) => `fragment F${i} on Query { health ...F${i + 1} }`);
    fragments.push(`fragment F${count} on Query { admin { area } }`);
    const answer = await query(`{ ...F0 } ${fragments.join(' ')}`, tokens.user);
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain('"area"');
  });

  test('a wide document of aliased fragment spreads is judged and rejected', async () => {
    const spreads = Array.from({ length: 2000 }, (_, i) => `a${i}: health`).join(' ');
    const answer = await query(
      `{ ${spreads} ...F } fragment F on Query { ...G ...G ...G } fragment G on Query { billing }`,
      tokens.admin,
    );
    expect(answer.status).toBe(403);
  });

  test('very deep nesting does not crash the server or leak a stack', async () => {
    const depth = 5000;
    const q = `{ ${'... { '.repeat(depth)}admin { area }${' }'.repeat(depth)} }`;
    const answer = await query(q, tokens.user);
    expect(answer.status).not.toBe(200);
    expect(answer.text).not.toContain('"area"');
    expect(answer.text).not.toMatch(/\n\s+at |RangeError|Maximum call stack/);
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
describe('GraphQL: run-time guards on node(id) and search(term)', () => {
  test('every node id, as user and anonymous: Secret is null with an error and its type name hidden', async () => {
    for (const token of [tokens.user, undefined]) {
      for (const id of ['user-1', 'user-2', 'secret-1', 'nope']) {
        const answer = await query(`{ node(id: "${id}") { __typename id } }`, token);
        if (id.startsWith('user')) {
          expect(answer.body).toEqual({ data: { node: { __typename: 'User', id } } });
        } else if (id === 'nope') {
          expect(answer.body).toEqual({ data: { node: null } });
        } else {
          expect(answer.body.data).toEqual({ node: null });
          expect(codes(answer)).toEqual([token ? 'FORBIDDEN' : 'UNAUTHENTICATED']);
          expectHygienic(answer.text, token);
        }
      }
    }
  });

  test('aliases over node(id) cannot pry the Secret out', async () => {
    const answer = await query(
      '{ a: node(id: "secret-1") { id } b: node(id: "secret-1") { __typename } c: node(id: "user-1") { id } }',
      tokens.user,
    );
    expect(answer.body.data).toEqual({ a: null, b: null, c: { id: 'user-1' } });
    expect(codes(answer)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expectHygienic(answer.text, tokens.user);
  });

  test.each(['', 'user', 'secret', 'SECRET', 's', '-1', 'Ada', ' '])(
    'search(term: %j): only Users come back for a non-admin; Secrets are null-propagated errors',
    async (term) => {
      const answer = await query(
        `query ($t: String!) { search(term: $t) { __typename ... on User { id name } } }`,
        tokens.user,
        { t: term },
      );
      expectHygienic(answer.text, tokens.user);
      const errors = codes(answer);
      // `[SearchResult!]!`: a hidden member nulls the whole list, by the schema's own rules.
      if (errors.length > 0) {
        expect(answer.body.data).toBeNull();
        expect(new Set(errors)).toEqual(new Set(['FORBIDDEN']));
      } else {
        for (const item of (answer.body.data?.search ?? []) as { __typename: string }[])
          expect(item.__typename).toBe('User');
      }
    },
  );

  test('an admin sees the Secret through node and search', async () => {
    const node = await query('{ node(id: "secret-1") { __typename ... on Secret { value } } }', tokens.admin);
    expect(node.body).toEqual({ data: { node: { __typename: 'Secret', value: 'The vault code is 0000' } } });
    const search = await query('{ search(term: "secret") { __typename } }', tokens.admin);
    expect(search.body).toEqual({ data: { search: [{ __typename: 'Secret' }] } });
  });

  test('an admin without users:email still cannot read email through node or search', async () => {
    for (const q of [
      '{ node(id: "user-1") { ... on User { email } } }',
      '{ search(term: "") { ... on User { email } } }',
      '{ node(id: "user-1") { ...E } } fragment E on User { email }',
    ]) {
      const answer = await query(q, tokens.admin);
      expect(answer.status).toBe(403);
      expect(answer.text).not.toContain('example.com');
    }
    const allowed = await query('{ node(id: "user-1") { ... on User { email } } }', tokens.emailer);
    expect(allowed.body).toEqual({ data: { node: { email: 'ada@example.com' } } });
  });
});

// ---------------------------------------------------------------------------------------------
describe('GraphQL: introspection', () => {
  test('__type(name: "Secret") and __schema carry no requirement and read no data', async () => {
    const answer = await query(
      '{ __type(name: "Secret") { name fields { name } } __schema { directives { name } types { name } } }',
      tokens.user,
    );
    expect(answer.status).toBe(200);
    expect(answer.text).not.toMatch(/vault|"roles"|reports:read|billing:read|uploadFile|users:email/);
  });

  test('__typename at the root and on public types is fine; on a Secret it is not', async () => {
    expect((await query('{ __typename health }')).body).toEqual({ data: { __typename: 'Query', health: 'ok' } });
    const answer = await query('{ node(id: "secret-1") { ... on Node { __typename } } }');
    expect(answer.body.data).toEqual({ node: null });
    expectHygienic(answer.text);
  });
});

// ---------------------------------------------------------------------------------------------
describe('GraphQL: mutations', () => {
  test('denied mutations, in every shape, leave the upload counter unchanged', async () => {
    const before = await uploadCount();
    const attempts: [string, Record<string, unknown> | undefined, string | undefined][] = [
      ['mutation { uploadFile(name: "x") { id } }', undefined, tokens.user],
      ['mutation { uploadFile(name: "x") { id } }', undefined, undefined],
      ['mutation { a: uploadFile(name: "x") { id } b: uploadFile(name: "y") { id } }', undefined, tokens.admin],
      ['mutation M { ...F } fragment F on Mutation { uploadFile(name: "x") { id } }', undefined, tokens.user],
      ['mutation ($n: String!) { uploadFile(name: $n) { __typename } }', { n: 'x' }, tokens.user],
      ['mutation ($s: Boolean = false) { uploadFile(name: "x") @skip(if: $s) { id } }', undefined, tokens.user],
      // Serial mutations: the second is denied, so the first must not run either.
      ['mutation { ok: uploadFile(name: "x") { id } no: __typename }', undefined, tokens.user],
      [
        'mutation { ...A ...B } fragment A on Mutation { __typename } fragment B on Mutation { uploadFile(name: "x") { id } }',
        undefined,
        tokens.user,
      ],
    ];
    for (const [q, variables, token] of attempts) {
      const answer = await query(q, token, variables);
      expect(answer.status, q).toBe(token ? 403 : 401);
      expect(answer.body.data, q).toBeUndefined();
    }
    // A null condition is never read as "skip": the mutation is judged as selected.
    const nullCondition = await query(
      'mutation ($s: Boolean!) { uploadFile(name: "x") @skip(if: $s) { id } }',
      tokens.user,
      { s: null },
    );
    expect([400, 403]).toContain(nullCondition.status);
    expect(nullCondition.body.data).toBeUndefined();
    expect(await uploadCount()).toBe(before);
  });

  test('a mutation over GET is refused and changes nothing, even for an allowed caller', async () => {
    const before = await uploadCount();
    const answer = await gql({ query: 'mutation { uploadFile(name: "get") { id } }' }, tokens.uploader, {}, 'GET');
    expect(answer.status).toBe(405);
    expect(await uploadCount()).toBe(before);
  });

  test('a mutation operation chosen by operationName among queries is judged as the mutation', async () => {
    const before = await uploadCount();
    const document = 'query Q { health } mutation M { uploadFile(name: "x") { id } }';
    const answer = await query(document, tokens.user, undefined, 'M');
    expect(answer.status).toBe(403);
    expect((await query(document, tokens.user, undefined, 'Q')).body).toEqual({ data: { health: 'ok' } });
    expect(await uploadCount()).toBe(before);
  });

  test('an allowed upload with a bad name is a validation error, not an auth error, and adds nothing', async () => {
    const before = await uploadCount();
    const answer = await query('mutation { uploadFile(name: "") { id } }', tokens.uploader);
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(await uploadCount()).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------
describe('GraphQL: transport tricks', () => {
  test('GET with a query string is judged like POST', async () => {
    const denied = await gql({ query: '{ admin { area } }' }, tokens.user, {}, 'GET');
    expect(denied.status).toBe(403);
    const anonymous = await gql({ query: '{ me { id } }' }, undefined, {}, 'GET');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const skipped = await gql(
      { query: 'query ($v: Boolean!) { health admin @skip(if: $v) { area } }', variables: { v: false } },
      tokens.user,
      {},
      'GET',
    );
    expect(skipped.status).toBe(403);
    const ok = await gql({ query: '{ health }' }, tokens.user, {}, 'GET');
    expect(ok.body).toEqual({ data: { health: 'ok' } });
  });

  test('a token in the query string or body is never read as credentials', async () => {
    const viaUrl = await fetch(
      `${demo.url}/graphql?query=${encodeURIComponent('{ me { id } }')}&access_token=${tokens.admin}`,
      { headers: { accept: 'application/json' } },
    );
    expect(viaUrl.status).toBe(401);
    // yoga refuses unknown body parameters outright (400); either way the token is not used.
    const viaBody = await gql({ query: '{ me { id } }', access_token: tokens.admin });
    expect([400, 401]).toContain(viaBody.status);
    expect(viaBody.text).not.toContain('u-admin');
    const viaExtensions = await gql({
      query: '{ me { id } }',
      extensions: { headers: { authorization: `Bearer ${tokens.admin}` }, authorization: `Bearer ${tokens.admin}` },
    });
    expect(viaExtensions.status).toBe(401);
  });

  test('batched JSON arrays mixing allowed and denied operations run nothing denied', async () => {
    const before = await uploadCount();
    const answer = await gql(
      [
        { query: '{ health }' },
        { query: '{ admin { area } }' },
        { query: 'mutation { uploadFile(name: "b") { id } }' },
      ],
      tokens.user,
    );
    expect(answer.text).not.toContain('"area"');
    expect(answer.text).not.toContain('upload-');
    expect(await uploadCount()).toBe(before);
  });

  test('persisted-query extensions and unknown extensions do not change the verdict', async () => {
    const answer = await gql(
      {
        query: '{ admin { area } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
      },
      tokens.user,
    );
    expect(answer.text).not.toContain('"area"');
    const hashOnly = await gql(
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
      tokens.user,
    );
    expect(hashOnly.text).not.toContain('"area"');
  });

  test('a document that fails validation runs nothing and leaks nothing', async () => {
    const before = await uploadCount();
    for (const q of [
      'mutation { uploadFile(name: 1) { id } }',
      'mutation { uploadFile { id } }',
      '{ admin }',
      '{ node(id: "secret-1") { value } }',
      '{ admin { area } ',
    ]) {
      const answer = await query(q, tokens.user);
      expect(answer.status, q).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toMatch(/vault|\n\s+at /);
    }
    // The demo has no Subscription type: refused without data.
    const subscription = await query('subscription { health }', tokens.user);
    expect(subscription.body.data ?? undefined).toBeUndefined();
    expect(subscription.body.errors).toHaveLength(1);
    expect(await uploadCount()).toBe(before);
  });

  test('a huge document is refused or judged, never crashes the server', async () => {
    const q = `{ ${Array.from({ length: 20000 }, (_, i) => `f${i}: health`).join(' ')} admin { area } }`;
    const answer = await query(q, tokens.user);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.text).not.toContain('"area"');
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
  });

  test('a bad token fails a public query, GET and POST alike, as 401 invalid_token', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const answer = await gql({ query: '{ health }' }, 'not.a.token', {}, method);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
      expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('tRPC: transport tricks', () => {
  const trpc = (path: string, init: RequestInit = {}, token?: string) =>
    fetch(`${demo.url}/trpc/${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
    });

  test('a batch mixing public, allowed and denied queries answers each on its own', async () => {
    const response = await trpc('admin,health,me,billing?batch=1&input={}', {}, tokens.user);
    const body = (await response.json()) as { result?: { data: unknown }; error?: { data: { code: string } } }[];
    expect(body[0]?.error?.data.code).toBe('FORBIDDEN');
    expect(body[1]?.result?.data).toBe('ok');
    expect(body[2]?.result?.data).toMatchObject({ id: 'u-user' });
    expect(body[3]?.error?.data.code).toBe('FORBIDDEN');
  });

  test('batched mutations: each denied one runs nothing; mixing in a query is refused whole', async () => {
    const before = await uploadCount();
    const post = (path: string, body: unknown, token?: string) =>
      trpc(
        path,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        token,
      );
    const denied = await post(
      'uploads.create,uploads.create?batch=1',
      { 0: { name: 'a' }, 1: { name: 'b' } },
      tokens.user,
    );
    const answers = (await denied.json()) as { error?: { data: { code: string } } }[];
    expect(answers.map((a) => a.error?.data.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const mixed = await post('uploads.create,health?batch=1', { 0: { name: 'a' } }, tokens.user);
    expect(mixed.status).toBe(400);
    // Not an auth failure, but still no stack in the body.
    expectHygienic(await mixed.text());
    const odd = await post('uploads.create?batch=1', { 1: { name: 'a' }, 0: null }, tokens.user);
    expect(odd.status).toBe(403);
    expect(await uploadCount()).toBe(before);
  });

  test('an anonymous batch of a public and protected procedure: the public one answers', async () => {
    const response = await trpc('health,admin?batch=1&input={}');
    const body = (await response.json()) as { result?: { data: unknown }; error?: { data: { code: string } } }[];
    expect(body[0]?.result?.data).toBe('ok');
    expect(body[1]?.error?.data.code).toBe('UNAUTHORIZED');
  });

  test('a bad token fails even the public procedure (never anonymous)', async () => {
    const response = await trpc('health', {}, 'garbage');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
    expectHygienic(await response.text());
  });

  test('a mutation over GET, and a query over POST, are refused without running', async () => {
    const before = await uploadCount();
    const get = await trpc(
      `uploads.create?input=${encodeURIComponent(JSON.stringify({ name: 'g' }))}`,
      {},
      tokens.uploader,
    );
    expect(get.status).toBe(405);
    const override = await trpc(
      `uploads.create?input=${encodeURIComponent(JSON.stringify({ name: 'g' }))}`,
      { headers: { 'x-http-method-override': 'POST', 'x-method-override': 'POST' } },
      tokens.uploader,
    );
    expect(override.status).toBe(405);
    expect(await uploadCount()).toBe(before);
    for (const headers of [{}, { 'content-type': 'application/json' }] as Record<string, string>[]) {
      const post = await trpc('admin', { method: 'POST', headers, body: '{}' }, tokens.admin);
      expect(post.status).toBeGreaterThanOrEqual(400);
      const text = await post.text();
      expect(text).not.toContain('"area"');
      expect(text).not.toMatch(/"stack"|\\n\s+at /);
    }
  });

  test('anonymous and denied callers never see input validation errors', async () => {
    for (const [token, status, code] of [
      [undefined, 401, 'UNAUTHORIZED'],
      [tokens.user, 403, 'FORBIDDEN'],
    ] as const) {
      for (const body of [
        '{"name":""}',
        '{"name":5}',
        'not json',
        '[]',
        '{"name":"x","extra":{"__proto__":{"a":1}}}',
      ]) {
        const response = await trpc(
          'uploads.create',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body },
          token,
        );
        const text = await response.text();
        if (body === 'not json' && response.status === 400) continue; // unparseable body: refused before any procedure
        expect(response.status, body).toBe(status);
        expect(JSON.parse(text).error.data.code).toBe(code);
        expect(text).not.toMatch(/too_small|invalid_type|zod|\n\s+at /i);
      }
    }
  });

  test('odd procedure paths do not reach a procedure by another name', async () => {
    for (const path of [
      'uploads/create',
      'uploads..create',
      '.admin',
      'admin.',
      'ADMIN',
      'admin%2e',
      '__proto__',
      'constructor',
      'uploads',
      'uploads.create.x',
    ]) {
      const response = await trpc(path, {}, tokens.user);
      const text = await response.text();
      expect(response.status, path).not.toBe(200);
      expect(text).not.toContain('"area"');
      expect(text).not.toMatch(/\n\s+at /);
    }
  });

  test('a token in the query string or connectionParams over plain HTTP is refused, never used', async () => {
    const inUrl = await trpc(`me?access_token=${tokens.admin}&token=${tokens.admin}`);
    expect(inUrl.status).toBe(401);
    const params = encodeURIComponent(JSON.stringify({ token: tokens.admin }));
    const viaParams = await trpc(`me?connectionParams=1&input=${params}`);
    expect([400, 401]).toContain(viaParams.status);
    expect(await viaParams.text()).not.toContain('u-admin');
  });

  test('tRPC errors carry no stack, role names or token contents', async () => {
    const expired = await forge({ exp: Math.floor(Date.now() / 1000) - 600, roles: ['admin'] });
    for (const [path, token] of [
      ['billing', tokens.admin],
      ['admin', tokens.user],
      ['me', undefined],
      ['me', expired],
    ] as const) {
      const response = await trpc(path, {}, token);
      expectHygienic(await response.text(), token);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('HTTP credentials across tRPC, GraphQL and REST', () => {
  const targets = [
    { name: 'GraphQL', head: GQL_HEAD, body: GRAPHQL_BODY },
    { name: 'tRPC', head: ['GET /trpc/health HTTP/1.1'], body: '' },
    { name: 'REST', head: ['GET /api/shift HTTP/1.1'], body: '' },
  ];

  test.each(targets)('$name: two Authorization headers (the first valid) are a 400 invalid_request', async (t) => {
    const response = await raw(
      [...t.head, `Authorization: Bearer ${tokens.admin}`, `Authorization: Bearer ${tokens.user}`],
      t.body,
    );
    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]*", error="invalid_request"/);
    expectHygienic(response.body, tokens.admin);
  });

  test.each(targets)('$name: the same token sent twice is still two credentials', async (t) => {
    const response = await raw(
      [...t.head, `Authorization: Bearer ${tokens.user}`, `Authorization: Bearer ${tokens.user}`],
      t.body,
    );
    expect(response.status).toBe(400);
  });

  test.each(targets)('$name: an empty header after a valid one is not ignored', async (t) => {
    const response = await raw([...t.head, `Authorization: Bearer ${tokens.user}`, 'Authorization: Bearer'], t.body);
    expect(response.status).toBe(400);
  });

  test.each(targets)('$name: Basic next to Bearer is two credentials', async (t) => {
    const response = await raw(
      [...t.head, 'Authorization: Basic YWRtaW46YWRtaW4=', `Authorization: Bearer ${tokens.user}`],
      t.body,
    );
    expect(response.status).toBe(400);
  });

  test.each(targets)('$name: scheme case, tabs, Basic and junk', async (t) => {
    const status = async (value: string) => (await raw([...t.head, `Authorization: ${value}`], t.body)).status;
    expect(await status(`bearer ${tokens.user}`)).toBe(200);
    expect(await status(`BEARER ${tokens.user}`)).toBe(200);
    expect(await status(`Bearer\t${tokens.user}`)).not.toBe(200);
    expect(await status('Basic YWRtaW46YWRtaW4=')).toBe(401);
    expect(await status('Bearer')).toBe(400);
    expect(await status(`Bearer ${tokens.user} ${tokens.user}`)).toBe(400);
    expect(await status(`Bearer ${tokens.user}, Bearer ${tokens.user}`)).toBe(400);
    expect(await status(`Bearerx ${tokens.user}`)).toBe(401);
    expect(await status(`Bearer "${tokens.user}"`)).toBe(400);
  });

  test.each(targets)('$name: a very long Authorization header is refused cleanly', async (t) => {
    const response = await raw([...t.head, `Authorization: Bearer ${'a'.repeat(40_000)}`], t.body);
    expect([400, 401, 431]).toContain(response.status);
    expect(response.body).not.toMatch(/\n\s+at /);
  });
});

// ---------------------------------------------------------------------------------------------
describe('hostile tokens are 401 invalid_token on every API, public calls included', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>][] = [
    [
      'alg none',
      async () =>
        signJwt({ header: { alg: 'none', typ: 'JWT' }, payload: { sub: 'x', roles: ['admin'], exp: now() + 60 } }),
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const issuer = demo.devIssuer?.issuer;
        return signJwt({
          header: { alg: 'HS256', kid: issuer?.currentKid },
          payload: { iss: issuer?.issuer, aud: DEV_AUDIENCE, sub: 'x', roles: ['admin'], exp: now() + 60 },
          key: issuer?.publicKeyPem() as string,
        });
      },
    ],
    [
      'HS256 signed with the JWKS JSON',
      async () => {
        const jwks = await (await fetch(`${demo.url}/.well-known/jwks.json`)).text();
        return signJwt({
          header: { alg: 'HS256' },
          payload: { sub: 'x', roles: ['admin'], exp: now() + 60 },
          key: jwks,
        });
      },
    ],
    ['expired', () => forge({ exp: now() - 600, iat: now() - 1200, roles: ['admin'] })],
    ['nbf in the future', () => forge({ nbf: now() + 600, roles: ['admin'] })],
    ['iat in the future', () => forge({ iat: now() + 3600, roles: ['admin'] })],
    ['another audience', () => forge({ aud: 'someone-else', roles: ['admin'] })],
    ['no audience', () => forge({ aud: undefined, roles: ['admin'] })],
    ['another issuer', () => forge({ iss: 'http://evil.example', roles: ['admin'] })],
    ['issuer with a trailing slash', () => forge({ iss: `${demo.devIssuer?.issuer.issuer}/`, roles: ['admin'] })],
    ['roles as a string', () => forge({ roles: 'admin' })],
    ['roles as an object', () => forge({ roles: { 0: 'admin', length: 1 } })],
    ['roles with a non-string', () => forge({ roles: ['admin', 1] })],
    ['permissions as a string', () => forge({ permissions: 'reports:read' })],
    ['sub missing', () => forge({ sub: undefined })],
    ['sub not a string', () => forge({ sub: 42 })],
    ['exp as a string', () => forge({ exp: String(now() + 600) })],
    ['unknown kid', () => forge({ roles: ['admin'] }, { kid: 'nope' })],
    ['crit header', () => forge({ roles: ['admin'] }, { crit: ['exp'], exp: 1 })],
    ['typ of another kind', () => forge({ roles: ['admin'] }, { typ: 'id_token+jwt' })],
    [
      'a token from another issuer, same audience',
      async () => {
        const other = await createTestIssuer({ audience: DEV_AUDIENCE, issuer: demo.devIssuer?.issuer.issuer });
        try {
          return await other.sign({ sub: 'x', roles: ['admin'] });
        } finally {
          await other.close();
        }
      },
    ],
    [
      'a jku header pointing at the attacker’s own JWKS',
      async () => {
        const other = await createTestIssuer({ audience: DEV_AUDIENCE, issuer: demo.devIssuer?.issuer.issuer });
        try {
          return await other.sign({ sub: 'x', roles: ['admin'] }, { header: { jku: other.jwksUri } });
        } finally {
          await other.close();
        }
      },
    ],
    [
      'an embedded jwk header with the attacker’s key',
      async () => {
        const other = await createTestIssuer({ audience: DEV_AUDIENCE, issuer: demo.devIssuer?.issuer.issuer });
        try {
          const jwk = other.jwks().keys[0];
          return await other.sign({ sub: 'x', roles: ['admin'] }, { header: { jwk } });
        } finally {
          await other.close();
        }
      },
    ],
    ['a truncated signature', async () => (tokens.admin as string).slice(0, -10)],
    [
      'a swapped payload',
      async () => {
        const [h, , s] = (tokens.user as string).split('.');
        const [, p] = (tokens.admin as string).split('.');
        return `${h}.${p}.${s}`;
      },
    ],
  ];

  test.each(cases)('%s', async (_, make) => {
    const token = await make();
    const g = await gql({ query: '{ health }' }, token);
    expect(g.status).toBe(401);
    expect(g.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
    expect(codes(g)).toEqual(['UNAUTHENTICATED']);
    expectHygienic(g.text, token);
    const t = await fetch(`${demo.url}/trpc/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(t.status).toBe(401);
    expect(t.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expectHygienic(await t.text(), token);
    const r = await fetch(`${demo.url}/api/shift`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
    expect(await r.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
  });
});

// ---------------------------------------------------------------------------------------------
describe('exact, case-sensitive matching of roles and permissions', () => {
  test.each([
    ['Admin', { roles: ['Admin'] }],
    ['ADMIN', { roles: ['ADMIN'] }],
    ['admin with a space', { roles: ['admin '] }],
    ['admin with a zero-width space', { roles: ['admin\u200b'] }],
    ['a Cyrillic a', { roles: ['\u0430dmin'] }],
    ['"admin,user" in one string', { roles: ['admin,user'] }],
    ['the permission as a role', { roles: ['reports:read'], permissions: [] }],
  ])('roles %s do not pass roles admin', async (_, claims) => {
    const token = await mint({ sub: 'look-alike', ...claims });
    expect((await query('{ admin { area } }', token)).status).toBe(403);
    expect((await fetch(`${demo.url}/trpc/admin`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await fetch(`${demo.url}/api/admin`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const secret = await query('{ node(id: "secret-1") { id } }', token);
    expect(secret.body.data).toEqual({ node: null });
  });

  test.each([['reports:read '], ['Reports:read'], ['reports:*'], ['reports'], ['*'], ['reports:read\u0000']])(
    'permission %j does not pass reports:read',
    async (permission) => {
      const token = await forge({ permissions: [permission] });
      expect((await query('{ reports { id } }', token)).status).toBe(403);
      expect((await fetch(`${demo.url}/trpc/reports`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        403,
      );
      expect((await fetch(`${demo.url}/api/reports`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        403,
      );
    },
  );

  test('billing needs both: role admin AND permission billing:read', async () => {
    const roleOnly = await mint({ roles: ['admin'] });
    const permissionOnly = await mint({ permissions: ['billing:read'] });
    const both = await mint({ roles: ['admin'], permissions: ['billing:read'] });
    const swapped = await mint({ roles: ['billing:read'], permissions: ['admin'] });
    for (const [token, status] of [
      [roleOnly, 403],
      [permissionOnly, 403],
      [swapped, 403],
      [both, 200],
    ] as const) {
      expect((await query('{ billing }', token)).status).toBe(status);
      expect((await fetch(`${demo.url}/trpc/billing`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        status,
      );
      expect((await fetch(`${demo.url}/api/billing`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        status,
      );
    }
  });

  test('tenantId tricks grant nothing, and tRPC me reports the tenant verbatim', async () => {
    for (const tenantId of ['admin', '*', '../admin', 'tenant-demo']) {
      const token = await mint({ sub: 't', tenantId });
      expect((await query('{ admin { area } }', token)).status).toBe(403);
      const me = await fetch(`${demo.url}/trpc/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { result: { data: unknown } }).result.data).toEqual({
        id: 't',
        roles: [],
        permissions: [],
        tenantId,
      });
    }
    const objectTenant = await forge({ tenantId: { id: 'x' } });
    expect(
      (await fetch(`${demo.url}/trpc/health`, { headers: { authorization: `Bearer ${objectTenant}` } })).status,
    ).toBe(401);
  });

  test('a token without roles or permissions is valid with empty lists', async () => {
    const token = await forge({});
    const me = await fetch(`${demo.url}/trpc/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { result: { data: unknown } }).result.data).toEqual({
      id: 'forged',
      roles: [],
      permissions: [],
      tenantId: null,
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('demo contract', () => {
  test('/healthz answers 200', async () => {
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
  });

  test('/dev/token: sub, roles, permissions, tenantId → { accessToken } that all three APIs accept', async () => {
    const response = await fetch(`${demo.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 's-1', roles: ['read-only'], permissions: ['reports:read'], tenantId: 't-9' }),
    });
    expect(response.status).toBe(200);
    const { accessToken } = (await response.json()) as { accessToken: string };
    expect(accessToken.split('.')).toHaveLength(3);
    const auth = { authorization: `Bearer ${accessToken}` };
    expect((await fetch(`${demo.url}/trpc/home`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${demo.url}/api/reports`, { headers: auth })).status).toBe(200);
    expect((await query('{ home { area } reports { id } }', accessToken)).body).toEqual({
      data: {
        home: { area: 'home' },
        reports: [{ id: 'report-1' }, { id: 'report-2' }],
      },
    });
  });

  test('/dev/token cannot mint an algorithm, issuer, audience or header of the caller’s choosing', async () => {
    for (const extra of [
      { iss: 'x' },
      { aud: 'x' },
      { alg: 'none' },
      { exp: 9_999_999_999 },
      { header: { alg: 'none' } },
    ]) {
      const response = await fetch(`${demo.url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'x', ...extra }),
      });
      expect(response.status).toBe(400);
    }
  });

  test('REST: every route for anonymous, denied and allowed callers, with the Outcomes table', async () => {
    const routes: [string, 'GET' | 'POST', string][] = [
      ['/api/shift', 'GET', tokens.user as string],
      ['/api/admin', 'GET', tokens.admin as string],
      ['/api/home', 'GET', tokens.admin as string],
      ['/api/reports', 'GET', await mint({ permissions: ['reports:admin'] })],
      ['/api/uploads', 'POST', tokens.uploader as string],
    ];
    for (const [path, method, allowed] of routes) {
      const init = method === 'POST' ? { method, body: JSON.stringify({ name: 'r.txt' }) } : { method };
      const anonymous = await fetch(`${demo.url}${path}`, init);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*"$/);
      expect(await anonymous.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
      if (path !== '/api/shift') {
        const denied = await fetch(`${demo.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${tokens.emailer}` },
        });
        expect(denied.status, path).toBe(403);
        expect(denied.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
        const text = await denied.text();
        expectHygienic(text, tokens.emailer);
      }
      const ok = await fetch(`${demo.url}${path}`, { ...init, headers: { authorization: `Bearer ${allowed}` } });
      expect(ok.status, path).toBe(method === 'POST' ? 201 : 200);
      expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    }
  });

  test('denied uploads through all three APIs leave the counter unchanged', async () => {
    const before = await uploadCount();
    for (const token of [undefined, tokens.user, tokens.admin, 'garbage']) {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      await query('mutation { uploadFile(name: "d") { id } }', token);
      await fetch(`${demo.url}/trpc/uploads.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ name: 'd' }),
      });
      await fetch(`${demo.url}/trpc/uploads.create?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ 0: { name: 'd' } }),
      });
      await fetch(`${demo.url}/api/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ name: 'd' }),
      });
      await fetch(`${demo.url}/api/uploads`, { method: 'GET', headers: auth });
    }
    expect(await uploadCount()).toBe(before);
    const count = await fetch(`${demo.url}/trpc/uploads.count`);
    expect(((await count.json()) as { result: { data: number } }).result.data).toBe(before);
  });

  test('REST: a denied caller learns nothing about the method or body; an allowed one gets 405 for the wrong method', async () => {
    const wrongMethodAnonymous = await fetch(`${demo.url}/api/admin`, { method: 'DELETE' });
    expect(wrongMethodAnonymous.status).toBe(401);
    const wrongMethodAllowed = await fetch(`${demo.url}/api/admin`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(wrongMethodAllowed.status).toBe(405);
    const badBodyDenied = await fetch(`${demo.url}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.user}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(badBodyDenied.status).toBe(403);
  });

  test('paths that look like protected routes do not bypass them', async () => {
    for (const path of [
      '/api/admin/',
      '/api/admin?x=1',
      '/API/ADMIN',
      '/api//admin',
      '/api/admin%2f',
      '/api/./admin',
      '/graphql/',
      '/trpc/admin/',
    ]) {
      const response = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${tokens.user}` } });
      const text = await response.text();
      expect(text, path).not.toContain('"area":"admin"');
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('no usable keys: 503 with Retry-After on every API, nothing runs', () => {
  let down: Demo;
  let token: string;

  beforeAll(async () => {
    const issuer = await createTestIssuer({ audience: 'https://api.example.test' });
    token = await issuer.sign({ sub: 'x', roles: ['admin'], permissions: ['uploadFile'] });
    const { jwksUri, issuer: iss } = issuer;
    await issuer.close();
    down = await startDemo({
      port: 0,
      env: { GATEHOUSE_JWKS_URI: jwksUri, GATEHOUSE_ISSUER: iss, GATEHOUSE_AUDIENCE: 'https://api.example.test' },
    });
  });

  afterAll(async () => {
    await down?.close();
  });

  test('GraphQL, tRPC and REST answer 503 with Retry-After and a fixed message', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const answers = [
      await fetch(`${down.url}/graphql`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: 'mutation { uploadFile(name: "x") { id } }' }),
      }),
      await fetch(`${down.url}/trpc/uploads.create`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      }),
      await fetch(`${down.url}/api/uploads`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      }),
    ];
    for (const response of answers) {
      expect(response.status, response.url).toBe(503);
      expect(response.headers.get('retry-after'), response.url).toMatch(/^\d+$/);
      const text = await response.text();
      expect(text).not.toMatch(/127\.0\.0\.1|localhost|jwks|ECONNREFUSED|fetch failed/i);
      expectHygienic(text, token);
    }
    const count = await fetch(`${down.url}/trpc/uploads.count`);
    expect(((await count.json()) as { result: { data: number } }).result.data).toBe(0);
  });

  test('anonymous calls to public fields still work while keys are down', async () => {
    const response = await fetch(`${down.url}/graphql?query=${encodeURIComponent('{ health }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(await response.json()).toEqual({ data: { health: 'ok' } });
  });
});
