export type { IoRedisClient, NodeRedisClient, RedisClient } from './clients.js';
export { type RedisStoreOptions, redisStore } from './redis-store.js';
