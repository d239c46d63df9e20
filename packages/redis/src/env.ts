import { type Env, GatehouseConfigError, type StateStore } from '@gatehousejs/core';
import { type RedisStoreOptions, redisStore } from './redis-store.js';

/**
 * The store `GATEHOUSE_REDIS_URL` names, or undefined when it is not set:
 * `verifierFromEnv(process.env, { store: storeFromEnv() })`.
 */
export function storeFromEnv(
  env: Env = process.env,
  options: Omit<RedisStoreOptions, 'url' | 'client'> = {},
): StateStore | undefined {
  const url = env.GATEHOUSE_REDIS_URL;
  if (url === undefined) return undefined;
  if (url.trim() === '') throw new GatehouseConfigError('GATEHOUSE_REDIS_URL is set but blank');
  return redisStore({ ...options, url: url.trim() });
}
