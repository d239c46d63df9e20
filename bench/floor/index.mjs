// The cold path against its floors (issue "The cold path, at the floor"), side by side in one run:
// 1. verify: Gatehouse `verify` of a token it has never seen (RS256, remote JWKS with the key set
//    warm) against the floor: `crypto.verify` with a prepared KeyObject + `JSON.parse` of the
//    payload + the iss/aud/exp comparison;
// 2. tRPC: a cold call through `fetchRequestHandler` against the same call whose middleware checks
//    the RS256 signature and nothing else;
// 3. repeated token: Gatehouse (verified-token cache hit) against a hand-written middleware that
//    caches verified tokens in a Map.
// Each group runs its variants interleaved in ROUNDS tinybench rounds (each round starting with
// another variant, after a full GC); the table shows medians, and the ratio is the median of the
// per-round ratios. Run with `node --expose-gc bench/floor/index.mjs` after `npx tsc -b tsconfig.build.json`.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { createServer } from 'node:http';
import { createVerifier } from '@gatehousejs/core';
import { createGatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { runGroup } from '../verify/table.mjs';
import { AUDIENCE, ISSUER, keyAndTokens, ring } from '../verify/tokens.mjs';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 10000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 2000);
// CPU time by default: the reference machine is shared; BENCH_CLOCK=wall measures wall time.
const CPU_CLOCK = process.env.BENCH_CLOCK !== 'wall';

const { kid, jwk, pem, tokens } = keyAndTokens('RS256', TOKENS);
const jwks = JSON.stringify({ keys: [jwk] });
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(jwks);
}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const jwksUri = `http://127.0.0.1:${server.address().port}/jwks.json`;

// --- 1. verify ------------------------------------------------------------------------------------

const keyObject = createPublicKey(pem);
/** The floor: signature, payload parsed, iss/aud/exp compared; nothing else. */
function floorVerify(token) {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString());
  const signature = Buffer.from(token.slice(second + 1), 'base64url');
  if (!cryptoVerify('sha256', Buffer.from(token.slice(0, second)), keyObject, signature)) throw new Error('signature');
  if (payload.iss !== ISSUER) throw new Error('iss');
  if (payload.aud !== AUDIENCE && !(Array.isArray(payload.aud) && payload.aud.includes(AUDIENCE))) {
    throw new Error('aud');
  }
  if (!(payload.exp > Date.now() / 1000)) throw new Error('exp');
  return payload;
}

const options = { jwksUri, issuer: ISSUER, audience: AUDIENCE };
const noCache = createVerifier({ ...options, cache: false });
// A cache smaller than the ring: every call misses, and pays for the insert and an eviction.
const missingCache = createVerifier({ ...options, cache: { maxEntries: Math.floor(TOKENS / 4) } });
await noCache.verify(tokens[0]);
await missingCache.verify(tokens[0]);

const next = { floor: ring(tokens), noCache: ring(tokens), missing: ring(tokens) };
await runGroup(
  `Cold RS256 verify against its floor (${TOKENS} distinct tokens, JWKS warm, kid ${kid.slice(0, 8)}…)`,
  [
    ['floor: crypto.verify + JSON.parse + iss/aud/exp', () => floorVerify(next.floor())],
    ['gatehouse verify (cache: false)', () => noCache.verify(next.noCache())],
    ['gatehouse verify (cache on, every call a miss)', () => missingCache.verify(next.missing())],
  ],
  TIME_MS,
  ROUNDS,
  { fair: true, cpu: CPU_CLOCK },
);

// --- 2. and 3. tRPC -------------------------------------------------------------------------------

const payloadOf = (user) => ({ id: user.id ?? user.sub, n: user.roles.length });
const bearer = (req) => req.headers.get('authorization')?.slice(7) ?? '';
const unauthorized = () => new TRPCError({ code: 'UNAUTHORIZED' });

function plainRouter(middleware) {
  const t = initTRPC.context().create();
  return t.router({ me: t.procedure.use(middleware).query(({ ctx }) => payloadOf(ctx.user)) });
}

function gatehouseRouter() {
  const t = initTRPC.context().meta().create();
  const { protectedProcedure } = gatehouse(t);
  return t.router({ me: protectedProcedure.meta({ roles: ['admin'] }).query(({ ctx }) => payloadOf(ctx.user)) });
}

/** The floor of a cold call: the RS256 signature check alone, in a middleware. */
const signatureOnly = plainRouter(async ({ ctx, next }) => {
  const jwt = bearer(ctx.req);
  const dot = jwt.lastIndexOf('.');
  if (
    !cryptoVerify('sha256', Buffer.from(jwt.slice(0, dot)), keyObject, Buffer.from(jwt.slice(dot + 1), 'base64url'))
  ) {
    throw unauthorized();
  }
  return next({ ctx: { user: { id: 'bench-user', roles: [] } } });
});

/** The floor of a repeated call: a hand-written middleware that caches verified tokens in a Map. */
const handCache = new Map();
const handCached = plainRouter(async ({ ctx, next }) => {
  const jwt = bearer(ctx.req);
  let user = handCache.get(jwt);
  if (user === undefined) {
    try {
      user = floorVerify(jwt);
    } catch {
      throw unauthorized();
    }
    handCache.set(jwt, user);
  }
  if (!(user.exp > Date.now() / 1000)) throw unauthorized();
  return next({ ctx: { user } });
});

const URL = 'http://localhost/trpc/me';
function call(router, createContext, nextToken) {
  return async () => {
    const res = await fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request(URL, { headers: { authorization: `Bearer ${nextToken()}` } }),
      router,
      createContext,
    });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.text();
  };
}

const reqContext = ({ req }) => ({ req });
const calls = { floor: ring(tokens), noCache: ring(tokens), missing: ring(tokens) };
await runGroup(
  `Cold tRPC call (fetchRequestHandler, ${TOKENS} distinct RS256 tokens) against a bare signature check`,
  [
    ['floor: RS256 signature check in a middleware', call(signatureOnly, reqContext, calls.floor)],
    [
      'gatehouse protectedProcedure (cache: false)',
      call(gatehouseRouter(), createGatehouseContext(noCache), calls.noCache),
    ],
    [
      'gatehouse protectedProcedure (cache on, every call a miss)',
      call(gatehouseRouter(), createGatehouseContext(missingCache), calls.missing),
    ],
  ],
  TIME_MS,
  ROUNDS,
  { fair: true, cpu: CPU_CLOCK },
);

const cachedVerifier = createVerifier(options);
const one = () => tokens[1];
await runGroup(
  'Repeated token through tRPC against a hand-written cached middleware',
  [
    ['floor: hand-written Map cache in a middleware', call(handCached, reqContext, one)],
    [
      'gatehouse protectedProcedure (verified-token cache hit)',
      call(gatehouseRouter(), createGatehouseContext(cachedVerifier), one),
    ],
  ],
  TIME_MS,
  ROUNDS,
  { fair: true, cpu: CPU_CLOCK },
);

server.close();
