import { AuthError } from '../errors.js';
import type { AuthUser } from '../types.js';
import { withDeadline } from './deadline.js';
import { memoryStore } from './memory-store.js';
import {
  DEFAULT_STORE_TIMEOUT_MS,
  DEFAULT_SYNC_INTERVAL_MS,
  RevocationSync,
  type SyncState,
} from './revocation-sync.js';
import type { RevocationKind, RevocationRecord, StateStore } from './store.js';

/** What `verifier.revoke()` names: exactly one of a token (`jti`), a user (`sub`) or a session (`sid`). */
export type RevocationTarget = { readonly jti: string } | { readonly sub: string } | { readonly sid: string };

export interface RevokeOptions {
  /** When the revocation lapses: a Date or ms since the epoch. Default: now plus the longest token lifetime. */
  until?: Date | number;
}

export interface SharedStateOptions {
  readonly now: () => number;
  /** ms: how long after a revocation a token it covers can still be valid (the longest lifetime, tolerance included). */
  readonly longestLifetimeMs: number;
}

const MAX_TARGET_LENGTH = 1024;
const unavailable = () => new AuthError('KEYS_UNAVAILABLE', 'STATE_UNAVAILABLE', { retryAfter: 1 });
const KINDS: readonly RevocationKind[] = ['jti', 'sub', 'sid'];

/**
 * A verifier's view of its store: the revocation check of every verification (synchronous once the
 * first read is done), `revoke()`, once-only claims and cached values, each bounded in time.
 */
export class SharedState {
  readonly store: StateStore;
  private readonly sync: RevocationSync;

  constructor(
    store: StateStore | undefined,
    private readonly options: SharedStateOptions,
  ) {
    this.store = store ?? memoryStore({ now: options.now });
    this.sync = new RevocationSync(this.store, {
      intervalMs: DEFAULT_SYNC_INTERVAL_MS,
      timeoutMs: DEFAULT_STORE_TIMEOUT_MS,
      now: options.now,
    });
    // A shared store is joined at once (connections, first read); one in this process at first use,
    // so that making a verifier at the top of a module starts nothing (Workers allow no I/O there).
    if (!this.store.readRevocationsNow) this.sync.start();
  }

  get state(): SyncState {
    this.sync.start();
    return this.sync.state;
  }

  /**
   * Lets a verified user through, or throws: 401 `TOKEN_REVOKED` when a revocation covers the token,
   * 503 `STATE_UNAVAILABLE` when the store cannot be reached (unless it allows). Synchronous except
   * before the first read of the store, which the first verifications wait for.
   */
  admit(user: AuthUser): AuthUser | Promise<AuthUser> {
    this.sync.start();
    if (this.sync.state === 'starting') return this.sync.started().then(() => this.admitNow(user));
    return this.admitNow(user);
  }

  private admitNow(user: AuthUser): AuthUser {
    if (this.sync.state !== 'ready' && this.store.onUnavailable !== 'allow') {
      throw unavailable();
    }
    if (this.sync.set.covers(user.claims, this.options.now())) throw new AuthError('UNAUTHENTICATED', 'TOKEN_REVOKED');
    return user;
  }

  /** Resolves once in step with the store; rejects (503 `STATE_UNAVAILABLE`) while it cannot be reached, unless it allows. */
  async ready(): Promise<void> {
    this.sync.start();
    if (this.sync.state === 'starting') await this.sync.started();
    if (this.sync.state !== 'ready' && this.store.onUnavailable !== 'allow') throw unavailable();
  }

  /** Stores a revocation where every instance sees it; rejects with 503 `STATE_UNAVAILABLE` when it cannot. */
  async revoke(target: RevocationTarget, options: RevokeOptions = {}): Promise<void> {
    const [kind, value] = checkedTarget(target);
    const at = this.options.now();
    const until = checkedUntil(options?.until, at, this.options.longestLifetimeMs);
    this.sync.start();
    try {
      await this.sync.revoke({ kind, value, at, until });
    } catch {
      throw unavailable();
    }
  }

  /** True the first time `key` is claimed (across every instance sharing the store). */
  claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.bounded(this.store.claimOnce(key, ttlMs));
  }

  getValue(key: string): Promise<string | undefined> {
    return this.bounded(this.store.getValue(key));
  }

  setValue(key: string, value: string, ttlMs: number): Promise<void> {
    return this.bounded(this.store.setValue(key, value, ttlMs));
  }

  private bounded<T>(operation: Promise<T>): Promise<T> {
    return withDeadline(operation, DEFAULT_STORE_TIMEOUT_MS, unavailable);
  }
}

function checkedTarget(target: RevocationTarget): [RevocationKind, string] {
  if (typeof target !== 'object' || target === null) throw new TypeError('revoke() needs { jti }, { sub } or { sid }');
  const given = KINDS.filter((kind) => (target as Record<string, unknown>)[kind] !== undefined);
  const names = Object.keys(target);
  if (given.length !== 1 || names.length !== 1) {
    throw new TypeError('revoke() needs exactly one of jti, sub or sid');
  }
  const kind = given[0] as RevocationKind;
  const value = (target as Record<string, unknown>)[kind];
  if (typeof value !== 'string' || value === '' || value.length > MAX_TARGET_LENGTH) {
    throw new TypeError(`revoke(): ${kind} must be a non-empty string of at most ${MAX_TARGET_LENGTH} characters`);
  }
  return [kind, value];
}

function checkedUntil(until: Date | number | undefined, now: number, longest: number): number {
  if (until === undefined) return now + longest;
  const ms = until instanceof Date ? until.getTime() : until;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= now) {
    throw new TypeError('revoke(): until must be a Date or a time in ms since the epoch, in the future');
  }
  return ms;
}

export type { RevocationRecord };
