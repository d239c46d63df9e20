// GraphQL authorization overhead, side by side in one run: plain graphql-js `execute`, Gatehouse
// (pre-execution pass included), graphql-shield (graphql-middleware) and envelop's generic-auth.
// Run `npx tsc -b tsconfig.build.json` first: this imports the built packages.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { envelop, useEngine, useSchema } from '@envelop/core';
import { REQUIRES_SCOPES_DIRECTIVE_SDL, useGenericAuth } from '@envelop/generic-auth';
import { authDirective, createAuthExecutor } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse, specifiedRules, subscribe, validate } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { rule, shield } from 'graphql-shield';
import { Bench } from 'tinybench';

// Collect garbage before each task, so no variant pays for the previous one's garbage.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc');

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

const baseTypeDefs = (protect) => /* GraphQL */ `
  type Query { users(n: Int!): [User!]! }
  type User {
    id: ID!
    name: String!
    email: String ${protect}
    salary: Int ${protect}
    posts: [Post!]!
  }
  type Post { id: ID! title: String! }
`;

const data = Array.from({ length: 1000 }, (_, i) => ({
  id: `u${i}`,
  name: `User ${i}`,
  email: `user${i}@example.com`,
  salary: 1000 + i,
  posts: Array.from({ length: 3 }, (_, j) => ({ id: `p${i}-${j}`, title: `Post ${j} of ${i}` })),
}));
const resolvers = { Query: { users: (_source, { n }) => data.slice(0, n) } };

// The caller: an admin, as a verified token would give (verification is measured in bench/verify).
const admin = Object.freeze({
  id: 'admin-1',
  roles: Object.freeze(['admin']),
  permissions: Object.freeze([]),
  claims: {},
});

// 1. Plain graphql-js.
const plainSchema = makeExecutableSchema({ typeDefs: baseTypeDefs(''), resolvers });

// 2. Gatehouse.
const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();
const gatehouseSchema = authDirectiveTransformer(
  makeExecutableSchema({ typeDefs: [authDirectiveTypeDefs, baseTypeDefs('@auth(roles: ["admin"])')], resolvers }),
);
const gatehouse = createAuthExecutor();

// 3. graphql-shield through graphql-middleware.
const isAdmin = rule({ cache: 'contextual' })((_parent, _args, ctx) => ctx.user?.roles.includes('admin') ?? false);
const shieldSchema = applyMiddleware(
  makeExecutableSchema({ typeDefs: baseTypeDefs(''), resolvers }),
  shield({ User: { email: isAdmin, salary: isAdmin } }, { allowExternalErrors: true }),
);

// 4. envelop + generic-auth, directive-based (`@requiresScopes`).
const genericAuthSchema = makeExecutableSchema({
  typeDefs: [REQUIRES_SCOPES_DIRECTIVE_SDL, baseTypeDefs('@requiresScopes(scopes: [["admin"]])')],
  resolvers,
});
const getEnveloped = envelop({
  plugins: [
    useEngine({ parse, validate, execute, subscribe, specifiedRules }),
    useSchema(genericAuthSchema),
    useGenericAuth({
      mode: 'protect-granular',
      resolveUserFn: (ctx) => ctx.user,
      extractScopes: (user) => [...user.roles],
    }),
  ],
});

function check(result, label) {
  const value = result instanceof Promise ? result : Promise.resolve(result);
  return value.then((r) => {
    if (r.errors?.length) throw new Error(`${label}: ${r.errors[0].message}`);
    return r;
  });
}

async function compare(title, document, variants) {
  for (const [name, run] of variants) await check(run(document), name); // correctness, and warm caches
  const best = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS, warmupTime: 300, iterations: 8, setup: () => gc() });
    // Each round starts with another variant, so none always runs right after the same neighbour.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const [name, run] of order) bench.add(name, () => run(document));
    await bench.run();
    for (const task of bench.tasks) {
      // The median resists the machine's noise better than the mean; the best round resists it more.
      const median = task.result.latency.p50;
      if (!best.has(task.name) || median < best.get(task.name)) best.set(task.name, median);
    }
  }
  const baseline = best.get(variants[0][0]);
  console.log(`\n## ${title}\n`);
  console.log('| variant | ops/s | median (µs) | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const [name] of variants) {
    const mean = best.get(name);
    console.log(
      `| ${name} | ${Math.round(1000 / mean).toLocaleString('en-US')} | ${(mean * 1000).toFixed(1)} | ${(mean / baseline).toFixed(3)}× |`,
    );
  }
  console.log(`\n(median latency, best of ${ROUNDS} rounds of ${TIME_MS} ms per variant; ratio to the first row)`);
}

const listQuery = parse('{ users(n: 1000) { id name email salary posts { id title } } }');
await compare('users(n: 1000) with email and salary protected, as an admin', listQuery, [
  [
    'graphql-js execute (baseline)',
    (document) => execute({ schema: plainSchema, document, contextValue: { user: admin } }),
  ],
  ['Gatehouse', (document) => gatehouse.execute({ schema: gatehouseSchema, document, contextValue: { user: admin } })],
  ['graphql-shield', (document) => execute({ schema: shieldSchema, document, contextValue: { user: admin } })],
  [
    'envelop generic-auth',
    (document) => {
      const { execute: run, contextFactory, schema } = getEnveloped({ user: admin });
      return Promise.resolve(contextFactory()).then((contextValue) => run({ schema, document, contextValue }));
    },
  ],
]);

// A 3000-field document: the second request with the same document must cost next to nothing more.
const fields = Array.from({ length: 3000 }, (_, i) => `f${i}: ${['id', 'name', 'email', 'salary'][i % 4]}`).join(' ');
const bigQuery = parse(`{ users(n: 1) { ${fields} } }`);
await compare('3000-field document, repeated (pre-execution verdict cached)', bigQuery, [
  [
    'graphql-js execute, no auth (baseline)',
    (document) => execute({ schema: plainSchema, document, contextValue: { user: admin } }),
  ],
  [
    'Gatehouse, same document again',
    (document) => gatehouse.execute({ schema: gatehouseSchema, document, contextValue: { user: admin } }),
  ],
]);
