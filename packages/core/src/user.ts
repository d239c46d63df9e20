import { z } from 'zod';
import { AuthError } from './errors.js';
import type { AuthUser, ClaimSource, JwtClaims } from './types.js';

/** Where the user's attributes are read from. Defaults: Frontegg's claim names. */
export interface ClaimMapping {
  id?: ClaimSource;
  roles?: ClaimSource;
  permissions?: ClaimSource;
  tenantId?: ClaimSource;
  type?: ClaimSource;
}

/**
 * Returned by a claim source (or by {@link readClaim}) for a claim that is present but malformed:
 * no schema accepts it, so the token is invalid.
 */
export const INVALID_CLAIM: unique symbol = Symbol('gatehouse.invalidClaim');

/** Reads a dot path through own properties only, so `__proto__` or `constructor` in a path reads nothing inherited. */
export function readClaim(claims: JwtClaims, source: ClaimSource): unknown {
  return typeof source === 'function' ? source(claims) : readClaimPath(claims, pathOf(source));
}

// Claim paths come from configuration: a few, read for every token. Split once.
const PATHS = new Map<string, readonly string[]>();
function pathOf(source: string): readonly string[] {
  let path = PATHS.get(source);
  if (path === undefined) {
    path = Object.freeze(source.split('.'));
    if (PATHS.size < 256) PATHS.set(source, path);
  }
  return path;
}

/**
 * Follows `path` (member names, which may contain dots) through own properties of objects.
 * Absent or null: undefined. A step that is not an object (`realm_access: "admin"`) is a
 * malformed token, not a missing claim: {@link INVALID_CLAIM}.
 */
export function readClaimPath(claims: JwtClaims, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const segment of path) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return INVALID_CLAIM;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Frontegg's `id`: the user for user tokens (`sub`) and user API tokens (`userId`; their `sub` is the
 * token's client id); the token's client id (`sub`) for tenant API tokens, which act for no user.
 * Frontegg's access-token types are revocable handles that its API must confirm: not accepted offline.
 */
function fronteggId(claims: JwtClaims): unknown {
  switch (readClaim(claims, 'type')) {
    case 'userApiToken':
      return readClaim(claims, 'userId');
    case 'userAccessToken':
    case 'tenantAccessToken':
      return INVALID_CLAIM;
    default:
      return readClaim(claims, 'sub');
  }
}

export const FRONTEGG_CLAIMS: Required<ClaimMapping> = Object.freeze({
  id: fronteggId,
  roles: 'roles',
  permissions: 'permissions',
  tenantId: 'tenantId',
  type: 'type',
});

const MAX_NAMES = 1024;
const name = z.string().min(1).max(256);
const names = z.array(name).max(MAX_NAMES).nullish();
const identifier = z.string().min(1).max(1024);
const optionalText = z.string().max(1024).nullish();

/**
 * Builds the frozen user from verified claims. A claim of the wrong type (`roles: "admin"`)
 * makes the token invalid: it is never read as a substring or a one-element list.
 */
export function buildUser(claims: Record<string, unknown>, mapping: Required<ClaimMapping>): AuthUser {
  const frozen = deepFreeze(claims);
  const rawId = readClaim(frozen, mapping.id);
  const rawRoles = readClaim(frozen, mapping.roles);
  const rawPermissions = readClaim(frozen, mapping.permissions);
  const rawTenantId = readClaim(frozen, mapping.tenantId);
  const rawType = readClaim(frozen, mapping.type);
  if (
    surelyIdentifier(rawId) &&
    surelyNames(rawRoles) &&
    surelyNames(rawPermissions) &&
    surelyOptionalText(rawTenantId) &&
    surelyOptionalText(rawType)
  ) {
    return frozenUser(rawId, rawRoles, rawPermissions, rawTenantId, rawType, frozen);
  }
  const id = identifier.safeParse(rawId);
  const roles = names.safeParse(rawRoles);
  const permissions = names.safeParse(rawPermissions);
  const tenantId = optionalText.safeParse(rawTenantId);
  const type = optionalText.safeParse(rawType);
  if (!id.success || !roles.success || !permissions.success || !tenantId.success || !type.success) {
    throw new AuthError('UNAUTHENTICATED', 'CLAIMS_INVALID');
  }
  return frozenUser(id.data, roles.data, permissions.data, tenantId.data, type.data, frozen);
}

function frozenUser(
  id: string,
  roles: readonly string[] | null | undefined,
  permissions: readonly string[] | null | undefined,
  tenantId: string | null | undefined,
  type: string | null | undefined,
  claims: JwtClaims,
): AuthUser {
  const user: { -readonly [K in keyof AuthUser]: AuthUser[K] } = {
    id,
    roles: frozenList(roles),
    permissions: frozenList(permissions),
    claims,
  };
  if (tenantId) user.tenantId = tenantId;
  if (type) user.type = type;
  return Object.freeze(user);
}

const NO_NAMES: readonly string[] = Object.freeze([]);

/** A frozen list is shared as it is (claims are frozen before they are read); any other is copied. */
function frozenList(list: readonly string[] | null | undefined): readonly string[] {
  if (list === undefined || list === null || list.length === 0) return NO_NAMES;
  return Object.isFrozen(list) ? list : Object.freeze([...list]);
}

// The schemas above decide. These accept only values the schemas certainly accept (the common
// case), without zod's allocations; every other value goes through zod, which decides.
const surelyIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 1024;
const surelyOptionalText = (value: unknown): value is string | null | undefined =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= 1024);
function surelyNames(value: unknown): value is readonly string[] | null | undefined {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value) || value.length > MAX_NAMES) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'string' || item.length < 1 || item.length > 256) return false;
  }
  return true;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      if (typeof member === 'object' && member !== null) deepFreeze(member);
    }
  }
  return value;
}
