import {
  type AuthUser,
  authorize,
  type Catalog,
  defineCatalog,
  type Permission,
  type Requirement,
  type Role,
  type WithAuthenticationOptions,
} from '@gatehousejs/core';
import { describe, expectTypeOf, test } from 'vitest';

// The Register augmentation itself is compiled in its own program by register.test.ts: augmenting it here
// would retype every requirement of every other test in this project.

describe('without Register', () => {
  test('names are plain strings', () => {
    expectTypeOf<Role>().toEqualTypeOf<string>();
    expectTypeOf<Permission>().toEqualTypeOf<string>();
    expectTypeOf<Requirement>().toEqualTypeOf<Requirement<string, string>>();
    expectTypeOf(authorize).parameter(1).toEqualTypeOf<Requirement | null | undefined>();
  });
});

describe('defineCatalog', () => {
  const catalog = defineCatalog({ roles: ['admin', 'read-only'], permissions: ['reports:read', 'uploadFile'] });
  type R = 'admin' | 'read-only';
  type P = 'reports:read' | 'uploadFile';

  test('infers the literal names', () => {
    expectTypeOf(catalog).toEqualTypeOf<Catalog<R, P>>();
    expectTypeOf(catalog.roles).toEqualTypeOf<readonly R[]>();
    expectTypeOf(catalog.permissions).toEqualTypeOf<readonly P[]>();
    expectTypeOf(catalog.requirement).parameter(0).toEqualTypeOf<Requirement<R, P>>();
    expectTypeOf(catalog.requirement({ roles: ['admin'] })).toEqualTypeOf<Requirement<R, P>>();
  });

  test('a misspelt or unknown name is a compile error', () => {
    catalog.requirement({ roles: ['admin', 'read-only'], permissions: ['uploadFile'] });
    // @ts-expect-error: 'admn' is not a role of the catalog
    catalog.requirement({ roles: ['admn'] });
    // @ts-expect-error: names are case-sensitive
    catalog.requirement({ roles: ['Admin'] });
    // @ts-expect-error: 'reports:reed' is not a permission of the catalog
    catalog.requirement({ permissions: ['reports:reed'] });
    // @ts-expect-error: a role is not a permission
    catalog.requirement({ permissions: ['admin'] });
    // @ts-expect-error: `role` is not a requirement key
    catalog.requirement({ role: ['admin'] });
    // @ts-expect-error: a single name is not a list
    catalog.requirement({ roles: 'admin' });
  });

  test('isRole and isPermission narrow a string', () => {
    const name = 'admin' as string;
    if (catalog.isRole(name)) expectTypeOf(name).toEqualTypeOf<R>();
    if (catalog.isPermission(name)) expectTypeOf(name).toEqualTypeOf<P>();
  });
});

describe('explicit name types', () => {
  test('Requirement<R, P> refuses other names', () => {
    expectTypeOf<{ roles: ['a'] }>().toExtend<Requirement<'a' | 'b', 'p'>>();
    expectTypeOf<{ roles: ['c'] }>().not.toExtend<Requirement<'a' | 'b', 'p'>>();
    expectTypeOf<{ permissions: ['a'] }>().not.toExtend<Requirement<'a' | 'b', 'p'>>();
    expectTypeOf<{ roles: 'a' }>().not.toExtend<Requirement<'a' | 'b', 'p'>>();
  });

  test('AuthUser is deeply read-only', () => {
    expectTypeOf<AuthUser['roles']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<AuthUser['permissions']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<AuthUser['claims']>().toEqualTypeOf<Readonly<Record<string, unknown>>>();
  });

  test('withAuthentication takes a requirement and an optional verifier', () => {
    expectTypeOf<WithAuthenticationOptions>().toExtend<Requirement>();
    expectTypeOf<{ roles: ['admin']; verifier: undefined }>().toExtend<WithAuthenticationOptions>();
  });
});
