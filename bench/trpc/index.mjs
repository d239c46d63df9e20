// tRPC overhead of Gatehouse, through fetchRequestHandler in-process (Request in, Response out),
// side by side in one run: the same query with no auth at all, with Gatehouse (repeated token:
// verified-token cache hit; cold: a verifier without cache, so RS256 is verified on every call),
// and, for reference, jose's jwtVerify and fast-jwt (with its cache) in a plain tRPC middleware.
// Build first: `npx tsc -b tsconfig.build.json` (this imports the built packages).
import { createPublicKey, verify } from 'node:crypto';
import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 700);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const URL = 'http://localhost/trpc/me';

const issuer = await createTestIssuer({ audience: 'api' });
const token = await issuer.sign({ sub: 'bench-user', roles: ['admin'], permissions: ['reports:read'] });
const authorization = `Bearer ${token}`;
const payloadOf = (user) => ({ id: user.id ?? user.sub, n: user.roles.length });

/** A router whose `me` query returns a small object: the same work in every variant. */
function plainRouter(middleware) {
  const t = initTRPC.context().create();
  const procedure = middleware ? t.procedure.use(middleware) : t.procedure;
  return t.router({ me: procedure.query(({ ctx }) => (ctx.user ? payloadOf(ctx.user) : { id: 'anon', n: 0 })) });
}

function gatehouseRouter() {
  const t = initTRPC.context().meta().create();
  const { protectedProcedure } = gatehouse(t);
  return t.router({ me: protectedProcedure.meta({ roles: ['admin'] }).query(({ ctx }) => payloadOf(ctx.user)) });
}

const bearer = (req) => req.headers.get('authorization')?.slice(7) ?? '';
const unauthorized = () => new TRPCError({ code: 'UNAUTHORIZED' });

const joseKeys = createLocalJWKSet(issuer.jwks());
const joseRouter = plainRouter(async ({ ctx, next }) => {
  try {
    const { payload } = await jwtVerify(bearer(ctx.req), joseKeys, { issuer: issuer.issuer, algorithms: ['RS256'] });
    return next({ ctx: { user: payload } });
  } catch {
    throw unauthorized();
  }
});

const fastJwt = createFastJwtVerifier({
  key: issuer.publicKeyPem(),
  algorithms: ['RS256'],
  allowedIss: issuer.issuer,
  cache: true,
});
const fastJwtRouter = plainRouter(async ({ ctx, next }) => {
  try {
    return next({ ctx: { user: fastJwt(bearer(ctx.req)) } });
  } catch {
    throw unauthorized();
  }
});

// The floor of any cold verification: node:crypto's RS256 signature check alone, no claims, no user.
const publicKey = createPublicKey(issuer.publicKeyPem());
const floorRouter = plainRouter(async ({ ctx, next }) => {
  const jwt = bearer(ctx.req);
  const dot = jwt.lastIndexOf('.');
  if (!verify('sha256', Buffer.from(jwt.slice(0, dot)), publicKey, Buffer.from(jwt.slice(dot + 1), 'base64url'))) {
    throw unauthorized();
  }
  return next({ ctx: { user: { id: 'bench-user', roles: [] } } });
});

const cachedVerifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
const coldVerifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer, cache: false });

function call(router, createContext, headers) {
  return async () => {
    const res = await fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request(URL, { headers }),
      router,
      createContext,
    });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.text();
  };
}

const withAuth = { authorization };
// The baseline is the same request (Authorization header included: building a Request with an
// 800-character header is part of the call whatever the server does with it) served with no auth.
const tasks = [
  ['no auth at all, same request (baseline)', call(plainRouter(), () => ({}), withAuth)],
  ['no auth at all, no header', call(plainRouter(), () => ({}), {})],
  ['gatehouse, repeated token (cache hit)', call(gatehouseRouter(), createGatehouseContext(cachedVerifier), withAuth)],
  ['gatehouse, cold RS256 (cache: false)', call(gatehouseRouter(), createGatehouseContext(coldVerifier), withAuth)],
  [
    'node:crypto RS256 signature only in a middleware (floor of a cold call)',
    call(floorRouter, ({ req }) => ({ req }), withAuth),
  ],
  ['jose jwtVerify in a middleware (every call)', call(joseRouter, ({ req }) => ({ req }), withAuth)],
  ['fast-jwt in a middleware (cache: true)', call(fastJwtRouter, ({ req }) => ({ req }), withAuth)],
];
for (const [name, fn] of tasks) {
  await fn().catch((error) => {
    throw new Error(`${name}: ${error.message}`);
  });
}

// Several short rounds, each running every variant: the median per variant is less sensitive to
// what else the machine is doing than one long run of each.
const samples = tasks.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 200 });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  bench.tasks.forEach((task, i) => {
    const result = task.result;
    if (result?.state !== 'completed') throw new Error(`${task.name}: ${result?.state} ${result?.error ?? ''}`);
    samples[i].push({ mean: result.period * 1000, p99: result.latency.p99 * 1000 });
  });
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = tasks.map(([name], i) => ({
  name,
  mean: median(samples[i].map((s) => s.mean)),
  p99: median(samples[i].map((s) => s.p99)),
}));
const baseline = rows[0].mean;
console.log(
  `Node ${process.version}; one \`me\` query through fetchRequestHandler; median of ${ROUNDS} rounds of ${TIME_MS} ms per variant.\n`,
);
console.log('| variant | ops/s | mean µs | p99 µs | × baseline |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) {
  const ops = Math.round(1e6 / row.mean).toLocaleString('en-US');
  console.log(
    `| ${row.name} | ${ops} | ${row.mean.toFixed(2)} | ${row.p99.toFixed(2)} | ${(row.mean / baseline).toFixed(2)}× |`,
  );
}
console.log('\nGoals: repeated token ≤ 1.10×, cold RS256 ≤ 1.30× the baseline.');
await issuer.close();
