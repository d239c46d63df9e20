// HTTP load on the demo server with autocannon: what authorization costs under load, the token
// cache's memory bound with 100,000 distinct tokens, and faults (JWKS outage, key rotation) under load.
//
//   npx tsc -b tsconfig.build.json && node bench/run.mjs load
//
// LOAD_SECONDS (default 60): length of each timed phase; LOAD_CONNECTIONS (default 32);
// LOAD_DISTINCT_TOKENS (default 100000); LOAD_TARGET=demo (default, examples/demo) or rest
// (core's withAuthentication alone, see ./server.mjs). Quick check: LOAD_SECONDS=5.
import { availableParallelism } from 'node:os';
import { createTestIssuer } from '@gatehousejs/core/testing';
import autocannon from 'autocannon';
import { startJwksServer } from './jwks-server.mjs';
import { count, fixed, mb, table, tallyText, verdict } from './report.mjs';
import { startSampler, startServerProcess } from './server-process.mjs';
import { distinctTokens, invalidTokens, personaTokens } from './tokens.mjs';
import { AUDIENCE, allowed, ISSUER, outcomeOf, ROUTES } from './traffic.mjs';

const SECONDS = positive('LOAD_SECONDS', 60);
const CONNECTIONS = positive('LOAD_CONNECTIONS', 32);
const DISTINCT = positive('LOAD_DISTINCT_TOKENS', 100_000);
const TARGET = process.env.LOAD_TARGET ?? 'demo';
if (!(TARGET in ROUTES)) throw new Error(`LOAD_TARGET must be one of ${Object.keys(ROUTES).join(', ')}`);
const routes = ROUTES[TARGET];

function positive(name, fallback) {
  const value = process.env[name] === undefined ? fallback : Number(process.env[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

// The trusted issuer signs RS256 like Frontegg; the bulk issuer signs EdDSA so that 100,000 tokens
// are made in seconds; `next` is the key rotated to; `foreign` is a key the server never trusts.
const options = { port: false, issuer: ISSUER, audience: AUDIENCE, expiresIn: 3 * 3600 };
const trusted = await createTestIssuer(options);
const next = await createTestIssuer(options);
const bulk = await createTestIssuer({ ...options, algorithm: 'EdDSA' });
const foreign = await createTestIssuer(options);
const jwks = await startJwksServer([trusted, bulk]);

let responses = 0;
const serverEnv = {
  LOAD_TARGET: TARGET,
  GATEHOUSE_JWKS_URI: jwks.url,
  GATEHOUSE_ISSUER: ISSUER,
  GATEHOUSE_AUDIENCE: AUDIENCE,
};
let server = await startServerProcess(serverEnv);
let sampler = startSampler(server, () => responses);

const personas = await personaTokens(trusted);
const authorization = (token) => ({ authorization: `Bearer ${token}` });

/** A static request whose answer is judged against what its caller may do. */
function judged(route, persona, tally) {
  const expected = persona && !allowed(persona.claims, route.requirement) ? 'forbidden' : 'ok';
  return {
    method: route.method,
    path: route.path,
    headers: { ...route.headers, ...(persona ? authorization(persona.token) : {}) },
    body: route.body,
    onResponse(status, body) {
      responses++;
      const outcome = outcomeOf(status, body);
      tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
      if (outcome !== expected) tally.unexpected++;
    },
  };
}

async function run(name, requests, { duration = SECONDS, amount, tally = newTally() } = {}) {
  const startedAt = Date.now();
  const jwksBefore = jwks.requests;
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    pipelining: 1,
    timeout: 10,
    ...(amount ? { amount } : { duration }),
    requests,
  });
  const rss = sampler.between(startedAt, Date.now()).map((s) => s.rss);
  return {
    name,
    result,
    tally,
    rss,
    jwksRequests: jwks.requests - jwksBefore,
    seconds: (Date.now() - startedAt) / 1000,
  };
}

function newTally() {
  return { outcomes: new Map(), unexpected: 0 };
}

const open = (persona) => (tally) => routes.open.map((route) => judged(route, persona, tally));
const everyPersona = (build) => (tally) => personas.flatMap((persona) => build(persona)(tally));
const anonymousMix = (tally) => open(undefined)(tally);
const sameRoutesMix = everyPersona(open);
const protectedMix = everyPersona((persona) => (tally) => routes.protected.map((r) => judged(r, persona, tally)));

function phase(name, mix, opts) {
  const tally = newTally();
  return run(name, mix(tally), { ...opts, tally });
}

/** One request per route and persona before any load: a route that does not answer stops the bench here. */
async function preflight() {
  const callers = [undefined, ...personas];
  for (const route of [...routes.open, ...routes.protected]) {
    for (const persona of route.requirement ? callers.slice(1) : callers) {
      const response = await fetch(`${server.url}${route.path}`, {
        method: route.method,
        headers: { ...route.headers, ...(persona ? authorization(persona.token) : {}) },
        body: route.body,
        signal: AbortSignal.timeout(5000),
      }).catch((error) => {
        throw new Error(
          `${route.name} did not answer (${error.cause?.code ?? error.name}); is the target built and working?`,
        );
      });
      const outcome = outcomeOf(response.status, await response.text());
      const expected = persona && !allowed(persona.claims, route.requirement) ? 'forbidden' : 'ok';
      if (outcome !== expected) {
        throw new Error(`${route.name} as ${persona?.persona ?? 'anonymous'}: ${outcome}, expected ${expected}`);
      }
    }
  }
}
try {
  await preflight();
} catch (error) {
  console.error(`bench/load: ${error.message}`);
  await server.stop();
  await jwks.close();
  process.exit(1);
}

console.log(
  `Target: ${TARGET} (${server.url}), Node ${process.version}, ${availableParallelism()} CPUs, ` +
    `${CONNECTIONS} connections, ${SECONDS} s per phase. Server in its own process (pid ${server.pid}).\n`,
);

// Warm-up, not reported: JIT, the key set, the verified-token cache.
await run('warm-up', anonymousMix(newTally()), { duration: Math.min(3, SECONDS) });
await run('warm-up', protectedMix(newTally()), { duration: Math.min(3, SECONDS) });

const anonymous = await phase('anonymous, open routes', anonymousMix);
const sameRoutes = await phase('3 personas, same open routes', sameRoutesMix);
const authorized = await phase('3 personas, protected routes', protectedMix);

const throughput = [anonymous, sameRoutes, authorized];
const baseline = anonymous.result.requests.average;
console.log('## Throughput: authorized against anonymous traffic\n');
console.log(
  table(
    [
      'phase',
      'requests',
      'req/s',
      'ratio to anonymous',
      'p50 ms',
      'p99 ms',
      'unexpected',
      'socket errors',
      'RSS MB (min–max)',
    ],
    throughput.map((p) => [
      p.name,
      count(p.result.requests.total),
      fixed(p.result.requests.average, 0),
      fixed(p.result.requests.average / baseline, 2),
      fixed(p.result.latency.p50, 1),
      fixed(p.result.latency.p99, 1),
      count(p.tally.unexpected),
      count(p.result.errors + p.result.timeouts),
      p.rss.length ? `${mb(Math.min(...p.rss))}–${mb(Math.max(...p.rss))}` : 'n/a',
    ]),
  ),
);
console.log(
  `\nOpen routes: ${routes.open.map((r) => r.name).join(', ')}. Protected routes: ${routes.protected
    .map((r) => r.name)
    .join(', ')}; each persona gets 200 or FORBIDDEN as its rights say, and any other answer counts as unexpected.`,
);
for (const p of throughput) console.log(`- ${p.name}: ${tallyText(p.tally.outcomes)}`);

// ---- 100,000 distinct tokens: the verified-token cache stays within its bound --------------------
const madeAt = Date.now();
const distinct = await distinctTokens(bulk, DISTINCT);
const mintSeconds = (Date.now() - madeAt) / 1000;
const cacheTally = newTally();
let sent = 0;
const meRoute = routes.me[0];
const cachePhase = await run(
  `${count(DISTINCT)} distinct tokens`,
  [
    {
      ...judged(meRoute, undefined, cacheTally),
      setupRequest(request) {
        const token = distinct[sent++ % distinct.length];
        return { ...request, headers: { ...request.headers, ...authorization(token) } };
      },
    },
  ],
  { amount: DISTINCT, tally: cacheTally },
);
const cacheSamples = sampler.between(Date.now() - cachePhase.seconds * 1000, Date.now());
const checkpoints = [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
  const wanted = cacheSamples[0] ? cacheSamples[0].progress + fraction * DISTINCT : 0;
  return cacheSamples.find((s) => s.progress >= wanted) ?? cacheSamples.at(-1);
});
console.log(`\n## Memory with ${count(DISTINCT)} distinct tokens (${meRoute.name}, each token sent once)\n`);
console.log(
  table(
    ['tokens verified', 'server RSS MB'],
    checkpoints.filter(Boolean).map((s) => [count(s.progress - cacheSamples[0].progress), mb(s.rss)]),
  ),
);
const firstRss = cacheSamples[0]?.rss ?? 0;
const half = cacheSamples.filter((s) => s.progress - (cacheSamples[0]?.progress ?? 0) >= DISTINCT / 2);
const secondHalfGrowth = half.length ? Math.max(...half.map((s) => s.rss)) - half[0].rss : Number.NaN;
console.log(
  `\n${fixed(cachePhase.result.requests.average, 0)} req/s, p50 ${fixed(cachePhase.result.latency.p50)} ms, ` +
    `p99 ${fixed(cachePhase.result.latency.p99)} ms, unexpected ${count(cacheTally.unexpected)} ` +
    `(${tallyText(cacheTally.outcomes)}). RSS ${mb(firstRss)} MB at the start; growth over the second half: ` +
    `${mb(secondHalfGrowth)} MB (the cache holds at most 10,000 verified tokens by default). ` +
    `${count(DISTINCT)} EdDSA tokens minted in ${fixed(mintSeconds)} s before the phase.`,
);

// ---- Faults under load: JWKS outage, then key rotation --------------------------------------------
const oldTokens = await personaTokens(trusted, 50);
const newTokens = await personaTokens(next, 50);
const invalid = await invalidTokens(trusted, foreign);
const invalidKinds = Object.keys(invalid);
const faults = {
  rotatedAt: undefined,
  valid: { old: newTally(), new: newTally() },
  invalid: new Map(invalidKinds.map((kind) => [kind, newTally()])),
  invalidAccepted: 0,
  newKeyRejections: [],
  serverErrors: 0,
  events: [],
};
let picks = 0;

function pickToken(context) {
  picks++;
  if (picks % 4 === 0) {
    const kind = invalidKinds[(picks / 4) % invalidKinds.length];
    const list = invalid[kind];
    context.kind = kind;
    return list[Math.floor(picks / 4 / invalidKinds.length) % list.length];
  }
  const useNew = faults.rotatedAt !== undefined && picks % 2 === 0;
  const pool = useNew ? newTokens : oldTokens;
  context.kind = useNew ? 'valid new key' : 'valid old key';
  return pool[picks % pool.length].token;
}

function judgeFault(status, body, context) {
  responses++;
  const outcome = outcomeOf(status, body);
  if (outcome === 'error') faults.serverErrors++;
  if (context.kind === 'valid old key' || context.kind === 'valid new key') {
    const tally = context.kind === 'valid old key' ? faults.valid.old : faults.valid.new;
    tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
    if (outcome !== 'ok') {
      tally.unexpected++;
      if (context.kind === 'valid new key') faults.newKeyRejections.push(Date.now() - faults.rotatedAt);
    }
    return;
  }
  const tally = faults.invalid.get(context.kind);
  tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
  if (outcome === 'ok') faults.invalidAccepted++;
}

const faultRequests = routes.me.map((route) => ({
  method: route.method,
  path: route.path,
  headers: route.headers,
  body: route.body,
  setupRequest(request, context) {
    return { ...request, headers: { ...request.headers, ...authorization(pickToken(context)) } };
  },
  onResponse: judgeFault,
}));

// A fresh server process, so that the timeline is the key set's from its first fetch.
sampler.stop();
await server.stop();
server = await startServerProcess(serverEnv);
sampler = startSampler(server, () => responses);

const jwksAtFaultStart = jwks.requests;
const faultStart = Date.now();
const at = (fraction, label, action) =>
  setTimeout(
    () => {
      action();
      faults.events.push({ label, at: (Date.now() - faultStart) / 1000, jwksRequests: jwks.requests });
    },
    SECONDS * 1000 * fraction,
  );
const timers = [
  at(0.2, 'JWKS endpoint down (answers 503)', () => jwks.down()),
  at(0.5, 'JWKS endpoint back', () => jwks.up()),
  at(0.6, 'key rotated: new key published, new tokens signed with it', () => {
    jwks.publish(next);
    faults.rotatedAt = Date.now();
  }),
];
const faultPhase = await run('faults', faultRequests, { tally: newTally() });
for (const timer of timers) clearTimeout(timer);
const health = await fetch(`${server.url}/healthz`).then(
  (r) => r.status,
  () => 'unreachable',
);
const faultSamples = sampler.between(faultStart, Date.now());
const keyStatus = faultSamples.at(-1)?.keys;

console.log('\n## Faults under load: JWKS outage and key rotation\n');
console.log(
  table(
    ['at s', 'event', 'JWKS requests so far (phase)'],
    [
      ['0.0', 'traffic starts (fresh server, cold key set)', '0'],
      ...faults.events.map((e) => [fixed(e.at), e.label, count(e.jwksRequests - jwksAtFaultStart)]),
      [fixed(faultPhase.seconds), 'traffic ends', count(faultPhase.jwksRequests)],
    ],
  ),
);
console.log('');
const validRow = (name, tally) => [name, count(sum(tally.outcomes)), tallyText(tally.outcomes)];
console.log(
  table(
    ['tokens', 'sent', 'answers'],
    [
      validRow('valid, old key (cached)', faults.valid.old),
      validRow('valid, new key (after rotation)', faults.valid.new),
      ...invalidKinds.map((kind) => validRow(`invalid: ${kind}`, faults.invalid.get(kind))),
    ],
  ),
);
const crashed = server.exit !== undefined || health !== 200;
const cooldown = 30;
const fetchBound = Math.ceil(SECONDS / cooldown) + 2;
const newKeyWindow = faults.newKeyRejections.length ? Math.max(...faults.newKeyRejections) / 1000 : 0;
console.log('');
console.log(
  table(
    ['goal', 'measured', 'met'],
    [
      [
        'valid tokens rejected while their key is cached',
        count(faults.valid.old.unexpected),
        verdict(faults.valid.old.unexpected === 0),
      ],
      ['invalid tokens accepted', count(faults.invalidAccepted), verdict(faults.invalidAccepted === 0)],
      [
        'server errors (500) or crash',
        `${count(faults.serverErrors)} errors, /healthz ${health}`,
        verdict(!crashed && faults.serverErrors === 0),
      ],
      [
        `JWKS requests during the phase (bound: one per ${cooldown} s cooldown, + backoff)`,
        count(faultPhase.jwksRequests),
        verdict(faultPhase.jwksRequests <= fetchBound),
      ],
      [
        `new-key tokens refused until the key set refetched (bounded by the ${cooldown} s cooldown)`,
        `${count(faults.valid.new.unexpected)} in the first ${fixed(newKeyWindow)} s after rotation`,
        verdict(newKeyWindow <= cooldown + 1),
      ],
    ],
  ),
);
console.log(
  `\nFaults phase: ${fixed(faultPhase.result.requests.average, 0)} req/s, p50 ${fixed(faultPhase.result.latency.p50)} ms, ` +
    `p99 ${fixed(faultPhase.result.latency.p99)} ms, socket errors ${faultPhase.result.errors + faultPhase.result.timeouts}, ` +
    `RSS ${faultPhase.rss.length ? `${mb(Math.min(...faultPhase.rss))}–${mb(Math.max(...faultPhase.rss))}` : 'n/a'} MB. ` +
    `Key source at the end: ${keyStatus ? `${keyStatus.keys} keys, ${keyStatus.fetches} fetches, ${keyStatus.failures} failures in a row` : 'n/a'}. ` +
    `One in four requests carries an invalid token.`,
);

const ratio = sameRoutes.result.requests.average / baseline;
const unexpected = throughput.reduce((n, p) => n + p.tally.unexpected, 0) + cacheTally.unexpected;
console.log('\n## Summary\n');
console.log(
  table(
    ['goal', 'measured', 'met'],
    [
      ['throughput ratio, authorized ÷ anonymous, same routes (≥ 0.9)', fixed(ratio, 2), verdict(ratio >= 0.9)],
      [
        'throughput ratio, protected routes ÷ anonymous (info)',
        fixed(authorized.result.requests.average / baseline, 2),
        '-',
      ],
      ['unexpected answers in the load phases (0)', count(unexpected), verdict(unexpected === 0)],
      [
        `RSS growth over the second half of ${count(DISTINCT)} distinct tokens`,
        `${mb(secondHalfGrowth)} MB`,
        verdict(secondHalfGrowth < 32 * 1024 * 1024),
      ],
      [
        'faults: no valid cached-key token refused, no invalid token accepted, no crash',
        '',
        verdict(faults.valid.old.unexpected === 0 && faults.invalidAccepted === 0 && !crashed),
      ],
    ],
  ),
);

sampler.stop();
await server.stop();
await jwks.close();

function sum(map) {
  let n = 0;
  for (const value of map.values()) n += value;
  return n;
}
