import { GatehouseConfigError } from '@gatehousejs/core';
import type { IoRedisClient, NodeRedisClient, RedisClient } from './clients.js';

interface NodeRedisModule {
  createClient(options: unknown): NodeRedisClient;
}

/** How long a connection attempt may take, and the longest pause between attempts (ms). */
const CONNECT_TIMEOUT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * A client for `url`, with node-redis when it is installed, otherwise ioredis. Commands fail soon
 * while disconnected (no offline queue, or no retries), and the client reconnects on its own, every
 * second at most.
 */
export async function connectUrl(url: string): Promise<RedisClient> {
  const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);
  // node-redis's client alone loads in about half the time of `redis`, which adds its modules.
  const nodeRedis =
    (await optionalImport<NodeRedisModule>('@redis/client')) ?? (await optionalImport<NodeRedisModule>('redis'));
  if (nodeRedis) {
    const client = nodeRedis.createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: reconnectDelay },
    });
    client.on('error', () => {});
    // Connecting goes on in the background: until it succeeds, operations fail and the verifier refuses.
    await firstAttempt(client.connect());
    return client;
  }
  const ioredis = await optionalImport<{ Redis: new (url: string, options: unknown) => IoRedisClient }>('ioredis');
  if (ioredis) {
    const client = new ioredis.Redis(url, {
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: reconnectDelay,
    });
    client.on('error', () => {});
    await firstAttempt(new Promise((resolve) => client.on('ready', resolve)));
    return client;
  }
  throw new GatehouseConfigError('redisStore({ url }) needs the "redis" or the "ioredis" package: install one');
}

/** A `redis://` or `rediss://` URL, or a GatehouseConfigError (which never shows the URL: it may hold a password). */
export function checkRedisUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new GatehouseConfigError('the Redis URL is not a URL');
  }
  if (typeof url !== 'string' || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new GatehouseConfigError('the Redis URL must start with redis:// or rediss://');
  }
  return url;
}

/** Waits for the first connection, or for the time one attempt may take, whichever comes first. */
function firstAttempt(connected: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    connected.then(done, done);
  });
}

async function optionalImport<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch {
    return undefined;
  }
}
