import { randomUUID } from 'node:crypto';
import {
  GatehouseConfigError,
  type OnUnavailable,
  type RevocationPage,
  type RevocationRecord,
  type StateStore,
  StateStoreError,
  type StoreWatcher,
} from '@gatehousejs/core';
import { type Connection, connectionFor, type RedisClient, type Subscription } from './clients.js';
import { checkRedisUrl, connectUrl } from './connect.js';
import { ADD_REVOCATION, READ_REVOCATIONS } from './scripts.js';

interface CommonOptions {
  /**
   * While Redis cannot be reached: `'refuse'` (default) answers 503 (`STATE_UNAVAILABLE`);
   * `'allow'` goes on deciding with the revocations this instance already knows.
   */
  onUnavailable?: OnUnavailable;
  /** Prefix of every key and of the channel. Default `gatehouse`. */
  prefix?: string;
}

export type RedisStoreOptions =
  | (CommonOptions & {
      /** `redis://` or `rediss://` URL; the store makes (and closes) its own client. */
      url: string;
      client?: never;
    })
  | (CommonOptions & {
      /** A node-redis or ioredis client (single, Cluster or Sentinel), connected by the application. */
      client: RedisClient;
      url?: never;
    });

const KINDS = new Set(['jti', 'sub', 'sid']);
const MAX_VALUE_LENGTH = 1024;

/**
 * The state store on Redis. Revocations are kept in two sorted sets and announced on a pub/sub
 * channel; once-only claims and cached answers are plain keys with an expiry. Every instance
 * subscribes once (one extra connection each) and keeps the revocations in its own memory.
 */
export function redisStore(options: RedisStoreOptions): StateStore {
  if (typeof options !== 'object' || options === null) throw new GatehouseConfigError('redisStore needs options');
  const onUnavailable = options.onUnavailable ?? 'refuse';
  if (onUnavailable !== 'refuse' && onUnavailable !== 'allow') {
    throw new GatehouseConfigError("onUnavailable must be 'refuse' or 'allow'");
  }
  const prefix = options.prefix ?? 'gatehouse';
  if (typeof prefix !== 'string' || !/^[\w.:-]{1,64}$/.test(prefix)) {
    throw new GatehouseConfigError('prefix must be 1-64 letters, digits, or . : _ -');
  }
  let connection: Promise<Connection>;
  if (options.url !== undefined && options.client !== undefined) {
    throw new GatehouseConfigError('give url or client, not both');
  }
  if (options.url !== undefined) {
    connection = connectUrl(checkRedisUrl(options.url)).then((client) => connectionFor(client, true));
  } else if (options.client !== undefined) {
    connection = Promise.resolve(connectionFor(options.client, false));
  } else {
    throw new GatehouseConfigError('redisStore needs a url or a client');
  }
  // A URL whose client library is missing surfaces at the first operation, not as an unhandled rejection.
  connection.catch(() => {});

  const tag = `{${prefix}}`;
  const keys = [`${tag}:revocations`, `${tag}:revocations:expiry`, `${tag}:revocations:seq`, `${tag}:epoch`];
  const channel = `${prefix}:revocations`;
  const valueKey = (key: string) => `${prefix}:value:${key}`;
  const watchers = new Set<StoreWatcher>();
  let subscription: Promise<Subscription | undefined> | undefined;
  let closed = false;

  async function run(key: string, args: readonly (string | number)[]): Promise<unknown> {
    if (closed) throw new StateStoreError('the store is closed');
    const conn = await connection;
    return conn.command(key, args);
  }

  const script = (source: string, args: readonly (string | number)[]) =>
    run(keys[0] as string, ['EVAL', source, keys.length, ...keys, ...args]);

  function subscribe(): Promise<Subscription | undefined> {
    const status = {
      connected: () => {
        for (const watcher of watchers) watcher.connected();
      },
      disconnected: () => {
        for (const watcher of watchers) watcher.disconnected();
      },
    };
    const onMessage = (message: string) => {
      const record = parseRecord(message);
      if (record) for (const watcher of watchers) watcher.revoked(record);
    };
    return connection
      .then((conn) => conn.subscribe(channel, onMessage, status))
      .catch(() => {
        // Not subscribed: the periodic reads keep instances in step, and report the outage.
        status.disconnected();
        return undefined;
      });
  }

  return {
    onUnavailable,
    async addRevocation(record) {
      await script(ADD_REVOCATION, [JSON.stringify(record), record.until, Date.now(), channel, randomUUID()]);
    },
    async readRevocations(cursor): Promise<RevocationPage> {
      const [cursorEpoch = '', cursorSeq = '0'] = cursor === undefined ? [] : splitCursor(cursor);
      const reply = await script(READ_REVOCATIONS, [cursorEpoch, cursorSeq, Date.now(), randomUUID()]);
      if (!Array.isArray(reply) || reply.length !== 4 || !Array.isArray(reply[3])) {
        throw new StateStoreError('unexpected reply from Redis');
      }
      const [epoch, seq, reset, entries] = reply as [unknown, unknown, unknown, unknown[]];
      const records: RevocationRecord[] = [];
      for (const entry of entries) {
        const text = String(entry);
        const record = parseRecord(text.slice(text.indexOf(' ') + 1));
        if (record) records.push(record);
      }
      return { records, cursor: `${String(epoch)}:${String(seq)}`, reset: Number(reset) === 1 };
    },
    watch(watcher) {
      watchers.add(watcher);
      subscription ??= subscribe();
      return () => {
        watchers.delete(watcher);
      };
    },
    async claimOnce(key, ttlMs) {
      const reply = await run(valueKey(key), ['SET', valueKey(key), '1', 'NX', 'PX', Math.max(1, Math.ceil(ttlMs))]);
      return reply === 'OK';
    },
    async getValue(key) {
      const reply = await run(valueKey(key), ['GET', valueKey(key)]);
      return typeof reply === 'string' ? reply : undefined;
    },
    async setValue(key, value, ttlMs) {
      await run(valueKey(key), ['SET', valueKey(key), value, 'PX', Math.max(1, Math.ceil(ttlMs))]);
    },
    async close() {
      if (closed) return;
      closed = true;
      watchers.clear();
      const sub = await subscription;
      await sub?.close().catch(() => {});
      const conn = await connection.catch(() => undefined);
      await conn?.close();
    },
  };
}

function splitCursor(cursor: string): [string, string] {
  const at = cursor.lastIndexOf(':');
  return at === -1 ? ['', '0'] : [cursor.slice(0, at), cursor.slice(at + 1)];
}

/** A record read from Redis or from the channel; anything malformed is ignored. */
function parseRecord(text: string): RevocationRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, value: target, at, until } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  if (typeof target !== 'string' || target === '' || target.length > MAX_VALUE_LENGTH) return undefined;
  if (typeof at !== 'number' || !Number.isFinite(at) || typeof until !== 'number' || !Number.isFinite(until)) {
    return undefined;
  }
  return { kind: kind as RevocationRecord['kind'], value: target, at, until };
}
