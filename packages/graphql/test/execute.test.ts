import { envelop, useEngine, useSchema } from '@envelop/core';
import { type AuthDecision, type AuthUser, createVerifier, GatehouseConfigError } from '@gatehousejs/core';
import { authDirective, createAuthExecutor, listFieldRequirements } from '@gatehousejs/graphql';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import {
  type DocumentNode,
  execute,
  GraphQLID,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  specifiedRules,
  subscribe,
  validate,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestSchema } from './support/schema.js';
import { type Issued, startIssuer } from './support/server.js';

let issued: Issued;
let admin: AuthUser;
let reader: AuthUser;
let nobody: AuthUser;
beforeAll(async () => {
  issued = await startIssuer();
  admin = await issued.verifier.verify(await issued.token({ sub: 'a', roles: ['admin'] }));
  reader = await issued.verifier.verify(await issued.token({ sub: 'r', roles: ['read-only'] }));
  nobody = await issued.verifier.verify(await issued.token({ sub: 'n' }));
});
afterAll(async () => {
  await issued?.issuer.close();
});

/** A code-first schema: requirements live in `extensions`. */
function codeFirst() {
  const calls: string[] = [];
  const traced = <T>(name: string, value: T): T => {
    calls.push(name);
    return value;
  };
  const Node = new GraphQLInterfaceType({
    name: 'Node',
    fields: { id: { type: new GraphQLNonNull(GraphQLID) } },
    resolveType: (value: { kind: string }) => value.kind,
  });
  const Area = new GraphQLObjectType({ name: 'Area', fields: { area: { type: new GraphQLNonNull(GraphQLString) } } });
  const Document = new GraphQLObjectType({
    name: 'Document',
    interfaces: [Node],
    fields: { id: { type: new GraphQLNonNull(GraphQLID) }, title: { type: GraphQLString } },
  });
  const Classified = new GraphQLObjectType({
    name: 'Classified',
    interfaces: [Node],
    extensions: { auth: { roles: ['admin'] } },
    fields: { id: { type: new GraphQLNonNull(GraphQLID) }, payload: { type: GraphQLString } },
  });
  const items = [
    { kind: 'Document', id: 'd1', title: 'Hello' },
    { kind: 'Classified', id: 'c1', payload: 'eyes only' },
  ];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        health: { type: GraphQLString, resolve: () => 'ok' },
        home: {
          type: Area,
          extensions: { auth: { roles: ['admin', 'read-only'] } },
          resolve: () => traced('home', { area: 'home' }),
        },
        admin: {
          type: Area,
          extensions: { auth: { roles: ['admin'] } },
          resolve: () => traced('admin', { area: 'admin' }),
        },
        classified: { type: Classified, resolve: () => traced('classified', items[1]) },
        nodes: { type: new GraphQLList(Node), resolve: () => items },
      },
    }),
    types: [Document, Classified],
  });
  return { schema: authDirective().authDirectiveTransformer(schema), calls };
}

describe('plain execute without yoga', () => {
  const gate = createAuthExecutor();

  test('code-first requirements from extensions', () => {
    const { schema } = codeFirst();
    expect(Object.fromEntries(listFieldRequirements(schema).map((f) => [f.path, f.description]))).toMatchObject({
      'Query.home': 'roles: admin | read-only',
      'Query.admin': 'roles: admin',
      'Query.classified': 'roles: admin',
      'Classified.payload': 'roles: admin',
      'Query.nodes': 'public',
    });
  });

  test('a denied operation returns the error and runs no resolver', async () => {
    const { schema, calls } = codeFirst();
    const document = parse('{ home { area } admin { area } }');
    const result = await gate.execute({ schema, document, contextValue: { user: reader } });
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      errors: [
        {
          message: 'Insufficient permissions',
          path: ['admin'],
          locations: [{ line: 1, column: 17 }],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
    expect(calls).toEqual([]);
    const anonymous = await gate.execute({ schema, document, contextValue: {} });
    expect(JSON.parse(JSON.stringify(anonymous))).toEqual({
      errors: [
        {
          message: 'Authentication required',
          path: ['home'],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    const allowed = await gate.execute({ schema, document, contextValue: { user: admin } });
    expect(allowed).toEqual({ data: { home: { area: 'home' }, admin: { area: 'admin' } } });
  });

  test('protected types behind an interface are guarded at run time', async () => {
    const { schema } = codeFirst();
    const document = parse('{ nodes { id __typename } }');
    const result = await gate.execute({ schema, document, contextValue: { user: reader } });
    expect(result.data).toEqual({ nodes: [{ id: 'd1', __typename: 'Document' }, null] });
    expect(result.errors?.map((e) => [e.message, e.path, e.extensions])).toEqual([
      ['Insufficient permissions', ['nodes', 1], { code: 'FORBIDDEN' }],
    ]);
    expect(JSON.stringify(result)).not.toContain('Classified');
  });

  test('partial results option', async () => {
    const { schema, calls } = codeFirst();
    const partial = createAuthExecutor({ partialResults: true });
    const result = await partial.execute({
      schema,
      document: parse('{ health home { area } admin { area } }'),
      contextValue: { user: reader },
    });
    expect(result.data).toEqual({ health: 'ok', home: { area: 'home' }, admin: null });
    expect(calls).toEqual(['home']);
  });

  test('incremental results (graphql 17 @defer) keep the caller until the last deferred payload', async () => {
    const { schema } = codeFirst();
    // The shape of graphql 17's experimentalExecuteIncrementally: the deferred part executes only
    // when the caller reads subsequentResults, after execute has returned.
    const incremental = createAuthExecutor({
      execute: (args) => ({
        initialResult: { data: {}, hasNext: true },
        subsequentResults: (async function* () {
          yield await execute(args);
        })(),
      }),
    });
    const deferred = async (user: AuthUser, source: string) => {
      const result = await incremental.execute({
        schema,
        document: parse(source),
        contextValue: { user },
      });
      if (!('subsequentResults' in result)) throw new Error('expected incremental results');
      const payloads: unknown[] = [];
      for await (const payload of result.subsequentResults) payloads.push(payload);
      return { payloads };
    };
    const allowed = await deferred(admin, '{ nodes { id ... on Classified { payload } } }');
    expect(allowed.payloads).toEqual([{ data: { nodes: [{ id: 'd1' }, { id: 'c1', payload: 'eyes only' }] } }]);
    // Objects of a protected type behind an interface are still guarded in the deferred part.
    const denied = await deferred(reader, '{ nodes { id } }');
    expect(JSON.stringify(denied.payloads)).not.toContain('c1');
    expect(JSON.stringify(denied.payloads)).toContain('FORBIDDEN');
  });

  test('a transformed schema executed without Gatehouse fails closed', async () => {
    const { schema, calls } = codeFirst();
    const result = await execute({
      schema,
      document: parse('{ health admin { area } nodes { id } }'),
      contextValue: { user: admin },
    });
    expect(result.data).toEqual({ health: 'ok', admin: null, nodes: [{ id: 'd1' }, null] });
    expect(result.errors?.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(calls).toEqual([]);
  });

  test('a schema that was never transformed is refused', () => {
    const plain = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { a: { type: GraphQLString } } }),
    });
    expect(() => gate.execute({ schema: plain, document: parse('{ a }') })).toThrow(GatehouseConfigError);
  });

  test('a context object reused across executions never carries one caller verdict into another', async () => {
    const { schema } = buildTestSchema();
    const context: { user: AuthUser | null } = { user: admin };
    const named = parse('{ named { name } }');
    expect((await gate.execute({ schema, document: named, contextValue: context })).errors).toBeUndefined();
    context.user = nobody;
    const second = await gate.execute({ schema, document: named, contextValue: context });
    expect(second.data).toEqual({ named: [{ name: 'Ada' }, null] });

    // Two concurrent executions sharing one context: each keeps its own verdict.
    context.user = reader;
    const [a, b] = await Promise.all([
      gate.execute({ schema, document: parse('{ health home { area } }'), contextValue: context }),
      gate.execute({ schema, document: named, contextValue: context }),
    ]);
    expect(a).toEqual({ data: { health: 'ok', home: { area: 'home' } } });
    expect(b.data).toEqual({ named: [{ name: 'Ada' }, null] });
  });

  test('a repeated document is judged once per caller profile', async () => {
    const { schema } = buildTestSchema();
    const { document, reads } = countingDocument('{ health users { name email } }');
    const run = (user: AuthUser) => gate.execute({ schema, document, contextValue: { user } });
    expect((await run(admin)).errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    const first = reads();
    expect((await run(admin)).errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(reads()).toBe(first); // rejected from the cache: the document was not walked again
    // Another caller with other roles gets their own verdict, not the cached one.
    const reader2 = await issued.verifier.verify(await issued.token({ sub: 'e', permissions: ['users:email'] }));
    expect((await run(reader2)).errors).toBeUndefined();
    const afterReader = reads();
    expect((await run(reader2)).errors).toBeUndefined();
    // Execution itself reads the selections once; the pre-execution pass did not.
    expect(reads() - afterReader).toBe(1);
  });
});

/** A parsed document that counts how often its operation's selections are read. */
function countingDocument(source: string): { document: DocumentNode; reads: () => number } {
  const parsed = parse(source);
  let count = 0;
  const [operation] = parsed.definitions;
  const selectionSet = (operation as { selectionSet: object }).selectionSet;
  const counted = new Proxy(selectionSet, {
    get(target, key, receiver) {
      if (key === 'selections') count++;
      return Reflect.get(target, key, receiver);
    },
  });
  const document = {
    ...parsed,
    definitions: [{ ...(operation as object), selectionSet: counted }],
  } as unknown as DocumentNode;
  return { document, reads: () => count };
}

describe('the pre-execution pass', () => {
  test('a document of fragments spread many times over is walked once per fragment', async () => {
    const { schema } = buildTestSchema();
    const depth = 40; // 2^40 paths if every spread were walked again
    const fragments = Array.from(
      { length: depth },
      (_, i) => `fragment F${i} on Query { health ${i + 1 < depth ? `...F${i + 1} ...F${i + 1}` : 'admin { area }'} }`,
    ).join('\n');
    const document = parse(`{ ...F0 }\n${fragments}`);
    const result = await createAuthExecutor().execute({ schema, document, contextValue: { user: reader } });
    expect(result.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
  });

  /** A verifier of the test issuer that records every decision it observes. */
  const observedVerifier = () => {
    const decisions: AuthDecision[] = [];
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: issued.issuer.jwksUri,
      issuer: issued.issuer.issuer,
      onDecision: (d) => decisions.push(d),
    });
    return { verifier, decisions };
  };

  test('denials are reported to the verifier decision hook, without the token', async () => {
    const { verifier, decisions } = observedVerifier();
    const { schema } = buildTestSchema();
    const user = await verifier.verify(await issued.token({ sub: 'audited' }));
    await createAuthExecutor({ verifier }).execute({
      schema,
      document: parse('{ billing }'),
      contextValue: { user },
    });
    expect(decisions).toContainEqual(
      expect.objectContaining({ type: 'forbidden', userId: 'audited', code: 'FORBIDDEN' }),
    );
  });

  test('each request is decided once per requirement: rejected before execution, or at run time', async () => {
    const { verifier, decisions } = observedVerifier();
    const { schema } = buildTestSchema();
    const user = await verifier.verify(await issued.token({ sub: 'once' }));
    const authorization = () => decisions.filter((d) => d.type !== 'authenticated').map((d) => d.type);
    const document = parse('{ health billing }');
    for (const _ of [1, 2])
      await createAuthExecutor({ verifier }).execute({ schema, document, contextValue: { user } });
    expect(authorization()).toEqual(['forbidden', 'forbidden']);

    decisions.length = 0;
    const partial = (await createAuthExecutor({ verifier, partialResults: true }).execute({
      schema,
      document: parse('{ users { id email } }'),
      contextValue: { user },
    })) as { errors?: unknown[] };
    // Two users, two denied fields, one requirement: one decision.
    expect(partial.errors).toHaveLength(2);
    expect(authorization()).toEqual(['forbidden']);
  });
});

describe('envelop without yoga', () => {
  test('useGatehouse reads the request from the context and enforces', async () => {
    const { schema, effects } = buildTestSchema();
    const getEnveloped = envelop({
      plugins: [
        useEngine({ parse, validate, execute, subscribe, specifiedRules }),
        useSchema(schema),
        useGatehouse({ verifier: issued.verifier }),
      ],
    });
    const run = async (query: string, authorization?: string) => {
      const headers = new Headers(authorization ? { authorization } : {});
      const enveloped = getEnveloped({ request: new Request('http://127.0.0.1/graphql', { headers }) });
      const contextValue = await enveloped.contextFactory();
      return enveloped.execute({ schema: enveloped.schema, document: enveloped.parse(query), contextValue });
    };
    const token = await issued.token({ sub: 'up', permissions: ['uploadFile'] });
    expect(await run('{ me { id } }', `Bearer ${token}`)).toEqual({ data: { me: { id: 'up' } } });
    const denied = await run('mutation { purge }', `Bearer ${token}`);
    expect(JSON.parse(JSON.stringify(denied)).errors[0].extensions.code).toBe('FORBIDDEN');
    expect(effects.purges).toBe(0);
    const bad = await run('{ health }', 'Bearer nope');
    expect(JSON.parse(JSON.stringify(bad)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
