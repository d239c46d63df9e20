import { AuthError, isAuthError } from '@gatehousejs/core';
import { expect, test } from 'vitest';

// An application can hold two copies of core: its CommonJS and its ES module build, or two versions.
// The query string makes the module loader evaluate errors.ts a second time, as a second copy would be.
const SECOND_COPY = '../src/errors.ts?second-copy';
const other = (await import(/* @vite-ignore */ SECOND_COPY)) as typeof import('../src/errors.js');

test('an AuthError from another copy of core is recognised by isAuthError and instanceof', () => {
  const foreign = new other.AuthError('FORBIDDEN', 'ROLE_MISSING');
  expect(other.AuthError).not.toBe(AuthError);
  expect(isAuthError(foreign)).toBe(true);
  expect(foreign instanceof AuthError).toBe(true);
  expect(other.isAuthError(new AuthError('UNAUTHENTICATED', 'NO_CREDENTIALS'))).toBe(true);
});

test('look-alikes are not AuthErrors', () => {
  const plain = Object.assign(new Error('Insufficient permissions'), {
    name: 'AuthError',
    code: 'FORBIDDEN',
    status: 403,
  });
  expect(isAuthError(plain)).toBe(false);
  expect(plain instanceof AuthError).toBe(false);
  expect(isAuthError({ code: 'FORBIDDEN', status: 403 })).toBe(false);
  expect(isAuthError(null)).toBe(false);
});

test('a subclass keeps the ordinary instanceof check', () => {
  class TaggedAuthError extends AuthError {}
  expect(new TaggedAuthError('FORBIDDEN', 'ROLE_MISSING') instanceof TaggedAuthError).toBe(true);
  expect(new AuthError('FORBIDDEN', 'ROLE_MISSING') instanceof TaggedAuthError).toBe(false);
  expect(new TaggedAuthError('FORBIDDEN', 'ROLE_MISSING') instanceof AuthError).toBe(true);
});
