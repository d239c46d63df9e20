/**
 * Lua scripts, so that each step is atomic. Every revocation key carries the same hash tag: in a
 * Cluster they live on one slot. A log entry is `<seq> <record JSON>`, in two sorted sets: by
 * sequence (for "what was stored since") and by end of validity (for "what is in force").
 */

/**
 * KEYS: log, expiry, seq, epoch. ARGV: record JSON, until (ms), now (ms), channel, candidate epoch.
 * Stores the record, drops lapsed ones, announces the record. Returns the epoch.
 */
export const ADD_REVOCATION = `
redis.call('SET', KEYS[4], ARGV[5], 'NX')
local seq = redis.call('INCR', KEYS[3])
local member = seq .. ' ' .. ARGV[1]
redis.call('ZADD', KEYS[1], seq, member)
redis.call('ZADD', KEYS[2], ARGV[2], member)
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', 0, 1000)
for _, old in ipairs(lapsed) do
  redis.call('ZREM', KEYS[1], old)
  redis.call('ZREM', KEYS[2], old)
end
redis.call('PUBLISH', ARGV[4], ARGV[1])
return redis.call('GET', KEYS[4])
`;

/**
 * KEYS: log, expiry, seq, epoch. ARGV: cursor epoch ('' for none), cursor seq, now (ms), candidate epoch.
 * Returns { epoch, seq, reset (0/1), entries }: the entries stored after the cursor when the epoch
 * is the cursor's, otherwise every entry in force (and reset = 1 when a cursor was given).
 */
export const READ_REVOCATIONS = `
redis.call('SET', KEYS[4], ARGV[4], 'NX')
local epoch = redis.call('GET', KEYS[4])
local seq = redis.call('GET', KEYS[3]) or '0'
if ARGV[1] == epoch then
  return { epoch, seq, 0, redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf') }
end
local reset = 0
if ARGV[1] ~= '' then reset = 1 end
return { epoch, seq, reset, redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[3], '+inf') }
`;
