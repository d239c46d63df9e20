import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { AuthDecision } from './decision.js';
import { GatehouseConfigError } from './errors.js';
import { type KeySetOrigin, keySetReporter } from './keys/key-set-reporter.js';
import type { KeyStoreEvents } from './keys/key-store.js';
import { type Log, type LogFields, type Logger, toLog } from './logger.js';
import { type DecisionOutcome, type Telemetry, telemetryFor } from './telemetry.js';

/** The verifier options that say where logs, metrics and traces go. */
export interface OperationsOptions {
  /** pino, console, or anything with debug/info/warn/error. Default: warnings and errors to the console. */
  logger?: Logger;
  /** Where the metrics go. Default: the global provider registered when the verifier is created (none: no cost). */
  meterProvider?: MeterProvider;
  /** Where the spans go. Default: the global provider, whenever it is registered. */
  tracerProvider?: TracerProvider;
}

/**
 * Everything a verifier reports to operators: each decision (counted, and logged at debug), each
 * verification's duration, the key set's state, and warnings about risky configurations.
 */
export interface Operations {
  readonly log: Log;
  readonly telemetry: Telemetry;
  /**
   * Counts a decision and logs it at debug; undefined when nobody would see it (no meter provider,
   * no logger given), so that no decision is even built.
   */
  readonly observe: ((decision: AuthDecision) => void) | undefined;
  /** The events a remote key store reports, turned into logs, metrics and spans. */
  keySet(origin: KeySetOrigin): KeyStoreEvents;
  /** A configuration that works but is risky: one warning at creation. */
  warn(event: string, message: string, fields?: LogFields): void;
}

export function operationsFor(options: OperationsOptions): Operations {
  const log = toLog(options.logger, (message) => new GatehouseConfigError(message));
  const telemetry = telemetryFor(options.meterProvider, options.tracerProvider);
  const observe = (decision: AuthDecision) => {
    const outcome = outcomeOf(decision);
    const reason = 'reason' in decision ? decision.reason : undefined;
    telemetry.decision(outcome, reason);
    if (log.debugEnabled()) {
      log.write('debug', decisionFields(decision, outcome), `gatehouse: ${outcome}${reason ? ` (${reason})` : ''}`);
    }
  };
  return {
    log,
    telemetry,
    observe: telemetry.active || options.logger !== undefined ? observe : undefined,
    keySet: (origin) => keySetReporter(origin, log, telemetry),
    warn(event, message, fields) {
      log.write('warn', { event: `gatehouse.config.${event}`, ...fields }, `gatehouse: ${message}`);
    },
  };
}

function outcomeOf(decision: AuthDecision): DecisionOutcome {
  if (decision.type === 'rejected' && decision.code === 'KEYS_UNAVAILABLE') return 'unavailable';
  return decision.type;
}

/** What a decision's log line holds: its outcome, code and reason, the user's id; never the token. */
function decisionFields(decision: AuthDecision, outcome: DecisionOutcome): LogFields {
  switch (decision.type) {
    case 'authenticated':
      return { event: 'gatehouse.decision', outcome, userId: decision.userId, cached: decision.cached };
    case 'authorized':
      return { event: 'gatehouse.decision', outcome, userId: decision.userId };
    case 'forbidden':
      return {
        event: 'gatehouse.decision',
        outcome,
        code: decision.code,
        reason: decision.reason,
        userId: decision.userId,
      };
    case 'rejected':
      return { event: 'gatehouse.decision', outcome, code: decision.code, reason: decision.reason };
  }
}
