import { AuthError } from './errors.js';
import type { AuthUser, Permission, Requirement, Role } from './types.js';

/**
 * Lets `user` through when it meets `requirement`, or throws:
 * no user → UNAUTHENTICATED; a missing role or permission → FORBIDDEN.
 * Roles: at least one of them; permissions: at least one of them; both given: both hold.
 * Matching is exact and case-sensitive. An empty list can be met by nobody.
 */
export function authorize(user: AuthUser | null | undefined, requirement: Requirement = {}): AuthUser {
  if (!user) throw new AuthError('UNAUTHENTICATED', 'NO_CREDENTIALS');
  const failed = unmetCondition(user, requirement);
  if (failed) throw new AuthError('FORBIDDEN', failed);
  return user;
}

/** True when `user` meets `requirement`; never throws. */
export function satisfies(user: AuthUser | null | undefined, requirement: Requirement = {}): boolean {
  return !!user && unmetCondition(user, requirement) === undefined;
}

function unmetCondition(user: AuthUser, requirement: Requirement): 'ROLE_MISSING' | 'PERMISSION_MISSING' | undefined {
  const { roles, permissions } = requirement;
  if (roles && !hasAny(user.roles, roles)) return 'ROLE_MISSING';
  if (permissions && !hasAny(user.permissions, permissions)) return 'PERMISSION_MISSING';
  return undefined;
}

function hasAny(held: readonly string[], wanted: readonly string[]): boolean {
  for (const name of wanted) if (held.includes(name)) return true;
  return false;
}

/** Declares the role and permission names once; use with `Register` to type requirements. */
export function defineCatalog<const R extends string, const P extends string>(catalog: {
  roles: readonly R[];
  permissions: readonly P[];
}): Catalog<R, P> {
  const roles = new Set<string>(catalog.roles);
  const permissions = new Set<string>(catalog.permissions);
  return Object.freeze({
    roles: Object.freeze([...catalog.roles]),
    permissions: Object.freeze([...catalog.permissions]),
    requirement: (requirement: Requirement<R, P>) => requirement,
    isRole: (name: string): name is R => roles.has(name),
    isPermission: (name: string): name is P => permissions.has(name),
  });
}

export interface Catalog<R extends string = Role, P extends string = Permission> {
  readonly roles: readonly R[];
  readonly permissions: readonly P[];
  /** Identity at run time; at compile time, a misspelt name is an error. */
  requirement(requirement: Requirement<R, P>): Requirement<R, P>;
  isRole(name: string): name is R;
  isPermission(name: string): name is P;
}
