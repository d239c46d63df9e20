export type { IoRedisClient, NodeRedisClient, RedisClient } from './clients.js';
export { storeFromEnv } from './env.js';
export { type RedisStoreOptions, redisStore } from './redis-store.js';
