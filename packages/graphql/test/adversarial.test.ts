import { authDirective, createAuthExecutor } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { type ExecutionResult, parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Issued, startIssuer, startYoga, type TestServer } from './support/server.js';

/**
 * Schema shapes that trip up field-level auth: interfaces implementing interfaces with type-level
 * rules, interface fields whose rule the object field inherits, covariant interface fields, recursive
 * types, unions mixing protected and public members, and mutations returning abstract types.
 */
const typeDefs = /* GraphQL */ `
  interface Entity @auth(roles: ["admin"]) {
    id: ID!
  }
  interface Asset implements Entity @auth {
    id: ID!
    label: String!
  }
  type Gem implements Asset & Entity {
    id: ID!
    label: String!
    carat: Int
  }

  interface Named {
    name: String! @auth(roles: ["staff"])
  }
  type Person implements Named {
    name: String!
    nickname: String
  }

  interface Item {
    label: String
  }
  type Gadget implements Item {
    label: String @auth(roles: ["admin"])
  }
  type Plain implements Item {
    label: String
  }
  interface Container {
    item: Item
  }
  type Box implements Container {
    item: Gadget
  }
  type Crate implements Container {
    item: Item
  }

  type Locked @auth(roles: ["admin"]) {
    code: String!
  }
  type Folder {
    name: String!
    parent: Folder
    children: [Folder!]!
    locked: Locked
  }
  union Anything = Gem | Person | Locked | Folder

  type Query {
    health: String!
    gems: [Gem!]!
    entity: Entity
    assets: [Asset!]!
    person: Person
    named: [Named!]!
    containers: [Container!]!
    root: Folder
    anything: [Anything]!
    strictAnything: [Anything!]!
  }

  type Mutation {
    touch: Int!
    makeLocked: Locked
    makeAnything: Anything
  }
`;

const GEM = { __typename: 'Gem', id: 'g1', label: 'ruby', carat: 3 };
const PERSON = { __typename: 'Person', name: 'Ada', nickname: 'countess' };
const LOCKED = { __typename: 'Locked', code: 'the code 4242' };
const folder = (depth: number): Record<string, unknown> => ({
  __typename: 'Folder',
  name: `f${depth}`,
  // Functions (called by the default resolver), so the recursive structure is built on demand.
  parent: () => (depth > 0 ? folder(depth - 1) : null),
  children: () => (depth < 3 ? [folder(depth + 1)] : []),
  locked: LOCKED,
});

let calls: string[] = [];

function buildSchema() {
  const note = <T>(name: string, value: T): T => {
    calls.push(name);
    return value;
  };
  const byTypename = (value: { __typename: string }) => value.__typename;
  const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();
  return authDirectiveTransformer(
    makeExecutableSchema({
      typeDefs: [authDirectiveTypeDefs, typeDefs],
      resolvers: {
        Query: {
          health: () => 'ok',
          gems: () => note('gems', [GEM]),
          entity: () => note('entity', GEM),
          assets: () => note('assets', [GEM]),
          person: () => note('person', PERSON),
          named: () => note('named', [PERSON]),
          containers: () =>
            note('containers', [
              { __typename: 'Box', item: { __typename: 'Gadget', label: 'gadget label' } },
              { __typename: 'Crate', item: { __typename: 'Plain', label: 'plain label' } },
            ]),
          root: () => note('root', folder(0)),
          anything: () => note('anything', [GEM, PERSON, LOCKED, folder(3)]),
          strictAnything: () => note('strictAnything', [PERSON, LOCKED]),
        },
        Mutation: {
          touch: () => note('touch', calls.length),
          makeLocked: () => note('makeLocked', LOCKED),
          makeAnything: () => note('makeAnything', LOCKED),
        },
        Entity: { __resolveType: byTypename },
        Asset: { __resolveType: byTypename },
        Named: { __resolveType: byTypename },
        Item: { __resolveType: byTypename },
        Container: { __resolveType: byTypename },
        Anything: { __resolveType: byTypename },
      },
    }),
  );
}

let issued: Issued;
let strict: TestServer;
let partial: TestServer;
const tokens: Record<'user' | 'staff' | 'admin', string> = { user: '', staff: '', admin: '' };

beforeAll(async () => {
  issued = await startIssuer();
  const schema = buildSchema();
  strict = await startYoga(schema, issued.verifier);
  partial = await startYoga(schema, issued.verifier, { partialResults: true });
  tokens.user = await issued.token({ sub: 'user' });
  tokens.staff = await issued.token({ sub: 'staff', roles: ['staff'] });
  tokens.admin = await issued.token({ sub: 'admin', roles: ['admin', 'staff'] });
});

afterAll(async () => {
  await strict?.close();
  await partial?.close();
  await issued?.issuer.close();
});

beforeEach(() => {
  calls = [];
});

const codes = (body: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);

describe('rules inherited through interfaces', () => {
  test.each([
    ['an object of an interface with a type-level rule', '{ gems { carat } }'],
    ['its __typename', '{ gems { __typename } }'],
    ['an interface implementing that interface', '{ assets { label } }'],
    ['the interface itself', '{ entity { id } }'],
    ['a spread of the protected interface inside a union', '{ anything { ... on Entity { id } } }'],
    ['a nested interface spread inside a union', '{ anything { ... on Asset { ... on Gem { carat } } } }'],
  ])('%s is denied to a non-admin before anything runs', async (_, query) => {
    const res = await strict.query(query, { token: tokens.staff });
    expect(res.status).toBe(403);
    expect(res.body.data).toBeUndefined();
    expect(codes(res.body)).toEqual(['FORBIDDEN']);
    expect(calls).toEqual([]);
    expect(res.text).not.toMatch(/Gem|Entity|admin|ruby/);
  });

  test('an admin reads them', async () => {
    const res = await strict.query('{ gems { carat } assets { label } entity { id } }', { token: tokens.admin });
    expect(res.body).toEqual({ data: { gems: [{ carat: 3 }], assets: [{ label: 'ruby' }], entity: { id: 'g1' } } });
  });

  test("an object field inherits its interface field's rule, reached directly or through the interface", async () => {
    for (const query of [
      '{ person { name } }',
      '{ named { name } }',
      '{ named { ... on Person { name } } }',
      '{ anything { ... on Named { name } } }',
      '{ anything { ... on Person { name } } }',
    ]) {
      const res = await strict.query(query, { token: tokens.user });
      expect(res.status, query).toBe(403);
      expect(res.text).not.toContain('Ada');
    }
    expect(calls).toEqual([]);
    expect((await strict.query('{ person { name } }', { token: tokens.staff })).body).toEqual({
      data: { person: { name: 'Ada' } },
    });
  });
});

describe('covariant interface fields', () => {
  test('an implementation that narrows the field type to one with a protected field is guarded at run time', async () => {
    const res = await strict.query('{ containers { __typename item { label } } }', { token: tokens.staff });
    expect(res.body.data).toEqual({
      containers: [
        { __typename: 'Box', item: { label: null } },
        { __typename: 'Crate', item: { label: 'plain label' } },
      ],
    });
    expect(codes(res.body)).toEqual(['FORBIDDEN']);
    expect(res.body.errors?.[0]?.path).toEqual(['containers', 0, 'item', 'label']);
    expect(res.text).not.toContain('gadget label');
  });

  test('selecting the protected field on the concrete type is rejected statically', async () => {
    const res = await strict.query('{ containers { ... on Box { item { label } } } }', { token: tokens.staff });
    expect(res.status).toBe(403);
    expect(calls).toEqual([]);
  });

  test('an admin reads it', async () => {
    const res = await strict.query('{ containers { item { label } } }', { token: tokens.admin });
    expect(res.body).toEqual({
      data: { containers: [{ item: { label: 'gadget label' } }, { item: { label: 'plain label' } }] },
    });
  });
});

describe('recursive types', () => {
  test('a protected type deep in a recursive selection is rejected', async () => {
    for (const query of [
      '{ root { children { children { children { locked { code } } } } } }',
      '{ root { children { parent { parent { locked { __typename } } } } } }',
      '{ root { ...F } } fragment F on Folder { name children { ...G } } fragment G on Folder { children { locked { code } } }',
    ]) {
      const res = await strict.query(query, { token: tokens.staff });
      expect(res.status, query).toBe(403);
    }
    expect(calls).toEqual([]);
  });

  test('a deep public selection is fine', async () => {
    const res = await strict.query('{ root { children { children { children { name } } } } }', { token: tokens.user });
    expect(res.body).toEqual({ data: { root: { children: [{ children: [{ children: [{ name: 'f3' }] }] }] } } });
  });
});

describe('unions with a protected member', () => {
  test('a nullable list item becomes null with an error, its type name hidden', async () => {
    const res = await strict.query('{ anything { __typename } }', { token: tokens.staff });
    expect(res.body.data).toEqual({
      anything: [{ __typename: 'Gem' }, { __typename: 'Person' }, null, { __typename: 'Folder' }].map((item, i) =>
        // Gem inherits Entity's admin rule: hidden too.
        i === 0 ? null : item,
      ),
    });
    expect(codes(res.body)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(res.text).not.toMatch(/Gem|Locked|4242/);
  });

  test('partial results: a denied non-null list nulls its parent, here the whole data', async () => {
    const res = await partial.query('{ health gems { carat } }', { token: tokens.user });
    expect(res.body.data).toBeNull();
    expect(codes(res.body)).toEqual(['FORBIDDEN']);
    expect(calls).toEqual([]);
  });

  test('a non-null list propagates the null as the schema says', async () => {
    const res = await strict.query('{ health strictAnything { __typename } }', { token: tokens.staff });
    expect(res.body.data).toBeNull();
    expect(codes(res.body)).toEqual(['FORBIDDEN']);
    expect(res.text).not.toMatch(/Locked|4242/);
  });

  test('anonymous callers get UNAUTHENTICATED', async () => {
    const res = await strict.query('{ anything { __typename } }');
    expect(new Set(codes(res.body))).toEqual(new Set(['UNAUTHENTICATED']));
  });
});

describe('mutations', () => {
  test('a mutation returning a protected type is rejected before it runs, with the allowed one before it', async () => {
    const res = await strict.query('mutation { touch makeLocked { code } }', { token: tokens.staff });
    expect(res.status).toBe(403);
    expect(calls).toEqual([]);
  });

  test('a crafted operationName cannot poison the cached verdict of the same document', async () => {
    const document = 'mutation { touch makeLocked { code } }';
    // No operation has these names: the request fails, and must leave no verdict behind for others.
    for (const operationName of ['\u0001', '', 'null', '\u0000', 'touch']) {
      const res = await strict.query(document, { token: tokens.staff, operationName });
      expect(res.body.data ?? null, JSON.stringify(operationName)).toBeNull();
    }
    expect(calls).toEqual([]);
    const res = await strict.query(document, { token: tokens.staff });
    expect(res.status).toBe(403);
    expect(res.body.data).toBeUndefined();
    expect(calls).toEqual([]);
  });

  test('even selecting only __typename of a protected type stops the mutation', async () => {
    const res = await strict.query('mutation { touch makeLocked { __typename } }', { token: tokens.staff });
    expect(res.status).toBe(403);
    expect(calls).toEqual([]);
  });

  test('a mutation returning a union that resolves to a protected member hides the object', async () => {
    const res = await strict.query('mutation { makeAnything { __typename } }', { token: tokens.staff });
    expect(res.body.data).toEqual({ makeAnything: null });
    expect(codes(res.body)).toEqual(['FORBIDDEN']);
    expect(res.text).not.toMatch(/Locked|4242/);
  });

  test('partial results: the denied mutation never runs, the allowed one does', async () => {
    const res = await partial.query('mutation { touch makeLocked { code } }', { token: tokens.staff });
    expect(res.body.data).toEqual({ touch: 0, makeLocked: null });
    expect(codes(res.body)).toEqual(['FORBIDDEN']);
    expect(calls).toEqual(['touch']);
  });
});

describe('partial results', () => {
  test('denied fields are null, non-null fields propagate, nothing hidden runs', async () => {
    const res = await partial.query('{ health person { name nickname } entity { id } root { locked { code } } }', {
      token: tokens.user,
    });
    expect(res.body.data).toEqual({ health: 'ok', person: null, entity: null, root: { locked: null } });
    expect(new Set(codes(res.body))).toEqual(new Set(['FORBIDDEN']));
    expect(calls).not.toContain('entity');
    expect(res.text).not.toMatch(/ruby|4242|Ada/);
  });
});

describe('the verdict cache', () => {
  test('an operationName that names no operation cannot poison the verdict of the same document', async () => {
    // One parsed document, as servers cache it, run with a verified caller.
    const executor = createAuthExecutor();
    const schema = buildSchema();
    const document = parse('mutation { touch makeLocked { code } }');
    const staff = await issued.verifier.verify(tokens.staff);
    const run = (operationName?: string) =>
      executor.execute({ schema, document, contextValue: { user: staff }, operationName }) as Promise<ExecutionResult>;
    for (const name of ['\u0001', '', 'null', '\u0000\u0000', '"x"']) {
      const poisoned = await run(name);
      expect(poisoned.data ?? null).toBeNull();
    }
    const result = await run();
    expect(result.data).toBeUndefined();
    expect(result.errors?.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect(calls).toEqual([]);
  });

  test('an unvalidated document that repeats an operation name is judged by the one graphql-js runs', async () => {
    const executor = createAuthExecutor();
    const schema = buildSchema();
    const staff = await issued.verifier.verify(tokens.staff);
    for (const source of [
      'query A { health } query A { root { locked { code } } }',
      'query A { health } fragment F on Query { health } query A { ...F root { locked { code } } }',
    ]) {
      const result = (await executor.execute({
        schema,
        document: parse(source),
        contextValue: { user: staff },
        operationName: 'A',
      })) as ExecutionResult;
      expect(result.data).toBeUndefined();
      expect(result.errors?.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
    }
    expect(calls).toEqual([]);
  });

  test('a fragment defined twice is judged by the definition graphql-js uses (the last)', async () => {
    const executor = createAuthExecutor();
    const schema = buildSchema();
    const staff = await issued.verifier.verify(tokens.staff);
    const result = (await executor.execute({
      schema,
      document: parse('{ ...F } fragment F on Query { health } fragment F on Query { root { locked { code } } }'),
      contextValue: { user: staff },
    })) as ExecutionResult;
    expect(result.data).toBeUndefined();
    expect(calls).toEqual([]);
  });

  test.each([
    ['a list', 'query ($v: [Boolean]) { root { locked @skip(if: $v) { code } } }', { v: true }],
    ['an undeclared variable', 'query { root { locked @skip(if: $v) { code } } }', { v: true }],
    ['a String', 'query ($v: String) { root { locked @skip(if: $v) { code } } }', { v: true }],
  ])('an unvalidated @skip on %s is never read as "skip"', async (_, source, variableValues) => {
    const executor = createAuthExecutor();
    const schema = buildSchema();
    const staff = await issued.verifier.verify(tokens.staff);
    const result = (await executor.execute({
      schema,
      document: parse(source),
      contextValue: { user: staff },
      variableValues,
    })) as ExecutionResult;
    expect(JSON.stringify(result)).not.toContain('4242');
  });

  test("a fragment's own variable is never read as the operation's variable of the same name", async () => {
    // graphql 17 (fragment arguments) scopes `$v` to the fragment, where it defaults to false and
    // `locked` runs; graphql 16 (legacy fragment variables) reads the operation's. Both are checked.
    const executor = createAuthExecutor();
    const schema = buildSchema();
    const staff = await issued.verifier.verify(tokens.staff);
    const parseOptions = { allowLegacyFragmentVariables: true, experimentalFragmentArguments: true };
    const document = parse(
      'query ($v: Boolean! = true) { health @include(if: $v) root { ...F } }' +
        ' fragment F($v: Boolean! = false) on Folder { locked @skip(if: $v) { code } }',
      parseOptions as Parameters<typeof parse>[1],
    );
    const result = (await executor.execute({
      schema,
      document,
      contextValue: { user: staff },
      variableValues: { v: true },
    })) as ExecutionResult;
    expect(JSON.stringify(result)).not.toContain('4242');
    expect(result.errors?.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect(calls).toEqual([]);
  });
});
