import type { AuthUser } from '@gatehousejs/core';
import { createAuthExecutor } from '@gatehousejs/graphql';
import { type ExecutionResult, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestSchema } from './support/schema.js';
import { type Issued, startIssuer, startYoga, type TestServer } from './support/server.js';

// Every Gatehouse error names the denied field, as graphql-js does for any field error: `path`
// (response keys; list indices at run time) and `locations`, whether the operation was rejected
// before execution or a guard denied the field at run time. The message stays generic.

let issued: Issued;
let server: TestServer;
let memberToken: string;
let member: AuthUser;
const app = buildTestSchema();

beforeAll(async () => {
  issued = await startIssuer();
  server = await startYoga(app.schema, issued.verifier);
  memberToken = await issued.token({ sub: 'member' });
  member = await issued.verifier.verify(memberToken);
});
afterAll(async () => {
  await server?.close();
  await issued?.issuer.close();
});

describe('rejected before execution', () => {
  test('an anonymous caller: the denied field and where it was selected', async () => {
    const res = await server.query('query {\n  health\n  admin { area }\n}');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      errors: [
        {
          message: 'Authentication required',
          path: ['admin'],
          locations: [{ line: 3, column: 3 }],
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  });

  test('a nested field selected through a fragment, under its alias', async () => {
    const res = await server.query('{ users { id ...F } }\nfragment F on User { mail: email }', {
      token: memberToken,
    });
    expect(res.status).toBe(403);
    expect(res.body.errors).toEqual([
      {
        message: 'Insufficient permissions',
        path: ['users', 'mail'],
        locations: [{ line: 2, column: 22 }],
        extensions: { code: 'FORBIDDEN' },
      },
    ]);
  });

  test('a protected type named by __typename: the message names neither the type nor the role', async () => {
    const res = await server.query('{ search(term: "e") { ... on Secret { kind: __typename } } }', {
      token: memberToken,
    });
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]).toMatchObject({ path: ['search', 'kind'], locations: [{ line: 1, column: 39 }] });
    expect(res.text).not.toMatch(/Secret|admin/);
  });

  test('with plain execute', async () => {
    const result = (await createAuthExecutor().execute({
      schema: app.schema,
      document: parse('{ health billing }'),
      contextValue: { user: member },
    })) as ExecutionResult;
    expect(result.data).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result.errors))).toEqual([
      {
        message: 'Insufficient permissions',
        path: ['billing'],
        locations: [{ line: 1, column: 10 }],
        extensions: { code: 'FORBIDDEN' },
      },
    ]);
  });
});

describe('denied at run time', () => {
  test('an object of a protected type behind an interface', async () => {
    const res = await server.query('{ node(id: "secret-1") { id } }', { token: memberToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: { node: null },
      errors: [
        {
          message: 'Insufficient permissions',
          path: ['node'],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  test('an implementation field that asks for more than its interface, in a list', async () => {
    const res = await server.query('{ named { name } }', { token: memberToken });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      {
        message: 'Insufficient permissions',
        path: ['named', 1, 'name'],
        locations: [{ line: 1, column: 11 }],
        extensions: { code: 'FORBIDDEN' },
      },
    ]);
  });

  test('partial results', async () => {
    const result = (await createAuthExecutor({ partialResults: true }).execute({
      schema: app.schema,
      document: parse('{ health billing }'),
      contextValue: { user: null },
    })) as ExecutionResult;
    expect(result.data).toEqual({ health: 'ok', billing: null });
    expect(JSON.parse(JSON.stringify(result.errors))).toEqual([
      {
        message: 'Authentication required',
        path: ['billing'],
        locations: [{ line: 1, column: 10 }],
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
  });
});
