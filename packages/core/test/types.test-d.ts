import type { AuthUser } from '@gatehouse/core';
import { expectTypeOf, test } from 'vitest';

test('AuthUser is readonly', () => {
  expectTypeOf<AuthUser['roles']>().toEqualTypeOf<readonly string[]>();
});
