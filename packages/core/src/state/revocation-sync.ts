import { withDeadline } from './deadline.js';
import { RevocationSet } from './revocation-set.js';
import { type RevocationRecord, type StateStore, StateStoreError } from './store.js';

/** `starting`: the first read is under way; `ready`: in step with the store; `unavailable`: not. */
export type SyncState = 'starting' | 'ready' | 'unavailable';

export interface SyncOptions {
  /** ms between two reads of what was stored since the last one (messages can be lost). */
  readonly intervalMs: number;
  /** ms a store operation may take before the store counts as unreachable. */
  readonly timeoutMs: number;
  readonly now: () => number;
}

export const DEFAULT_SYNC_INTERVAL_MS = 500;
export const DEFAULT_STORE_TIMEOUT_MS = 2000;
/** The first read may include connecting to the store. */
const FIRST_READ_TIMEOUT_MS = 5000;

/**
 * Keeps a local {@link RevocationSet} in step with a store: revocations announced by the store are
 * applied as they arrive, and every `intervalMs` what was stored since the last read is read (a lost
 * message is found within one interval). While the store cannot be reached, or a read fails, the
 * state is `unavailable`; the next successful read makes it `ready` again, with nothing missed.
 * When the store comes back emptied (Redis restarted without persistence), the revocations this
 * instance holds are written back to it.
 */
export class RevocationSync {
  readonly set = new RevocationSet();
  private current: SyncState = 'starting';
  private cursor: string | undefined;
  private reading: Promise<void> | undefined;
  /** The first read, once `start()` has begun it (a store in this process needs none). */
  private firstRead: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly options: SyncOptions,
  ) {}

  get state(): SyncState {
    return this.current;
  }

  start(): void {
    if (this.unwatch) return;
    this.unwatch = this.store.watch({
      revoked: (record) => this.set.add(record, this.options.now()),
      connected: () => void this.read(),
      // Before the first read, a lost connection is not news: the first read decides.
      disconnected: () => {
        if (this.current !== 'starting') this.enter('unavailable');
      },
    });
    const now = this.store.readRevocationsNow?.();
    if (now) {
      // A store in this process: in step from here on, nothing to poll.
      for (const record of now.records) this.set.add(record, this.options.now());
      this.cursor = now.cursor;
      this.enter('ready');
      return;
    }
    this.timer = setInterval(() => void this.read(), this.options.intervalMs);
    this.timer.unref?.();
    // The read under way, if `connected` already began one: one read at a time.
    this.firstRead = this.read();
  }

  /** Resolves once the first read has ended, well or not (bounded by the store timeout; it never rejects). */
  started(): Promise<void> {
    return this.firstRead ?? Promise.resolve();
  }

  /** Reads what was stored since the last read; one read at a time. */
  read(): Promise<void> {
    this.reading ??= this.readOnce().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Stores a revocation and applies it here; rejects (applying nothing) when it cannot be stored. */
  async revoke(record: RevocationRecord): Promise<void> {
    await this.bounded(this.store.addRevocation(record));
    this.set.add(record, this.options.now());
  }

  private async readOnce(): Promise<void> {
    try {
      const timeout = this.current === 'starting' ? FIRST_READ_TIMEOUT_MS : this.options.timeoutMs;
      const page = await this.bounded(this.store.readRevocations(this.cursor), timeout);
      const now = this.options.now();
      this.set.prune(now);
      if (page.reset) await this.writeBack(page.records, now);
      for (const record of page.records) this.set.add(record, now);
      this.cursor = page.cursor;
      this.enter('ready');
    } catch {
      this.enter('unavailable');
    }
  }

  /** The store lost what it held: what this instance knows goes back into it. */
  private async writeBack(stored: readonly RevocationRecord[], now: number): Promise<void> {
    const known = new Set(stored.map((r) => `${r.kind}:${r.value}:${r.at}:${r.until}`));
    for (const record of this.set.records(now)) {
      if (!known.has(`${record.kind}:${record.value}:${record.at}:${record.until}`)) {
        await this.bounded(this.store.addRevocation(record));
      }
    }
  }

  private enter(state: SyncState): void {
    if (state === this.current) return;
    this.current = state;
  }

  /** A store operation that takes too long counts as failed. */
  private bounded<T>(operation: Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    return withDeadline(operation, timeoutMs, (cause) =>
      cause instanceof StateStoreError
        ? cause
        : new StateStoreError('the state store failed or did not answer in time', { cause }),
    );
  }
}
