/**
 * What several verifier instances share: revocations, once-only claims (logout-token `jti`s) and
 * cached answers (Frontegg access tokens). `memoryStore()` keeps it in one process;
 * `@gatehousejs/redis` keeps it in Redis for many.
 */

/** What a revocation names: one token (`jti`), every token of a user (`sub`) or of a session (`sid`). */
export type RevocationKind = 'jti' | 'sub' | 'sid';

export interface RevocationRecord {
  readonly kind: RevocationKind;
  readonly value: string;
  /** ms since the epoch when it was made: `sub` and `sid` revocations cover tokens issued at or before it. */
  readonly at: number;
  /** ms since the epoch when it lapses (no token it covers can still be valid then). */
  readonly until: number;
}

/** A batch of stored revocations and where to continue reading. */
export interface RevocationPage {
  readonly records: readonly RevocationRecord[];
  /** Pass it to the next `readRevocations` to get only what was stored since. */
  readonly cursor: string;
  /**
   * The store no longer knows what the given cursor referred to (it was emptied or replaced, as a
   * Redis restarted without persistence is): `records` is everything it holds now.
   */
  readonly reset: boolean;
}

/** Hears what happens at the store from every instance. */
export interface StoreWatcher {
  /** A revocation was stored (by any instance). */
  revoked(record: RevocationRecord): void;
  /** The store can be reached again: revocations may have been missed meanwhile. */
  connected(): void;
  /** The store cannot be reached: revocations may be missed from now on. */
  disconnected(): void;
}

export type OnUnavailable = 'refuse' | 'allow';

export interface StateStore {
  /**
   * What a verifier does while the store cannot be reached: `'refuse'` (the default: 503,
   * `STATE_UNAVAILABLE`) or `'allow'` (decide with the revocations already known).
   */
  readonly onUnavailable: OnUnavailable;
  /**
   * A store in this process (`memoryStore()`): what it holds, at once. Every watcher hears every
   * revocation, so no periodic reads are needed, and no promise outlives a call (Workers refuse
   * promises shared between requests).
   */
  readRevocationsNow?(): RevocationPage;
  /** Stores a revocation and announces it to every watcher; rejects when it cannot be stored. */
  addRevocation(record: RevocationRecord): Promise<void>;
  /** Revocations stored after `cursor` (all in force without one); rejects when the store cannot be read. */
  readRevocations(cursor?: string): Promise<RevocationPage>;
  /** Starts hearing of revocations and of the store's reachability; returns the function that stops it. */
  watch(watcher: StoreWatcher): () => void;
  /** True the first time `key` is claimed while a claim on it lasts (`ttlMs`); false after. Rejects when unreachable. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** A cached value, or undefined. Rejects when unreachable. */
  getValue(key: string): Promise<string | undefined>;
  /** Caches a value for `ttlMs`. Rejects when unreachable. */
  setValue(key: string, value: string, ttlMs: number): Promise<void>;
  /** Releases what the store holds open (connections it made). */
  close(): Promise<void>;
}

/** Why the store could not do what was asked. Internal: a client sees 503 `STATE_UNAVAILABLE` at most. */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
}
