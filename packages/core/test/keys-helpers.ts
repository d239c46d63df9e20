import { AUTH_ERROR_MESSAGES, AuthError } from '@gatehouse/core';
import { expect } from 'vitest';

/** The AuthError a promise rejects with (fails the test if it resolves or rejects with anything else). */
export async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
}

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
