/** Structured fields of a log line. Never a token, a secret or a URL with credentials. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Anything with `debug`, `info`, `warn` and `error`: pino, bunyan, `console`, or your own. Gatehouse
 * calls `logger.warn(fields, message)` (pino's argument order), except on `console`, which gets
 * `console.warn(message, fields)`.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

export type LogLevel = keyof Logger;

/** The logger Gatehouse writes to: never throws, and says whether debug lines are wanted now. */
export interface Log {
  debugEnabled(): boolean;
  write(level: LogLevel, fields: LogFields, message: string): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The default: warnings and errors to the console, one line each (the message says it all), nothing below. */
const CONSOLE_WARNINGS: Log = {
  debugEnabled: () => false,
  write(level, _fields, message) {
    if (level !== 'warn' && level !== 'error') return;
    try {
      console[level](message);
    } catch {
      // as below
    }
  },
};

/** Checks and wraps a `logger` option; undefined gives the default (warnings and errors to the console). */
export function toLog(logger: Logger | undefined, invalid: (message: string) => Error): Log {
  if (logger === undefined) return CONSOLE_WARNINGS;
  if (typeof logger !== 'object' || logger === null || LEVELS.some((level) => typeof logger[level] !== 'function')) {
    throw invalid('logger must have debug, info, warn and error methods (pino, console, ...)');
  }
  const isConsole = logger === console;
  const probe = (logger as { isLevelEnabled?: unknown }).isLevelEnabled;
  return {
    // pino and bunyan say whether debug is on (their level can change at run time); others get every line.
    debugEnabled:
      typeof probe === 'function'
        ? () => {
            try {
              return (probe as (level: string) => unknown).call(logger, 'debug') !== false;
            } catch {
              return false;
            }
          }
        : () => true,
    write(level, fields, message) {
      try {
        if (isConsole) console[level](message, fields);
        else logger[level](fields, message);
      } catch {
        // A broken log sink must not change an authentication decision.
      }
    },
  };
}

/**
 * A URL fit for a log line: scheme, host and path. User info, query and fragment go (an API key in a
 * query string is still an API key).
 */
export function loggableUrl(url: URL | string): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
