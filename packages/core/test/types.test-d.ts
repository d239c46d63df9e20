import type { AuthUser } from '@gatehousejs/core';
import { expectTypeOf, test } from 'vitest';

test('AuthUser is readonly', () => {
  expectTypeOf<AuthUser['roles']>().toEqualTypeOf<readonly string[]>();
});
