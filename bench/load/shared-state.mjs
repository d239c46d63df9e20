// HTTP load on three demo processes sharing one Redis (GATEHOUSE_REDIS_URL), against the same three
// processes each on its own memory store; then revocations made under load, and how long each
// takes to be refused by all three.
//
//   npx tsc -b tsconfig.build.json && node bench/load/shared-state.mjs
//
// LOAD_SECONDS (default 20) per phase, LOAD_CONNECTIONS (default 24) shared by the three processes.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createTestIssuer } from '@gatehousejs/core/testing';
import autocannon from 'autocannon';
import { startRedis } from '../state/redis-server.mjs';
import { startJwksServer } from './jwks-server.mjs';
import { count, fixed, table } from './report.mjs';
import { startServerProcess } from './server-process.mjs';
import { AUDIENCE, ISSUER } from './traffic.mjs';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 24);
const REVOCATIONS = 20;

const issuer = await createTestIssuer({ port: false, issuer: ISSUER, audience: AUDIENCE, expiresIn: 3600 });
const jwks = await startJwksServer([issuer]);
const redis = await startRedis();
const env = {
  LOAD_TARGET: 'demo',
  GATEHOUSE_JWKS_URI: jwks.url,
  GATEHOUSE_ISSUER: ISSUER,
  GATEHOUSE_AUDIENCE: AUDIENCE,
};

const users = await Promise.all(
  Array.from({ length: 50 }, (_, i) => issuer.sign({ sub: `user-${i}`, jti: randomUUID() })),
);
const admin = await issuer.sign({ sub: 'admin', roles: ['admin'] });

async function load(servers, name) {
  const per = Math.max(1, Math.floor(CONNECTIONS / servers.length));
  let picks = 0;
  const runs = servers.map((server) =>
    autocannon({
      url: server.url,
      connections: per,
      duration: SECONDS,
      requests: [
        {
          method: 'GET',
          path: '/api/shift',
          setupRequest: (request) => ({
            ...request,
            headers: { authorization: `Bearer ${users[picks++ % users.length]}` },
          }),
        },
      ],
    }),
  );
  const results = await Promise.all(runs);
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  const non2xx = results.reduce((n, r) => n + r.non2xx, 0);
  return {
    name,
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    total,
    non2xx,
  };
}

async function threeServers(extra) {
  return Promise.all([0, 1, 2].map(() => startServerProcess({ ...env, ...extra })));
}

console.log(
  `Three demo processes (JWKS mode), Node ${process.version}, ${availableParallelism()} CPUs, ` +
    `${CONNECTIONS} connections in all, ${SECONDS} s per phase; GET /api/shift with 50 users' tokens.\n`,
);

const memoryServers = await threeServers({});
await load(memoryServers, 'warm-up');
const memoryPhase = await load(memoryServers, '3 processes, each its own memory store');
await Promise.all(memoryServers.map((s) => s.stop()));

const redisServers = await threeServers({ GATEHOUSE_REDIS_URL: redis.url });
await load(redisServers, 'warm-up');
const redisPhase = await load(redisServers, '3 processes sharing Redis');

// Revocations under load: each made on one process, timed until all three refuse the token.
const victims = await Promise.all(
  Array.from({ length: REVOCATIONS }, (_, i) => issuer.sign({ sub: `victim-${i}`, jti: randomUUID() })),
);
const propagation = [];
const underLoad = load(redisServers, 'load during revocations');
await new Promise((resolve) => setTimeout(resolve, 1000));
for (const [i, victim] of victims.entries()) {
  const jti = JSON.parse(Buffer.from(victim.split('.')[1], 'base64url')).jti;
  for (const server of redisServers)
    await fetch(`${server.url}/api/shift`, { headers: { authorization: `Bearer ${victim}` } });
  const start = performance.now();
  const response = await fetch(`${redisServers[i % 3].url}/api/revocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jti }),
  });
  if (response.status !== 204) throw new Error(`revocation answered ${response.status}`);
  for (;;) {
    const statuses = await Promise.all(
      redisServers.map((s) =>
        fetch(`${s.url}/api/shift`, { headers: { authorization: `Bearer ${victim}` } }).then((r) => r.status),
      ),
    );
    if (statuses.every((status) => status === 401)) break;
  }
  propagation.push(performance.now() - start);
}
const during = await underLoad;
await Promise.all(redisServers.map((s) => s.stop()));

console.log('## Throughput: three processes, store in memory against shared Redis\n');
console.log(
  table(
    ['phase', 'requests', 'req/s (sum)', 'ratio', 'p50 ms (worst)', 'p99 ms (worst)', 'non-2xx'],
    [memoryPhase, redisPhase, during].map((p) => [
      p.name,
      count(p.total),
      fixed(p.rps, 0),
      fixed(p.rps / memoryPhase.rps, 2),
      fixed(p.p50, 1),
      fixed(p.p99, 1),
      count(p.non2xx),
    ]),
  ),
);
propagation.sort((x, y) => x - y);
const at = (p) => fixed(propagation[Math.min(propagation.length - 1, Math.floor(p * propagation.length))], 1);
console.log(
  `\n## ${REVOCATIONS} revocations under load: POST /api/revocations on one process until all three answer 401\n`,
);
console.log(table(['median ms', 'p90 ms', 'max ms'], [[at(0.5), at(0.9), fixed(propagation.at(-1), 1)]]));

await redis.stop();
await jwks.close();
