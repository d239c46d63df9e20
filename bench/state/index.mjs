// The shared state store: what it costs on the repeated-token path (store off, memory store, Redis
// store, with revocations in force), how fast a revocation reaches another instance, and the memory
// a revocation takes in each instance and in Redis. Needs redis-server on PATH.
//
//   npx tsc -b tsconfig.build.json && node bench/run.mjs state
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createVerifier, memoryStore } from '@gatehousejs/core';
import { signJwt } from '@gatehousejs/core/testing';
import { redisStore } from '@gatehousejs/redis';
import { createClient } from 'redis';
import { runGroup } from '../verify/table.mjs';
import { AUDIENCE, ISSUER } from '../verify/tokens.mjs';
import { startRedis } from './redis-server.mjs';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1500);
const PROPAGATION_RUNS = Number(process.env.BENCH_PROPAGATION_RUNS ?? 30);
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 20_000);

const redis = await startRedis();
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const token = withJti('repeated');
const base = {
  publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  issuer: ISSUER,
  audience: AUDIENCE,
};
const stores = [];
const redisVerifier = (extra = {}) => {
  const store = redisStore({ url: redis.url, prefix: `bench-${randomUUID()}`, ...extra });
  stores.push(store);
  return createVerifier({ ...base, store });
};

// ---- The repeated-token path -------------------------------------------------------------------
const plain = createVerifier(base);
const memory = createVerifier({ ...base, store: memoryStore() });
const onRedis = redisVerifier();
const revokedMany = redisVerifier();
await Promise.all([plain, memory, onRedis, revokedMany].map((v) => v.verify(token)));
for (let i = 0; i < 1000; i++) await revokedMany.revoke({ jti: `other-${i}` });
for (let i = 0; i < 100; i++) await revokedMany.revoke({ sub: `user-x${i}` });
await revokedMany.verify(token);

await runGroup(
  'Repeated RS256 token (cache hit): the state check on every verification',
  [
    ['default (memory store, no revocations)', () => plain.verify(token)],
    ['memoryStore() given', () => memory.verify(token)],
    ['redisStore(), no revocations', () => onRedis.verify(token)],
    ['redisStore(), 1,100 revocations in force', () => revokedMany.verify(token)],
  ],
  TIME_MS,
);

// ---- Propagation: revoke on A, measured until B refuses the (cached) token -------------------------
const prefix = `bench-${randomUUID()}`;
const a = redisVerifier({ prefix });
const b = redisVerifier({ prefix });
const times = [];
for (let i = 0; i < PROPAGATION_RUNS; i++) {
  const jti = randomUUID();
  const probe = withJti(jti);
  await b.verify(probe);
  const start = performance.now();
  await a.revoke({ jti });
  while (
    await b.verify(probe).then(
      () => true,
      () => false,
    )
  )
    await new Promise((resolve) => setImmediate(resolve));
  times.push(performance.now() - start);
}
times.sort((x, y) => x - y);
const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log('### Propagation: revoke() on instance A until instance B refuses its cached token\n');
console.log('| runs | median ms | p90 ms | max ms |');
console.log('|---:|---:|---:|---:|');
console.log(`| ${times.length} | ${at(0.5)} | ${at(0.9)} | ${times.at(-1).toFixed(2)} |`);
console.log('\n(From the call to revoke() on A, which resolves once Redis has stored it, to B refusing.)\n');

function withJti(jti) {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    header: { alg: 'RS256', typ: 'JWT' },
    payload: { iss: ISSUER, aud: AUDIENCE, sub: 'probe', jti, iat: now, exp: now + 600 },
    key: privateKey,
  });
}

// ---- Memory per revocation ----------------------------------------------------------------------
const raw = createClient({ url: redis.url });
await raw.connect();
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
const memPrefix = `bench-${randomUUID()}`;
const writer = redisVerifier({ prefix: memPrefix });
const reader = redisVerifier({ prefix: memPrefix });
await reader.verify(token);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const redisBefore = await usedMemory();
const batch = [];
for (let i = 0; i < REVOCATIONS; i++) {
  batch.push(writer.revoke({ jti: randomUUID() }));
  if (batch.length === 200) await Promise.all(batch.splice(0));
}
await Promise.all(batch);
const redisAfter = await usedMemory();
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
console.log(`### Memory per revocation (${REVOCATIONS.toLocaleString('en-US')} jti revocations)\n`);
console.log('| where | bytes per revocation |');
console.log('|---|---:|');
console.log(`| Redis (used_memory) | ${Math.round((redisAfter - redisBefore) / REVOCATIONS)} |`);
console.log(
  `| this process: two instances' revocation sets${global.gc ? '' : ' (run with --expose-gc for a cleaner number)'} | ${Math.round((heapAfter - heapBefore) / REVOCATIONS / 2)} per instance |`,
);
console.log('');

await raw.close();
for (const store of stores) await store.close();
await redis.stop();
