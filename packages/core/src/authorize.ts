import { AuthError, GatehouseConfigError } from './errors.js';
import { defineRequirement } from './requirement.js';
import type { AnyRequirement, AuthUser, Permission, Requirement, Role } from './types.js';

/** Why a caller is refused by a requirement: the outcome of the one authorization decision. */
export type Refusal = 'NO_CREDENTIALS' | 'ROLE_MISSING' | 'PERMISSION_MISSING';

/**
 * Lets `user` through when it meets `requirement`, or throws:
 * no user → UNAUTHENTICATED; a missing role or permission → FORBIDDEN.
 * Roles: at least one of them; permissions: at least one of them; both given: both hold.
 * Matching is exact and case-sensitive. An empty list can be met by nobody.
 */
export function authorize(user: AuthUser | null | undefined, requirement?: Requirement | null): AuthUser {
  const refusal = refusalOf(user, requirement);
  if (refusal !== undefined) throw refusalError(refusal);
  return user as AuthUser;
}

/** True when `user` meets `requirement`: {@link authorize} without the throw. */
export function isAuthorized(user: AuthUser | null | undefined, requirement?: Requirement | null): boolean {
  return refusalOf(user, requirement) === undefined;
}

/**
 * The authorization decision, the only one in Gatehouse: undefined when `user` meets
 * `requirement`, otherwise why not. {@link authorize}, {@link isAuthorized} and the adapters'
 * `denialOf` all ask it.
 */
export function refusalOf(
  user: AuthUser | null | undefined,
  requirement: AnyRequirement | null | undefined,
): Refusal | undefined {
  if (!user) return 'NO_CREDENTIALS';
  if (requirement === undefined || requirement === null) return undefined;
  const { roles, permissions } = requirement;
  if (roles !== undefined && !holdsAny(user.roles, names(roles, 'roles'))) return 'ROLE_MISSING';
  if (permissions !== undefined && !holdsAny(user.permissions, names(permissions, 'permissions'))) {
    return 'PERMISSION_MISSING';
  }
  return undefined;
}

/** The AuthError a refusal is answered with. */
export function refusalError(refusal: Refusal): AuthError {
  return refusal === 'NO_CREDENTIALS' ? new AuthError('UNAUTHENTICATED', refusal) : new AuthError('FORBIDDEN', refusal);
}

/** A string is iterable too: `roles: 'admin'` must never be read as the names 'a', 'd', 'm'... */
function names(value: unknown, key: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new GatehouseConfigError(`requirement.${key} must be a list of names`);
  return value;
}

/** Held names must be a real list: a string would match substrings through `includes`. */
function holdsAny(held: unknown, wanted: readonly unknown[]): boolean {
  if (!Array.isArray(held)) return false;
  for (const name of wanted) if (typeof name === 'string' && held.includes(name)) return true;
  return false;
}

/**
 * Declares the role and permission names once. `catalog.requirement()` checks names at compile
 * time (a misspelt name is a type error) and at run time (an unknown name is a GatehouseConfigError).
 */
export function defineCatalog<const R extends string, const P extends string>(catalog: {
  roles: readonly R[];
  permissions: readonly P[];
}): Catalog<R, P> {
  const roles = new Set<string>(catalog.roles);
  const permissions = new Set<string>(catalog.permissions);
  const check = (list: readonly string[] | undefined, known: Set<string>, kind: string) => {
    for (const name of list ?? []) {
      if (!known.has(name)) throw new GatehouseConfigError(`unknown ${kind} "${name}": it is not in the catalog`);
    }
  };
  return Object.freeze({
    roles: Object.freeze([...catalog.roles]),
    permissions: Object.freeze([...catalog.permissions]),
    requirement(requirement: Requirement<R, P>): Requirement<R, P> {
      const checked = defineRequirement(requirement, 'catalog requirement');
      check(checked.roles, roles, 'role');
      check(checked.permissions, permissions, 'permission');
      return checked as Requirement<R, P>;
    },
    isRole: (name: string): name is R => roles.has(name),
    isPermission: (name: string): name is P => permissions.has(name),
  });
}

export interface Catalog<R extends string = Role, P extends string = Permission> {
  readonly roles: readonly R[];
  readonly permissions: readonly P[];
  /** Returns the requirement, frozen; a misspelt name is a compile error, an unknown one a GatehouseConfigError. */
  requirement(requirement: Requirement<R, P>): Requirement<R, P>;
  isRole(name: string): name is R;
  isPermission(name: string): name is P;
}
