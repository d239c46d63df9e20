/**
 * The parts of the two Node Redis clients that the store uses, described structurally so that
 * neither package is needed to compile against this one, and either (or both) can be installed.
 */

type Listener = (...args: unknown[]) => void;

/** A node-redis (`redis` v4+) client: `createClient()`, `createCluster()` or `createSentinel()`. */
export interface NodeRedisClient {
  sendCommand(...args: never[]): Promise<unknown>;
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  readonly isReady: boolean;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
}

/** An ioredis client: `new Redis()` (single or Sentinel) or `new Redis.Cluster()`. */
export interface IoRedisClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  duplicate(): IoRedisClient;
  subscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  readonly status: string;
  quit(): Promise<unknown>;
}

export type RedisClient = NodeRedisClient | IoRedisClient;

/** What the store needs of a connection to Redis, whichever client is behind it. */
export interface Connection {
  /** Sends one command; `key` is the first key it touches (Cluster routes by it). */
  command(key: string, args: readonly (string | number)[]): Promise<unknown>;
  /**
   * Opens a dedicated subscriber connection on `channel`. `status` hears when it is connected (and
   * subscribed again after a reconnection) and when it is lost.
   */
  subscribe(channel: string, onMessage: (message: string) => void, status: ConnectionStatus): Promise<Subscription>;
  /** Closes the connections the store opened (a client it was given stays open). */
  close(): Promise<void>;
}

export interface ConnectionStatus {
  connected(): void;
  disconnected(): void;
}

export interface Subscription {
  close(): Promise<void>;
}

export function isIoRedis(client: RedisClient): client is IoRedisClient {
  return typeof (client as IoRedisClient).call === 'function' && typeof (client as IoRedisClient).status === 'string';
}

export function isNodeRedis(client: RedisClient): client is NodeRedisClient {
  return typeof (client as NodeRedisClient).sendCommand === 'function' && 'isReady' in client;
}

/** A node-redis cluster routes commands by a key given apart from the arguments. */
function isNodeRedisCluster(client: NodeRedisClient): boolean {
  return 'masters' in client || 'slots' in client;
}

const ignore = () => {};

/** Wraps a client; `owned` says whether the store made it (and so closes it). */
export function connectionFor(client: RedisClient, owned: boolean): Connection {
  if (isIoRedis(client)) return ioRedisConnection(client, owned);
  if (isNodeRedis(client)) return nodeRedisConnection(client, owned);
  throw new TypeError('client must be a node-redis (redis) or an ioredis client');
}

function nodeRedisConnection(client: NodeRedisClient, owned: boolean): Connection {
  const cluster = isNodeRedisCluster(client);
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => Promise<unknown>;
  return {
    command(key, args) {
      const strings = args.map(String);
      return cluster ? send(key, false, strings) : send(strings);
    },
    async subscribe(channel, onMessage, status) {
      const subscriber = client.duplicate();
      // node-redis throws an 'error' event nobody listens to: the store reports it as a lost connection.
      subscriber.on('error', (() => status.disconnected()) as Listener);
      subscriber.on('end', (() => status.disconnected()) as Listener);
      subscriber.on('reconnecting', (() => status.disconnected()) as Listener);
      // node-redis subscribes again on reconnection before it reports ready.
      subscriber.on('ready', (() => status.connected()) as Listener);
      try {
        await subscriber.connect();
        await subscriber.subscribe(channel, (message) => onMessage(message));
      } catch (error) {
        await closeNodeRedis(subscriber).catch(ignore);
        throw error;
      }
      status.connected();
      return { close: () => closeNodeRedis(subscriber) };
    },
    async close() {
      if (owned) await closeNodeRedis(client);
    },
  };
}

async function closeNodeRedis(client: NodeRedisClient): Promise<void> {
  if (typeof client.close === 'function') await client.close();
  else await client.quit?.();
}

function ioRedisConnection(client: IoRedisClient, owned: boolean): Connection {
  return {
    command(_key, args) {
      const [name, ...rest] = args;
      return client.call(String(name), ...rest);
    },
    async subscribe(channel, onMessage, status) {
      const subscriber = client.duplicate();
      subscriber.on('error', ignore);
      subscriber.on('close', (() => status.disconnected()) as Listener);
      subscriber.on('end', (() => status.disconnected()) as Listener);
      // ioredis subscribes again on reconnection, after 'ready'.
      subscriber.on('ready', (() => status.connected()) as Listener);
      subscriber.on('message', ((from: string, message: string) => {
        if (from === channel) onMessage(message);
      }) as Listener);
      try {
        await subscriber.subscribe(channel);
      } catch (error) {
        await subscriber.quit().catch(ignore);
        throw error;
      }
      return { close: () => subscriber.quit().then(ignore, ignore) };
    },
    async close() {
      if (owned) await client.quit().catch(ignore);
    },
  };
}
