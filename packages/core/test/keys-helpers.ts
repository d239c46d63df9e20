import { AUTH_ERROR_MESSAGES, type AuthError } from '@gatehousejs/core';
import { expect } from 'vitest';

export { rejection } from './verifier-fixtures.js';

/** A key-source outage: 503 with Retry-After and the fixed message, never a 401. */
export function expectKeysUnavailable(error: AuthError): void {
  expect(error.code).toBe('KEYS_UNAVAILABLE');
  expect(error.status).toBe(503);
  expect(error.reason).toBe('KEYS_UNAVAILABLE');
  expect(error.retryAfter).toBeGreaterThanOrEqual(1);
  expect(error.message).toBe(AUTH_ERROR_MESSAGES.KEYS_UNAVAILABLE);
  expect(error.toJSON()).toEqual({ error: 'KEYS_UNAVAILABLE', message: AUTH_ERROR_MESSAGES.KEYS_UNAVAILABLE });
}

export function expectInvalidToken(error: AuthError, reason?: string): void {
  expect(error.code).toBe('UNAUTHENTICATED');
  expect(error.status).toBe(401);
  if (reason) expect(error.reason).toBe(reason);
}
