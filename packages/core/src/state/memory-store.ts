import { GatehouseConfigError } from '../errors.js';
import type { RevocationPage, RevocationRecord, StateStore, StoreWatcher } from './store.js';

export interface MemoryStoreOptions {
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Most cached values and claims held; the oldest go first. Default 100,000. */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * The state of one process: the default store of a verifier. Verifiers given the same memory
 * store share its revocations. It is always reachable.
 */
export function memoryStore(options: MemoryStoreOptions = {}): StateStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new GatehouseConfigError('maxEntries must be a positive integer');
  }
  const epoch = globalThis.crypto.randomUUID();
  const log: { seq: number; record: RevocationRecord }[] = [];
  let seq = 0;
  const values = new Map<string, { value: string; expiresAt: number }>();
  const watchers = new Set<StoreWatcher>();

  function live(key: string): { value: string; expiresAt: number } | undefined {
    const entry = values.get(key);
    if (entry && entry.expiresAt <= now()) {
      values.delete(key);
      return undefined;
    }
    return entry;
  }

  function put(key: string, value: string, ttlMs: number): void {
    values.delete(key);
    while (values.size >= maxEntries) values.delete(values.keys().next().value as string);
    values.set(key, { value, expiresAt: now() + ttlMs });
  }

  function read(cursor?: string): RevocationPage {
    const [cursorEpoch, cursorSeq] = (cursor ?? '').split(':');
    const reset = cursor !== undefined && cursorEpoch !== epoch;
    const after = cursor === undefined || reset ? 0 : Number(cursorSeq);
    const time = now();
    const records = log.filter((e) => e.seq > after && e.record.until > time).map((e) => e.record);
    return { records, cursor: `${epoch}:${seq}`, reset };
  }

  return {
    onUnavailable: 'refuse',
    async addRevocation(record) {
      const time = now();
      // Lapsed revocations leave the log as new ones come in.
      const kept = log.filter((entry) => entry.record.until > time);
      log.splice(0, log.length, ...kept);
      log.push({ seq: ++seq, record });
      for (const watcher of watchers) watcher.revoked(record);
    },
    async readRevocations(cursor) {
      return read(cursor);
    },
    readRevocationsNow: () => read(),
    watch(watcher) {
      watchers.add(watcher);
      return () => {
        watchers.delete(watcher);
      };
    },
    async claimOnce(key, ttlMs) {
      if (live(key)) return false;
      put(key, '1', ttlMs);
      return true;
    },
    async getValue(key) {
      return live(key)?.value;
    },
    async setValue(key, value, ttlMs) {
      put(key, value, ttlMs);
    },
    async close() {
      watchers.clear();
    },
  };
}
