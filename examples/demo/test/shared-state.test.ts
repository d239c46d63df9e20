import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../packages/redis/test/support/redis-server.js';

// Three demo processes, as deployed: the same key source (a JWKS issuer) and the same Redis.
const DEMO = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(DEMO, 'dist/main.js');
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
const AUDIENCE = 'https://demo.gatehouse.test';
const LOGOUT_AUDIENCE = 'demo-rp';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Bound for "every instance has heard": generous (busy machine); the measured time is in BENCHMARKS.md. */
const EVERYWHERE = { timeout: 15_000, interval: 25 };

const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(GATEHOUSE_|FRONTEGG_|PORT$)/.test(name)),
);

let issuer: TestIssuer;
let redis: RedisServer;
const processes: ChildProcess[] = [];
let urls: string[] = [];

function startDemoProcess(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...CLEAN_ENV, PORT: '0', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${output}`)), 30_000);
    // The banner goes to stderr, the JSON logs to stdout.
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse demo on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [TSC, '-b', join(DEMO, 'tsconfig.json')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
  issuer = await createTestIssuer({ audience: AUDIENCE });
  redis = await startRedisServer();
  const env = {
    GATEHOUSE_JWKS_URI: issuer.jwksUri,
    GATEHOUSE_ISSUER: issuer.issuer,
    GATEHOUSE_AUDIENCE: AUDIENCE,
    GATEHOUSE_LOGOUT_AUDIENCE: LOGOUT_AUDIENCE,
    GATEHOUSE_REDIS_URL: redis.url,
  };
  urls = await Promise.all([startDemoProcess(env), startDemoProcess(env), startDemoProcess(env)]);
  // Ready: each has its keys and has read the revocations from Redis once.
  const probe = await issuer.sign({ sub: 'probe' });
  await untilEverywhere(probe, 200);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    processes.map((child) => {
      if (child.exitCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
  await redis?.close();
  await issuer?.close();
});

const admin = () => issuer.sign({ sub: `admin-${randomUUID()}`, roles: ['admin'], jti: randomUUID() });

function shift(url: string, token: string): Promise<Response> {
  return fetch(`${url}/api/shift`, { headers: { authorization: `Bearer ${token}` } });
}

function revoke(url: string, token: string, body: unknown, raw?: string): Promise<Response> {
  return fetch(`${url}/api/revocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
}

async function statusEverywhere(token: string): Promise<number[]> {
  return Promise.all(urls.map(async (url) => (await shift(url, token)).status));
}

/** Polls until every instance answers `status` for the token; returns the time it took (ms). */
async function untilEverywhere(token: string, status: number): Promise<number> {
  const start = performance.now();
  await vi.waitFor(async () => expect(await statusEverywhere(token)).toEqual(urls.map(() => status)), EVERYWHERE);
  return performance.now() - start;
}

describe('three demo processes sharing one Redis', () => {
  test('POST /api/revocations on one instance: the token is refused by all three (cached ones included)', async () => {
    const jti = randomUUID();
    const victim = await issuer.sign({ sub: 'user-1', jti });
    const bystander = await issuer.sign({ sub: 'user-1', jti: randomUUID() });
    expect(await statusEverywhere(victim)).toEqual([200, 200, 200]);
    const response = await revoke(urls[0] as string, await admin(), { jti });
    expect(response.status).toBe(204);
    const took = await untilEverywhere(victim, 401);
    console.log(`revocation seen by 3 processes after ${took.toFixed(0)} ms (polled)`);
    const refused = await shift(urls[2] as string, victim);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    expect(await statusEverywhere(bystander)).toEqual([200, 200, 200]);
  });

  test('revoking a sub and a sid', async () => {
    const userToken = await issuer.sign({ sub: 'user-2' }, { issuedAt: Math.floor(Date.now() / 1000) - 5 });
    const sessionToken = await issuer.sign(
      { sub: 'user-3', sid: 'sid-3' },
      { issuedAt: Math.floor(Date.now() / 1000) - 5 },
    );
    expect((await revoke(urls[1] as string, await admin(), { sub: 'user-2' })).status).toBe(204);
    expect((await revoke(urls[2] as string, await admin(), { sid: 'sid-3' })).status).toBe(204);
    await untilEverywhere(userToken, 401);
    await untilEverywhere(sessionToken, 401);
  });

  test.each([
    ['an empty object', {}],
    ['two targets', { jti: 'a', sub: 'b' }],
    ['an unknown field', { jti: 'a', reason: 'leak' }],
    ['an empty string', { sub: '' }],
    ['a number', { jti: 7 }],
    ['an array', [{ jti: 'a' }]],
    ['a string', 'jti'],
    ['null', null],
  ])('a body with %s: 400, nothing revoked', async (_, body) => {
    const victim = await issuer.sign({ sub: 'a', jti: 'a', sid: 'a' });
    const response = await revoke(urls[0] as string, await admin(), body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'BAD_REQUEST' });
    expect(await statusEverywhere(victim)).toEqual([200, 200, 200]);
  });

  test('invalid JSON: 400; a body too large: 413; nothing revoked', async () => {
    const victim = await issuer.sign({ sub: 'b', jti: 'b' });
    expect((await revoke(urls[0] as string, await admin(), undefined, '{"jti":')).status).toBe(400);
    expect((await revoke(urls[0] as string, await admin(), { jti: 'b'.repeat(100_000) })).status).toBe(413);
    expect(await statusEverywhere(victim)).toEqual([200, 200, 200]);
  });

  test('a form body is "any other body": 400, nothing revoked', async () => {
    const victim = await issuer.sign({ sub: 'c', jti: 'c' });
    const response = await fetch(`${urls[0]}/api/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await admin()}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'jti=c',
    });
    expect(response.status).toBe(400);
    expect(await statusEverywhere(victim)).toEqual([200, 200, 200]);
  });

  test('only an admin may revoke: 401 without a token, 403 without the role', async () => {
    const victim = await issuer.sign({ sub: 'c', jti: 'c' });
    const anonymous = await fetch(`${urls[0]}/api/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jti: 'c' }),
    });
    expect(anonymous.status).toBe(401);
    const user = await issuer.sign({ sub: 'someone', roles: ['read-only'] });
    expect((await revoke(urls[0] as string, user, { jti: 'c' })).status).toBe(403);
    expect(await statusEverywhere(victim)).toEqual([200, 200, 200]);
  });

  test('POST /backchannel-logout with a logout token: 200, the session is refused everywhere; a replay: 400', async () => {
    const sid = `sid-${randomUUID()}`;
    const token = await issuer.sign({ sub: 'user-4', sid }, { issuedAt: Math.floor(Date.now() / 1000) - 5 });
    expect(await statusEverywhere(token)).toEqual([200, 200, 200]);
    const logoutToken = await issuer.sign(
      { aud: LOGOUT_AUDIENCE, sub: 'user-4', sid, jti: randomUUID(), events: { [EVENT]: {} } },
      { expiresIn: 120, header: { typ: 'logout+jwt' } },
    );
    const post = (url: string) =>
      fetch(`${url}/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: logoutToken }),
      });
    expect((await post(urls[1] as string)).status).toBe(200);
    await untilEverywhere(token, 401);
    expect((await post(urls[2] as string)).status).toBe(400);
    // An access token is not a logout token.
    const notLogout = await fetch(`${urls[0]}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: await issuer.sign({ sub: 'user-5', aud: LOGOUT_AUDIENCE }) }),
    });
    expect(notLogout.status).toBe(400);
  });

  test('Redis killed under load: 503 everywhere, revocations refused (503); back: recovers, nothing lost', async () => {
    const revokedJti = randomUUID();
    const revoked = await issuer.sign({ sub: 'user-6', jti: revokedJti });
    const good = await issuer.sign({ sub: 'user-7', jti: randomUUID() });
    expect((await revoke(urls[0] as string, await admin(), { jti: revokedJti })).status).toBe(204);
    await untilEverywhere(revoked, 401);
    const adminToken = await admin();

    const seen = { revokedPassed: 0, statuses: new Set<number>() };
    let running = true;
    const load = Promise.all(
      urls.map(async (url) => {
        while (running) {
          const [a, b] = await Promise.all([shift(url, good), shift(url, revoked)]);
          seen.statuses.add(a.status);
          if (b.status === 200) seen.revokedPassed++;
          seen.statuses.add(b.status);
        }
      }),
    );

    await redis.kill();
    await untilEverywhere(good, 503);
    const during = await revoke(urls[1] as string, adminToken, { jti: randomUUID() });
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).not.toBeNull();

    await redis.start();
    await untilEverywhere(good, 200);
    running = false;
    await load;
    expect(seen.revokedPassed).toBe(0);
    expect([...seen.statuses].sort()).toEqual([200, 401, 503]);
    expect(await statusEverywhere(revoked)).toEqual([401, 401, 401]);

    const afterJti = randomUUID();
    const after = await issuer.sign({ sub: 'user-8', jti: afterJti });
    expect(await statusEverywhere(after)).toEqual([200, 200, 200]);
    expect((await revoke(urls[2] as string, adminToken, { jti: afterJti })).status).toBe(204);
    await untilEverywhere(after, 401);
  });
});
