// The cost of logs and metrics on the repeated-token path (verified-token cache hit), side by side in
// one run: a hand-written cached middleware (a Map from token to user, then the role check), and
// Gatehouse with no OpenTelemetry provider, with a meter and tracer provider registered (the
// Prometheus exporter as reader), and with that plus a pino logger at info. Two levels: the check
// alone, and a whole tRPC call through fetchRequestHandler. Medians of interleaved rounds.
// Build first: `npx tsc -b tsconfig.build.json` (this imports the built packages).
import { Writable } from 'node:stream';
import { authorize, createVerifier } from '@gatehousejs/core';
import { createTestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { metrics, trace } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { pino } from 'pino';
import { runGroup } from '../verify/table.mjs';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const issuer = await createTestIssuer({ audience: 'api' });
const token = await issuer.sign({ sub: 'bench-user', roles: ['admin'], permissions: ['reports:read'] });
const authorization = `Bearer ${token}`;
const requirement = Object.freeze({ roles: Object.freeze(['admin']) });
const keys = { jwksUri: issuer.jwksUri, issuer: issuer.issuer, audience: 'api' };

// Before any provider is registered: this verifier's instruments are the no-op ones.
const plain = createVerifier(keys);
// Then the application registers its OpenTelemetry providers, as the Node SDK does at startup.
const prometheus = new PrometheusExporter({ preventServerStart: true });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheus] }));
trace.setGlobalTracerProvider(new BasicTracerProvider());
const observed = createVerifier(keys);
const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
const logged = createVerifier({ ...keys, logger: pino({ level: 'info' }, sink) });

/** The hand-written baseline: verify once (with Gatehouse, uncached), then a Map lookup per call. */
const users = new Map([[token, await createVerifier({ ...keys, cache: false }).verify(token)]]);
function handWritten(header) {
  const user = users.get(header.slice(7));
  if (!user) throw new Error('unknown token');
  if (!user.roles.includes('admin')) throw new Error('forbidden');
  return user;
}
const gatehouseCheck = (verifier) => async (header) => authorize(await verifier.verify(header.slice(7)), requirement);

for (const verifier of [plain, observed, logged]) await verifier.verify(token);

// A tRPC call: the same `me` query, with the check above in a middleware or through Gatehouse's context.
function handWrittenRouter() {
  const t = initTRPC.context().create();
  const guarded = t.procedure.use(({ ctx, next }) => {
    try {
      return next({ ctx: { user: handWritten(ctx.req.headers.get('authorization') ?? '') } });
    } catch {
      throw new TRPCError({ code: 'UNAUTHORIZED' });
    }
  });
  return t.router({ me: guarded.query(({ ctx }) => ({ id: ctx.user.id })) });
}
function gatehouseRouter() {
  const t = initTRPC.context().meta().create();
  const { protectedProcedure } = gatehouse(t);
  return t.router({ me: protectedProcedure.meta({ roles: ['admin'] }).query(({ ctx }) => ({ id: ctx.user.id })) });
}
const call = (router, createContext) => async () => {
  const res = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request('http://localhost/trpc/me', { headers: { authorization } }),
    router,
    createContext,
  });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  await res.text();
};

const checks = [
  // async, as a middleware is: the comparison is of the work, not of a promise more or less.
  ['hand-written cached middleware (Map lookup + role check)', async () => handWritten(authorization)],
  ['gatehouse, no OpenTelemetry provider', gatehouseCheck(plain).bind(null, authorization)],
  ['gatehouse, meter + tracer provider registered', gatehouseCheck(observed).bind(null, authorization)],
  ['gatehouse, providers + pino logger (info)', gatehouseCheck(logged).bind(null, authorization)],
];
const calls = [
  ['hand-written cached middleware', call(handWrittenRouter(), ({ req }) => ({ req }))],
  ['gatehouse, no OpenTelemetry provider', call(gatehouseRouter(), createGatehouseContext(plain))],
  ['gatehouse, meter + tracer provider registered', call(gatehouseRouter(), createGatehouseContext(observed))],
  ['gatehouse, providers + pino logger (info)', call(gatehouseRouter(), createGatehouseContext(logged))],
];
for (const [name, fn] of [...checks, ...calls]) {
  await Promise.resolve(fn()).catch((error) => {
    throw new Error(`${name}: ${error.message}`);
  });
}

console.log(
  `Node ${process.version}; ${RUNS} runs of ${ROUNDS} interleaved rounds, ${TIME_MS} ms per variant per run.\n`,
);
const summary = new Map();
for (let run = 1; run <= RUNS; run++) {
  for (const [title, tasks] of [
    [`Repeated token, the check alone (run ${run})`, checks],
    [`Repeated token, one tRPC call (run ${run})`, calls],
  ]) {
    const rows = await runGroup(title, tasks, TIME_MS, ROUNDS);
    for (const row of rows) {
      const key = `${title.replace(/ \(run \d+\)/, '')}: ${row.name}`;
      summary.set(key, [...(summary.get(key) ?? []), row.ratio]);
    }
  }
}
console.log('### Ratios to the hand-written middleware, every run (median last)\n');
console.log('| variant | runs | median |');
console.log('|---|---|---:|');
for (const [key, ratios] of summary) {
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`| ${key} | ${ratios.map((r) => r.toFixed(2)).join(', ')} | ${median.toFixed(2)}× |`);
}

// The provider really records: the cache hits are in the histogram.
const { resourceMetrics } = await prometheus.collect();
const durations = resourceMetrics.scopeMetrics
  .flatMap((scope) => scope.metrics)
  .find((metric) => metric.descriptor.name === 'gatehouse.verify.duration');
const hits = durations?.dataPoints.find((point) => point.attributes['gatehouse.cached'] === true)?.value.count ?? 0;
console.log(`\n(recorded cache hits in gatehouse.verify.duration: ${hits.toLocaleString('en-US')})`);
await issuer.close();
