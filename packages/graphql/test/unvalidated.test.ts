import { envelop, useEngine, useSchema } from '@envelop/core';
import type { AuthUser } from '@gatehousejs/core';
import { createAuthExecutor } from '@gatehousejs/graphql';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { type ExecutionResult, execute, parse, subscribe } from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestSchema } from './support/schema.js';
import { type Issued, startIssuer, startYoga, type TestServer } from './support/server.js';

// Documents that never went through `validate`: plain `execute`, envelop without a validate step,
// and yoga with validation switched off. graphql-js executes them as they are; Gatehouse must
// never call "allowed" a document it reads differently, so nothing protected may come back.

const PROTECTED_DATA = /ada@example\.com|grace@example\.com|the launch code|"1234"|for admins/;

let issued: Issued;
let member: AuthUser;
let memberToken: string;
let yoga: TestServer;
const yogaApp = buildTestSchema();

beforeAll(async () => {
  issued = await startIssuer();
  memberToken = await issued.token({ sub: 'member' });
  member = await issued.verifier.verify(memberToken);
  yoga = await startYoga(yogaApp.schema, issued.verifier, {
    yoga: { plugins: [{ onValidate: ({ setResult }: { setResult: (errors: unknown[]) => void }) => setResult([]) }] },
  });
});
afterAll(async () => {
  await yoga?.close();
  await issued?.issuer.close();
});

interface Run {
  result: ExecutionResult;
  effects: ReturnType<typeof buildTestSchema>['effects'];
}

type Caller = 'anonymous' | 'member';
interface Request {
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** The three ways an unvalidated document reaches Gatehouse. */
const RUNNERS: Record<string, (query: string, caller: Caller, request?: Request) => Promise<Run>> = {
  async 'plain execute'(query, caller, request = {}) {
    const { schema, effects } = buildTestSchema();
    const result = (await createAuthExecutor({ verifier: issued.verifier }).execute({
      schema,
      document: parse(query),
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: { user: caller === 'member' ? member : null },
    })) as ExecutionResult;
    return { result, effects };
  },
  async 'envelop without validation'(query, caller, request = {}) {
    const { schema, effects } = buildTestSchema();
    const getEnveloped = envelop({
      plugins: [
        useEngine({ parse, execute, subscribe }),
        useSchema(schema),
        useGatehouse({ verifier: issued.verifier }),
      ],
    });
    const headers = new Headers(caller === 'member' ? { authorization: `Bearer ${memberToken}` } : {});
    const enveloped = getEnveloped({ request: new Request('http://127.0.0.1/graphql', { headers }) });
    const contextValue = await enveloped.contextFactory();
    const result = await enveloped.execute({
      schema: enveloped.schema,
      document: enveloped.parse(query),
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue,
    });
    return { result: JSON.parse(JSON.stringify(result)) as ExecutionResult, effects };
  },
  async 'yoga without validation'(query, caller, request = {}) {
    const { effects } = yogaApp;
    const before = { uploads: effects.uploads, purges: effects.purges, calls: effects.calls.length };
    const res = await yoga.query(query, { ...request, token: caller === 'member' ? memberToken : undefined });
    return {
      result: res.body as ExecutionResult,
      effects: {
        uploads: effects.uploads - before.uploads,
        purges: effects.purges - before.purges,
        secretsCreated: effects.secretsCreated,
        calls: effects.calls.slice(before.calls),
      },
    };
  },
};

const codes = (result: ExecutionResult) =>
  (result.errors ?? []).map((e) => (e.extensions as { code?: unknown } | undefined)?.code);

function expectDenied(run: Run, caller: Caller) {
  expect(JSON.stringify(run.result)).not.toMatch(PROTECTED_DATA);
  expect(codes(run.result)).toContain(caller === 'member' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  expect(run.effects.uploads).toBe(0);
  expect(run.effects.purges).toBe(0);
  expect(run.effects.calls).not.toContain('uploadFile');
}

/** Shapes graphql-js executes differently from what a naive reading of the document says. */
const SHAPES: [string, string, Request?][] = [
  ['a field of an implementation selected on an interface', '{ node(id: "user-1") { email } }'],
  ['a field selected directly on a union', '{ search(term: "a") { email } }'],
  ['a field of one implementation selected on another interface', '{ named { email } }'],
  ['a field in a named fragment on a union', '{ search(term: "a") { ...F } } fragment F on SearchResult { email }'],
  ['a field in a fragment on an interface', '{ node(id: "user-1") { ...F } } fragment F on Node { email }'],
  ['an inline fragment without a type condition on an interface', '{ node(id: "user-1") { ... { email } } }'],
  ['@skip repeated (graphql-js reads the first)', '{ users { email @skip(if: false) @skip(if: true) } }'],
  ['@include repeated (graphql-js reads the first)', '{ users { email @include(if: true) @include(if: false) } }'],
  ['@skip with a repeated argument (graphql-js reads the last)', '{ users { email @skip(if: true, if: false) } }'],
  [
    '@include with a repeated argument (graphql-js reads the last)',
    '{ users { email @include(if: false, if: true) } }',
  ],
  [
    'a repeated argument from a variable',
    'query ($yes: Boolean!) { users { email @skip(if: $yes, if: false) } }',
    { variables: { yes: true } },
  ],
  ['a repeated directive on an inline fragment', '{ users { ... @skip(if: false) @skip(if: true) { email } } }'],
  [
    'a repeated directive on a fragment spread',
    '{ users { ...M @include(if: true) @include(if: false) } } fragment M on User { email }',
  ],
  ['two fields under one response key', '{ x: users { id } x: vault { email } }'],
  ['one response key through an inline fragment', '{ ... { x: users { id } } x: vault { email } }'],
  ['one response key through a named fragment', '{ x: users { id } ...V } fragment V on Query { x: vault { email } }'],
  ['one response key shared with a leaf', '{ x: users { id } x: health { email } }'],
  [
    'an operation name given twice',
    'query A { health } query A { users { email @skip(if: true, if: false) } }',
    { operationName: 'A' },
  ],
];

describe.each(Object.keys(RUNNERS))('an unvalidated document through %s', (runner) => {
  const run = RUNNERS[runner] as (typeof RUNNERS)[string];

  test.each(SHAPES)('%s', async (_, query, request) => {
    expectDenied(await run(query, 'anonymous', request), 'anonymous');
    expectDenied(await run(query, 'member', request), 'member');
  });

  test.each([
    ['a repeated directive', 'mutation { uploadFile(name: "x") @skip(if: false) @skip(if: true) { id } }'],
    ['a repeated argument', 'mutation { uploadFile(name: "x") @include(if: false, if: true) { id } }'],
    ['an inline fragment', 'mutation { ... @skip(if: true, if: false) { uploadFile(name: "x") { id } } }'],
    ['a shared response key', 'mutation { x: uploadFile(name: "x") { id } x: createSecret(value: "v") { nope } }'],
  ])('a protected mutation behind %s has no side effect', async (_, query) => {
    expectDenied(await run(query, 'anonymous'), 'anonymous');
    expectDenied(await run(query, 'member'), 'member');
  });

  test('a protected type named by __typename stays hidden', async () => {
    const outcome = await run('{ search(term: "e") { __typename @skip(if: true, if: false) } }', 'member');
    expect(JSON.stringify(outcome.result)).not.toContain('Secret');
    expect(codes(outcome.result)).toContain('FORBIDDEN');
  });

  test('unknown fields and a selection under a leaf are harmless', async () => {
    const outcome = await run('{ health { email } nope users { id nope { email } } }', 'anonymous');
    expect(JSON.stringify(outcome.result)).not.toMatch(PROTECTED_DATA);
    expect(outcome.result.data).toMatchObject({ health: 'ok', users: [{ id: 'user-1' }, { id: 'user-2' }] });
  });

  test('a valid document that reuses a response key for another field still runs, guarded', async () => {
    const outcome = await run('{ name: health users { name } me { id: name } }', 'member');
    expect(outcome.result).toEqual({
      data: { name: 'ok', users: [{ name: 'Ada' }, { name: 'Grace' }], me: { id: 'member' } },
    });
  });

  test('a readable unvalidated document still runs', async () => {
    const outcome = await run('{ health users { id name } }', 'anonymous');
    expect(outcome.result).toEqual({
      data: {
        health: 'ok',
        users: [
          { id: 'user-1', name: 'Ada' },
          { id: 'user-2', name: 'Grace' },
        ],
      },
    });
  });
});

describe('subscriptions from unvalidated documents', () => {
  test.each([
    ['a protected field of each event', 'subscription { ticks { n secretNote @skip(if: true, if: false) } }'],
    ['a protected root field', 'subscription { ticks { n } adminTicks @include(if: false, if: true) { n } }'],
    ['a shared response key', 'subscription { x: ticks { n } x: adminTicks { secretNote } }'],
  ])('%s is refused at subscribe', async (_, source) => {
    const { schema } = buildTestSchema();
    const result = await createAuthExecutor({ verifier: issued.verifier }).subscribe({
      schema,
      document: parse(source),
      contextValue: { user: member },
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect(codes(result as ExecutionResult)).toEqual(['FORBIDDEN']);
  });
});
