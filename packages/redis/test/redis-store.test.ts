import { randomUUID } from 'node:crypto';
import {
  backchannelLogout,
  createVerifier,
  GatehouseConfigError,
  type StateStore,
  type Verifier,
} from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { type RedisStoreOptions, redisStore, storeFromEnv } from '@gatehousejs/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type RedisServer, startRedisServer } from './support/redis-server.js';

const AUDIENCE = 'https://api.gatehouse.test';
/** Bound for "every instance has heard": generous, the machine is busy; the measured time is in BENCHMARKS.md. */
const EVERYWHERE = { timeout: 10_000, interval: 20 };

let issuer: TestIssuer;
let redis: RedisServer;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false, audience: AUDIENCE });
  redis = await startRedisServer();
});
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
});
afterAll(async () => {
  await redis.close();
  await issuer.close();
});

function store(options: Partial<RedisStoreOptions> = {}): StateStore {
  const made = redisStore({ url: redis.url, prefix: `test-${randomUUID()}`, ...options } as RedisStoreOptions);
  cleanup.push(() => made.close());
  return made;
}

/** `count` instances sharing one Redis (each its own connections, as separate processes have). */
function instances(count: number, options: Partial<RedisStoreOptions> = {}): Verifier[] {
  const prefix = `test-${randomUUID()}`;
  return Array.from({ length: count }, () =>
    createVerifier({
      publicKey: issuer.publicKeyPem(),
      issuer: issuer.issuer,
      audience: AUDIENCE,
      store: store({ prefix, ...options }),
    }),
  );
}

async function refusedEverywhere(verifiers: readonly Verifier[], token: string): Promise<void> {
  await vi.waitFor(async () => {
    for (const verifier of verifiers) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, reason: 'TOKEN_REVOKED' });
    }
  }, EVERYWHERE);
}

describe('revocations shared through Redis', () => {
  test('a revocation on one instance is honoured by all, cached verifications included', async () => {
    const verifiers = instances(3);
    const token = await issuer.sign({ sub: 'user-1', jti: 'shared-1' });
    const other = await issuer.sign({ sub: 'user-1', jti: 'shared-2' });
    for (const verifier of verifiers) await verifier.verify(token);
    await verifiers[0]?.revoke({ jti: 'shared-1' });
    await refusedEverywhere(verifiers, token);
    for (const verifier of verifiers) await expect(verifier.verify(other)).resolves.toMatchObject({ id: 'user-1' });
  });

  test('an instance started after the revocation knows it', async () => {
    const prefix = `test-${randomUUID()}`;
    const [first] = instances(1, { prefix });
    const token = await issuer.sign({ sub: 'user-2', sid: 'session-2' });
    await first?.revoke({ sid: 'session-2' });
    const [late] = instances(1, { prefix });
    await expect(late?.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test('a revocation whose message is lost is found by the periodic read', async () => {
    const prefix = `test-${randomUUID()}`;
    const verifiers = instances(2, { prefix });
    const token = await issuer.sign({ sub: 'user-3' });
    for (const verifier of verifiers) await verifier.verify(token);
    // Stored as the store stores it (atomically: a read between the two steps would pass the
    // entry by), but never announced.
    const raw = createClient({ url: redis.url });
    await raw.connect();
    cleanup.push(() => raw.close());
    const until = Date.now() + 600_000;
    const record = JSON.stringify({ kind: 'sub', value: 'user-3', at: Date.now(), until });
    await raw.eval(
      "local seq = redis.call('INCR', KEYS[1]) local entry = seq .. ' ' .. ARGV[1] " +
        "redis.call('ZADD', KEYS[2], seq, entry) redis.call('ZADD', KEYS[3], ARGV[2], entry) return seq",
      {
        keys: [`{${prefix}}:revocations:seq`, `{${prefix}}:revocations`, `{${prefix}}:revocations:expiry`],
        arguments: [record, String(until)],
      },
    );
    await refusedEverywhere(verifiers, token);
  });

  test.each([
    [
      'node-redis',
      async () => {
        const client = createClient({ url: redis.url });
        await client.connect();
        return { client, close: () => client.close() };
      },
    ],
    [
      'ioredis',
      async () => {
        const client = new Redis(redis.url);
        return { client, close: () => client.quit() };
      },
    ],
  ])('with a %s client given by the application', async (_, connect) => {
    const prefix = `test-${randomUUID()}`;
    const verifiers: Verifier[] = [];
    for (let i = 0; i < 2; i++) {
      const { client, close } = await connect();
      cleanup.push(close);
      const shared = redisStore({ client, prefix });
      cleanup.push(() => shared.close());
      verifiers.push(createVerifier({ publicKey: issuer.publicKeyPem(), audience: AUDIENCE, store: shared }));
    }
    const token = await issuer.sign({ jti: 'client-given' });
    for (const verifier of verifiers) await verifier.verify(token);
    await verifiers[1]?.revoke({ jti: 'client-given' });
    await refusedEverywhere(verifiers, token);
  });

  test('a logout token is accepted once across instances', async () => {
    const verifiers = instances(2);
    const handlers = verifiers.map((v) => backchannelLogout(v, { audience: 'rp' }));
    const logoutToken = await issuer.sign(
      {
        aud: 'rp',
        sub: 'user-4',
        jti: randomUUID(),
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      },
      { expiresIn: 120, header: { typ: 'logout+jwt' } },
    );
    const post = (i: number) =>
      (handlers[i] as ReturnType<typeof backchannelLogout>)(
        new Request('http://rp.test/logout', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: logoutToken }),
        }),
      );
    expect((await post(0)).status).toBe(200);
    expect((await post(1)).status).toBe(400);
  });
});

describe('Redis unreachable', () => {
  test('killed and restarted under load: 503 while down, revoke() rejects, nothing lost, recovers without restart', async () => {
    const verifiers = instances(3);
    const revokedBefore = await issuer.sign({ sub: 'user-5', jti: 'before-outage' });
    const good = await issuer.sign({ sub: 'user-6', jti: 'good' });
    for (const verifier of verifiers) {
      await verifier.verify(revokedBefore);
      await verifier.verify(good);
    }
    await verifiers[0]?.revoke({ jti: 'before-outage' });
    await refusedEverywhere(verifiers, revokedBefore);

    // Load: every instance verifies both tokens continuously; a revoked token must never pass.
    const outcomes = { ok: 0, unavailable: 0, revoked: 0, other: [] as string[], revokedPassed: 0 };
    let running = true;
    const load = Promise.all(
      verifiers.map(async (verifier) => {
        while (running) {
          for (const token of [good, revokedBefore]) {
            try {
              await verifier.verify(token);
              if (token === revokedBefore) outcomes.revokedPassed++;
              else outcomes.ok++;
            } catch (error) {
              const reason = (error as { reason?: string }).reason ?? String(error);
              if (reason === 'STATE_UNAVAILABLE') outcomes.unavailable++;
              else if (reason === 'TOKEN_REVOKED') outcomes.revoked++;
              else outcomes.other.push(reason);
            }
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );

    await redis.kill();
    await vi.waitFor(async () => {
      for (const verifier of verifiers) {
        await expect(verifier.verify(good)).rejects.toMatchObject({ status: 503, reason: 'STATE_UNAVAILABLE' });
      }
    }, EVERYWHERE);
    await expect(verifiers[1]?.revoke({ jti: 'during-outage' })).rejects.toMatchObject({
      code: 'KEYS_UNAVAILABLE',
      reason: 'STATE_UNAVAILABLE',
    });

    await redis.start();
    await vi.waitFor(async () => {
      for (const verifier of verifiers) await expect(verifier.verify(good)).resolves.toMatchObject({ id: 'user-6' });
    }, EVERYWHERE);
    running = false;
    await load;
    expect(outcomes.revokedPassed).toBe(0);
    expect(outcomes.other).toEqual([]);
    expect(outcomes.unavailable).toBeGreaterThan(0);

    // Redis came back empty (no persistence): the instances wrote back what they knew.
    for (const verifier of verifiers)
      await expect(verifier.verify(revokedBefore)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    // A revocation after the outage reaches everyone again.
    const after = await issuer.sign({ sub: 'user-7', jti: 'after-outage' });
    for (const verifier of verifiers) await verifier.verify(after);
    await verifiers[2]?.revoke({ jti: 'after-outage' });
    await refusedEverywhere(verifiers, after);
  });

  test('revocations survive a Redis restart without persistence: a new instance learns them', async () => {
    const prefix = `test-${randomUUID()}`;
    const [first] = instances(1, { prefix });
    const token = await issuer.sign({ jti: 'survivor' });
    await first?.revoke({ jti: 'survivor' });
    await redis.kill();
    await redis.start();
    await vi.waitFor(() => expect(first?.stateStatus()).toBe('ready'), EVERYWHERE);
    const [late] = instances(1, { prefix });
    await expect(late?.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test('Redis down when the instance starts: 503 until it is reachable, then tokens pass', async () => {
    await redis.kill();
    const [verifier] = instances(1);
    const token = await issuer.sign({ sub: 'early' });
    await expect(verifier?.verify(token)).rejects.toMatchObject({ status: 503, reason: 'STATE_UNAVAILABLE' });
    await redis.start();
    await vi.waitFor(() => expect(verifier?.verify(token)).resolves.toMatchObject({ id: 'early' }), EVERYWHERE);
  });

  test("onUnavailable: 'allow' decides with what is known while Redis is down", async () => {
    const verifiers = instances(1, { onUnavailable: 'allow' });
    const verifier = verifiers[0] as Verifier;
    const revoked = await issuer.sign({ jti: 'known' });
    const fine = await issuer.sign({ jti: 'fine' });
    await verifier.revoke({ jti: 'known' });
    await redis.kill();
    try {
      await vi.waitFor(() => expect(verifier.stateStatus()).toBe('unavailable'), EVERYWHERE);
      await expect(verifier.verify(fine)).resolves.toMatchObject({ id: 'test-user' });
      await expect(verifier.verify(revoked)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
      await expect(verifier.revoke({ jti: 'fine' })).rejects.toMatchObject({ reason: 'STATE_UNAVAILABLE' });
    } finally {
      await redis.start();
    }
  });
});

describe('configuration', () => {
  test.each([
    ['no options', undefined],
    ['neither url nor client', {}],
    ['both url and client', { url: 'redis://127.0.0.1:1', client: {} }],
    ['a URL of another scheme', { url: 'http://127.0.0.1:6379' }],
    ['onUnavailable misspelt', { url: 'redis://127.0.0.1:1', onUnavailable: 'allow-all' }],
    ['a prefix with braces', { url: 'redis://127.0.0.1:1', prefix: '{x}' }],
  ])('%s: GatehouseConfigError', (_, options) => {
    expect(() => redisStore(options as never)).toThrow(GatehouseConfigError);
  });

  test('a client that is neither node-redis nor ioredis: TypeError', () => {
    expect(() => redisStore({ client: { get() {} } as never })).toThrow(TypeError);
  });

  test('storeFromEnv: GATEHOUSE_REDIS_URL names the store; unset, none', async () => {
    expect(storeFromEnv({})).toBeUndefined();
    expect(() => storeFromEnv({ GATEHOUSE_REDIS_URL: ' ' })).toThrow(GatehouseConfigError);
    const fromEnv = storeFromEnv({ GATEHOUSE_REDIS_URL: redis.url }) as StateStore;
    cleanup.push(() => fromEnv.close());
    expect(await fromEnv.claimOnce(`env-${randomUUID()}`, 1000)).toBe(true);
  });
});
