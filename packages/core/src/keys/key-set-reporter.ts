import type { Log, LogFields } from '../logger.js';
import { endSpan, type Telemetry } from '../telemetry.js';
import type { KeyFetchOutcome, KeyStoreEvents } from './key-store.js';

/** Where a key set comes from, as logs and spans name it: the kind of source and a URL without secrets. */
export interface KeySetOrigin {
  readonly source: 'jwks' | 'frontegg' | 'discovery';
  readonly url: string;
}

/** How the key set stands, as an operator sees it. */
type KeySetState = 'loading' | 'ok' | 'stale' | 'unavailable' | 'refused';

/**
 * Turns a key store's events into metrics, spans, and log lines: one per change of state (keys
 * loaded, refresh failing with cached keys still in use, keys unavailable, credentials refused, keys
 * back), not one per request or per retry. A `kid` still missing after a refetch is logged once until
 * the key set changes.
 */
export function keySetReporter(origin: KeySetOrigin, log: Log, telemetry: Telemetry): KeyStoreEvents {
  let state: KeySetState = 'loading';
  let failedFetches = 0;
  let kids = '';
  let kidReported = false;
  const base: LogFields = { source: origin.source, url: origin.url };

  function enter(next: KeySetState, fields: LogFields): void {
    const previous = state;
    state = next;
    if (next === previous) return;
    const event = next !== 'ok' ? next : previous === 'loading' ? 'loaded' : 'recovered';
    const at = { event: `gatehouse.keys.${event}`, ...base, state: next, ...fields };
    switch (next) {
      case 'ok':
        if (previous === 'loading') log.write('info', at, `gatehouse: keys loaded from ${origin.url}`);
        else log.write('warn', at, `gatehouse: keys back from ${origin.url} after ${failedFetches} failed fetches`);
        return;
      case 'stale':
        log.write('warn', at, `gatehouse: key refresh from ${origin.url} failed (${fields.reason}); using cached keys`);
        return;
      case 'unavailable':
        log.write(
          'error',
          at,
          `gatehouse: keys unavailable from ${origin.url} (${fields.reason}); requests are refused with 503`,
        );
        return;
      case 'refused':
        log.write('error', at, `gatehouse: ${origin.url} refused the credentials (${fields.reason})`);
        return;
    }
  }

  function fetched(outcome: KeyFetchOutcome): void {
    telemetry.keyFetch(outcome.result);
    if (outcome.result === 'ok') {
      const next = outcome.kids.join(' ');
      if (next !== kids) kidReported = false;
      kids = next;
      enter('ok', { keys: outcome.keys, failedFetches });
      failedFetches = 0;
      return;
    }
    failedFetches++;
    const next = outcome.result === 'refused' ? 'refused' : outcome.usable ? 'stale' : 'unavailable';
    enter(next, { reason: outcome.reason });
  }

  return {
    fetchStarted() {
      const span = telemetry.tracer.startSpan('gatehouse.keys.fetch', {
        attributes: { 'gatehouse.key_source': origin.source, 'url.full': origin.url },
      });
      return (outcome) => {
        endSpan(span, outcome.result === 'ok' ? undefined : outcome.reason);
        fetched(outcome);
      };
    },
    kidMissing(kid) {
      if (kidReported) return;
      kidReported = true;
      log.write(
        'warn',
        { ...base, event: 'gatehouse.keys.kid_missing', kid: kid.slice(0, 64) },
        `gatehouse: no key for a token's kid in the key set from ${origin.url}, even after a refetch`,
      );
    },
  };
}
