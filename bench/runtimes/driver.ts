// Per-runtime verification benchmark: Gatehouse and jose side by side on Bun, Deno and workerd,
// cold (distinct tokens, cache off) and cached (one token again and again). Each measurement is the
// CPU time the runtime's process (all its threads) spent on a request, read from /proc, less that of
// a `noop` request of the same size: CPU time, unlike wall time, holds on a machine busy with other
// work. The tables give the median over rounds that interleave the variants.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { signJwt } from '@gatehousejs/core/testing';
import { RUNTIMES, type Runtime, type RuntimeServer, startRuntime } from '../../runtimes/harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COLD_TOKENS = Number(process.env.BENCH_COLD_TOKENS ?? 1000);
const REPEATS = { gatehouse: 100_000, jose: 1_000 };
const ISSUER = 'https://auth.example.com/';
const AUDIENCE = 'gatehouse-bench';

type Alg = 'RS256' | 'ES256';
interface Task {
  readonly label: string;
  readonly variant: 'gatehouse' | 'gatehouse-cached' | 'jose';
  readonly body: { alg: Alg; tokens?: string[]; token?: string; n?: number };
  readonly count: number;
}

function keyAndTokens(alg: Alg) {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const tokens = Array.from({ length: COLD_TOKENS }, (_, i) =>
    signJwt({
      header: { alg, typ: 'JWT', kid },
      payload: {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: `user-${i}`,
        roles: ['admin'],
        permissions: ['reports:read'],
        tenantId: 't-1',
        iat: now,
        exp: now + 3600,
      },
      key: privateKey,
    }),
  );
  return { pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), tokens };
}

/** ns of CPU the process has used, all threads (Linux: the first field of each thread's schedstat). */
async function cpuNs(pid: number): Promise<number> {
  let total = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => '0');
    total += Number(stat.split(' ')[0]);
  }
  return total;
}

/** ms of the runtime's CPU spent on one request. */
async function timeRequest(server: RuntimeServer, body: unknown): Promise<number> {
  const start = await cpuNs(server.pid);
  const response = await fetch(`${server.url}/run`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  await response.json();
  return ((await cpuNs(server.pid)) - start) / 1e6;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** µs per verification: the task's request less a `noop` request carrying the same tokens. */
async function perOperation(server: RuntimeServer, task: Task): Promise<number> {
  const noop = await timeRequest(server, { ...task.body, variant: 'noop' });
  const run = await timeRequest(server, { ...task.body, variant: task.variant });
  return ((run - noop) * 1000) / task.count;
}

async function benchRuntime(runtime: Runtime, config: unknown, tasks: readonly Task[]): Promise<void> {
  const entry = runtime === 'workerd' ? 'bench/runtimes/worker.js' : 'bench/runtimes/serve.js';
  const server: RuntimeServer = await startRuntime(runtime, { entry, env: { BENCH_CONFIG: JSON.stringify(config) } });
  try {
    for (const task of tasks) await perOperation(server, task); // warm-up: JIT, key import, cache fill
    const samples = tasks.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, task] of tasks.entries()) samples[i]?.push(await perOperation(server, task));
    }
    const result = new Map(tasks.map((task, i) => [`${task.label}/${task.variant}`, median(samples[i] as number[])]));
    console.log(`### ${runtime}\n`);
    console.log('| | Gatehouse µs | jose µs | jose ÷ Gatehouse |');
    console.log('|---|---:|---:|---:|');
    for (const label of [...new Set(tasks.map((t) => t.label))]) {
      const ours = result.get(`${label}/gatehouse`) ?? (result.get(`${label}/gatehouse-cached`) as number);
      const jose = result.get(`${label}/jose`) as number;
      console.log(`| ${label} | ${ours.toFixed(2)} | ${jose.toFixed(2)} | ${(jose / ours).toFixed(1)}× |`);
    }
    console.log('');
  } finally {
    await server.close();
  }
}

const rs = keyAndTokens('RS256');
const es = keyAndTokens('ES256');
const config = { issuer: ISSUER, audience: AUDIENCE, keys: { RS256: rs.pem, ES256: es.pem } };
const cold = (label: string, alg: Alg, tokens: string[]): Task[] =>
  (['gatehouse', 'jose'] as const).map((variant) => ({ label, variant, body: { alg, tokens }, count: tokens.length }));
const token = rs.tokens[0] as string;
const tasks: Task[] = [
  ...cold('cold RS256', 'RS256', rs.tokens),
  ...cold('cold ES256', 'ES256', es.tokens),
  {
    label: 'repeated RS256 token',
    variant: 'gatehouse-cached',
    body: { alg: 'RS256', token, n: REPEATS.gatehouse },
    count: REPEATS.gatehouse,
  },
  {
    label: 'repeated RS256 token',
    variant: 'jose',
    body: { alg: 'RS256', token, n: REPEATS.jose },
    count: REPEATS.jose,
  },
];

const wanted = process.argv.slice(2).filter((name): name is Runtime => (RUNTIMES as readonly string[]).includes(name));
console.log(
  `Verification per runtime, µs of CPU per token: median of ${ROUNDS} rounds, ${COLD_TOKENS} distinct tokens per cold request.\n`,
);
for (const runtime of wanted.length > 0 ? wanted : RUNTIMES) await benchRuntime(runtime, config, tasks);
