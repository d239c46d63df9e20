import { loggableUrl } from './logger.js';
import type { Operations } from './operations.js';

type Warn = Operations['warn'];

/** `audience: false` is allowed, on purpose; it still deserves one warning at creation. */
export function warnIfAnyAudience(audience: unknown, warn: Warn): void {
  if (audience !== false) return;
  warn(
    'any_audience',
    'audience: false accepts tokens issued for any audience (any API of the same issuer); name your API instead',
  );
}

/**
 * Keys over plain http (allowed on loopback only) while `NODE_ENV` is neither `development` nor
 * `test`: fine for a local issuer, a mistake in production. One warning at creation.
 */
export function warnIfPlainHttp(option: string, url: URL, warn: Warn): void {
  if (url.protocol !== 'http:' || isDevelopment()) return;
  const at = loggableUrl(url);
  warn(
    'plain_http_keys',
    `${option} ${at} uses plain http: fine for a local issuer in development (NODE_ENV=development), never in production`,
    { option, url: at },
  );
}

function isDevelopment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV;
  return env === 'development' || env === 'test';
}
