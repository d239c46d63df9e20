import type { RevocationKind, RevocationRecord } from './store.js';

interface Entry {
  at: number;
  until: number;
}

/**
 * The revocations in force, held in this process and checked synchronously on every verification,
 * cached ones included. A `jti` revocation covers that token; a `sub` or `sid` revocation covers the
 * tokens issued at or before it (a token without `iat` cannot show it was issued later: covered).
 */
export class RevocationSet {
  private readonly byKind: Record<RevocationKind, Map<string, Entry>> = {
    jti: new Map(),
    sub: new Map(),
    sid: new Map(),
  };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a record (merged with one for the same target); false when it adds nothing new. */
  add(record: RevocationRecord, now: number): boolean {
    if (record.until <= now) return false;
    const map = this.byKind[record.kind];
    const entry = map.get(record.value);
    if (!entry) {
      map.set(record.value, { at: record.at, until: record.until });
      this.count++;
      return true;
    }
    if (entry.at >= record.at && entry.until >= record.until) return false;
    entry.at = Math.max(entry.at, record.at);
    entry.until = Math.max(entry.until, record.until);
    return true;
  }

  /** Whether a revocation in force covers a token with these claims. */
  covers(claims: Readonly<Record<string, unknown>>, now: number): boolean {
    if (this.count === 0) return false;
    const jti = this.live('jti', claims.jti, now);
    if (jti) return true;
    const iat = claims.iat;
    const issued = typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : Number.NEGATIVE_INFINITY;
    for (const kind of ['sid', 'sub'] as const) {
      const entry = this.live(kind, claims[kind], now);
      if (entry && issued <= entry.at) return true;
    }
    return false;
  }

  /** Every record in force. */
  records(now: number): RevocationRecord[] {
    const out: RevocationRecord[] = [];
    for (const kind of ['jti', 'sub', 'sid'] as const) {
      for (const [value, { at, until }] of this.byKind[kind]) {
        if (until > now) out.push({ kind, value, at, until });
      }
    }
    return out;
  }

  /** Drops lapsed revocations. */
  prune(now: number): void {
    for (const map of Object.values(this.byKind)) {
      for (const [value, entry] of map) {
        if (entry.until <= now) {
          map.delete(value);
          this.count--;
        }
      }
    }
  }

  private live(kind: RevocationKind, value: unknown, now: number): Entry | undefined {
    if (typeof value !== 'string') return undefined;
    const entry = this.byKind[kind].get(value);
    return entry && entry.until > now ? entry : undefined;
  }
}
