import * as core from '@gatehousejs/core';
import {
  type AnyRequirement,
  AuthError,
  type AuthUser,
  authorize,
  createVerifier,
  defineCatalog,
  defineRequirement,
  GatehouseConfigError,
  isAuthorized,
} from '@gatehousejs/core';
import { denialOf, describeRequirement, isOpenRequirement } from '@gatehousejs/core/adapter';
import { signJwt } from '@gatehousejs/core/testing';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { nowSeconds } from './verifier-fixtures.js';

const throwDenial = (denial: AuthError | undefined) => {
  if (denial) throw denial;
};

const user = (roles: readonly string[] = [], permissions: readonly string[] = []): AuthUser =>
  Object.freeze({
    id: 'u',
    roles: Object.freeze([...roles]),
    permissions: Object.freeze([...permissions]),
    claims: {},
  });

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof AuthError) return `${error.code}:${error.reason}`;
    throw error;
  }
}

test('one name for the boolean decision: isAuthorized (`satisfies`, a TypeScript operator, is gone)', () => {
  expect(typeof core.isAuthorized).toBe('function');
  expect('satisfies' in core).toBe(false);
});

describe("the seed's semantics", () => {
  test('no requirement: any authenticated caller', () => {
    const caller = user();
    expect(authorize(caller)).toBe(caller);
    expect(authorize(caller, {})).toBe(caller);
    expect(authorize(caller, null)).toBe(caller);
    expect(isAuthorized(caller, {})).toBe(true);
  });

  test('no user: UNAUTHENTICATED with a bare challenge, whatever the requirement', () => {
    for (const nobody of [null, undefined]) {
      for (const requirement of [undefined, {}, { roles: ['admin'] }]) {
        let error: AuthError | undefined;
        try {
          authorize(nobody, requirement);
        } catch (e) {
          error = e as AuthError;
        }
        expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, reason: 'NO_CREDENTIALS' });
        expect(error?.wwwAuthenticate).toBe('Bearer realm="gatehouse"');
        expect(isAuthorized(nobody, requirement)).toBe(false);
      }
    }
  });

  test('roles any-of, permissions any-of, both: AND', () => {
    const admin = user(['admin'], ['billing:read']);
    const reader = user(['read-only'], ['reports:read']);
    expect(outcome(() => authorize(admin, { roles: ['admin', 'read-only'] }))).toBe('ok');
    expect(outcome(() => authorize(reader, { roles: ['admin', 'read-only'] }))).toBe('ok');
    expect(outcome(() => authorize(reader, { roles: ['admin'] }))).toBe('FORBIDDEN:ROLE_MISSING');
    expect(outcome(() => authorize(reader, { permissions: ['reports:read', 'reports:admin'] }))).toBe('ok');
    expect(outcome(() => authorize(admin, { permissions: ['reports:read'] }))).toBe('FORBIDDEN:PERMISSION_MISSING');
    expect(outcome(() => authorize(admin, { roles: ['admin'], permissions: ['billing:read'] }))).toBe('ok');
    expect(outcome(() => authorize(reader, { roles: ['admin'], permissions: ['reports:read'] }))).toBe(
      'FORBIDDEN:ROLE_MISSING',
    );
    expect(outcome(() => authorize(admin, { roles: ['admin'], permissions: ['reports:read'] }))).toBe(
      'FORBIDDEN:PERMISSION_MISSING',
    );
  });

  test('matching is exact and case-sensitive: no prefix, substring or case folding', () => {
    const caller = user(['superadmin', 'Admin', 'admin '], ['reports:*', 'REPORTS:READ']);
    for (const roles of [['admin'], ['super'], ['Admin '], ['ADMIN']]) {
      expect(isAuthorized(caller, { roles })).toBe(false);
    }
    for (const permissions of [['reports:read'], ['reports'], ['reports:']]) {
      expect(isAuthorized(caller, { permissions })).toBe(false);
    }
    expect(isAuthorized(caller, { roles: ['Admin'] })).toBe(true);
  });

  test('an empty list is met by nobody', () => {
    const everything = user(['admin'], ['all']);
    expect(outcome(() => authorize(everything, { roles: [] }))).toBe('FORBIDDEN:ROLE_MISSING');
    expect(outcome(() => authorize(everything, { permissions: [] }))).toBe('FORBIDDEN:PERMISSION_MISSING');
  });

  test('a requirement whose lists are strings is a configuration error, never a per-character match', () => {
    const a = user(['a', 'd', 'm', 'i', 'n']);
    for (const requirement of [{ roles: 'admin' }, { permissions: 'admin' }, { roles: { 0: 'a', length: 1 } }]) {
      expect(() => authorize(a, requirement as never)).toThrow(GatehouseConfigError);
    }
  });

  test('a user whose lists are strings (built by hand) meets nothing', () => {
    const forged = { id: 'u', roles: 'superadmin', permissions: 'reports:read:all', claims: {} } as unknown as AuthUser;
    expect(isAuthorized(forged, { roles: ['admin'] })).toBe(false);
    expect(isAuthorized(forged, { permissions: ['reports:read'] })).toBe(false);
    expect(isAuthorized(forged, {})).toBe(true);
  });
});

describe('property: authorize agrees with a reference model', () => {
  const NAMES = [
    'admin',
    'Admin',
    'ADMIN',
    'admin ',
    'adm',
    'superadmin',
    'read-only',
    'reports:read',
    'reports:Read',
    'x',
  ];
  const names = fc.subarray(NAMES);
  const requirement = fc.record(
    { roles: fc.option(names, { nil: undefined }), permissions: fc.option(names, { nil: undefined }) },
    { requiredKeys: [] },
  );
  const holder = fc.option(fc.record({ roles: names, permissions: names }), { nil: null });

  /** The seed's rules, written as plainly as possible. */
  function model(
    caller: { roles: string[]; permissions: string[] } | null,
    req: { roles?: string[] | undefined; permissions?: string[] | undefined },
  ): string {
    if (caller === null) return 'UNAUTHENTICATED:NO_CREDENTIALS';
    const holdsOneOf = (held: string[], wanted: string[]) => wanted.some((w) => held.some((h) => h === w));
    if (req.roles !== undefined && !holdsOneOf(caller.roles, req.roles)) return 'FORBIDDEN:ROLE_MISSING';
    if (req.permissions !== undefined && !holdsOneOf(caller.permissions, req.permissions)) {
      return 'FORBIDDEN:PERMISSION_MISSING';
    }
    return 'ok';
  }

  test("authorize, isAuthorized and the adapters' denialOf", () => {
    const verifier = createVerifier({ audience: 'api', secret: 's'.repeat(32) });
    fc.assert(
      fc.property(holder, requirement, (caller, req) => {
        const expected = model(caller, req);
        const u = caller && user(caller.roles, caller.permissions);
        expect(outcome(() => authorize(u, req))).toBe(expected);
        expect(outcome(() => throwDenial(denialOf(verifier, u, req)))).toBe(expected);
        expect(isAuthorized(u, req)).toBe(expected === 'ok');
      }),
      { numRuns: 2000 },
    );
  });

  test('end to end, from signed tokens', async () => {
    const secret = 'k'.repeat(32);
    const verifier = createVerifier({ audience: 'api', secret });
    await fc.assert(
      fc.asyncProperty(fc.record({ roles: names, permissions: names }), requirement, async (claims, req) => {
        const exp = nowSeconds() + 60;
        const token = signJwt({
          header: { alg: 'HS256' },
          payload: { sub: 'u', aud: 'api', exp, ...claims },
          key: secret,
        });
        const verified = await verifier.verify(token);
        expect(outcome(() => throwDenial(denialOf(verifier, verified, req)))).toBe(model(claims, req));
      }),
      { numRuns: 300 },
    );
  });
});

describe('defineRequirement', () => {
  test('returns a frozen, de-duplicated copy', () => {
    const input = { roles: ['admin', 'admin', 'read-only'], permissions: ['p'] };
    const defined = defineRequirement(input);
    expect(defined).toEqual({ roles: ['admin', 'read-only'], permissions: ['p'] });
    expect(Object.isFrozen(defined) && Object.isFrozen(defined.roles)).toBe(true);
    input.roles.push('x');
    expect(defined.roles).toEqual(['admin', 'read-only']);
    expect(defineRequirement(undefined)).toEqual({});
  });

  test('refuses what would silently mean something else', () => {
    const bad = [
      { roles: [] },
      { permissions: [] },
      { roles: 'admin' },
      { roles: [''] },
      { roles: [1] },
      { roles: [['admin']] },
      { role: ['admin'] },
      { roles: ['admin'], scope: ['x'] },
      ['admin'],
      'admin',
      { roles: ['x'.repeat(257)] },
    ];
    for (const value of bad) expect(() => defineRequirement(value, 'route /admin')).toThrow(GatehouseConfigError);
    expect(() => defineRequirement({ role: ['admin'] }, 'route /admin')).toThrow(/route \/admin.*role/);
  });

  test('describe and isOpen', () => {
    expect(describeRequirement({})).toBe('authenticated');
    expect(describeRequirement({ roles: ['admin', 'read-only'], permissions: ['billing:read'] })).toBe(
      'roles: admin | read-only AND permissions: billing:read',
    );
    expect(isOpenRequirement({})).toBe(true);
    expect(isOpenRequirement({ permissions: ['p'] })).toBe(false);
  });
});

describe('defineCatalog', () => {
  const catalog = defineCatalog({ roles: ['admin', 'read-only'], permissions: ['reports:read', 'uploadFile'] });

  test('lists its names, frozen, and checks them at run time', () => {
    expect(catalog.roles).toEqual(['admin', 'read-only']);
    expect(Object.isFrozen(catalog.roles)).toBe(true);
    expect(catalog.isRole('admin')).toBe(true);
    expect(catalog.isRole('Admin')).toBe(false);
    expect(catalog.isPermission('uploadFile')).toBe(true);
    const requirement: AnyRequirement = catalog.requirement({ roles: ['admin'], permissions: ['uploadFile'] });
    expect(requirement).toEqual({ roles: ['admin'], permissions: ['uploadFile'] });
    expect(Object.isFrozen(requirement)).toBe(true);
    // What the type system rejects (see catalog.test-d.ts) is refused at run time too, for JavaScript callers.
    expect(() => catalog.requirement({ roles: ['admn' as 'admin'] })).toThrow(/unknown role "admn"/);
    expect(() => catalog.requirement({ permissions: ['reports:write' as 'reports:read'] })).toThrow(
      GatehouseConfigError,
    );
    expect(() => catalog.requirement({ roles: [] })).toThrow(GatehouseConfigError);
  });
});
