import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `15m`, `1h`, `1d` → seconds. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * (UNITS[match[2] || 's'] as number) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(`${option} must be a duration such as 90s, 15m, 1h or 1d, got "${value}"`);
  }
  return seconds;
}
