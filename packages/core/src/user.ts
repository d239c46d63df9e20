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
 * no check accepts it, so the token is invalid.
 */
export const INVALID_CLAIM: unique symbol = Symbol('gatehouse.invalidClaim');

/**
 * Reads a dot path through own properties only, so `__proto__` or `constructor` in a path reads
 * nothing inherited; or calls a function source, whose throw refuses the token.
 */
export function readClaim(claims: JwtClaims, source: ClaimSource): unknown {
  if (typeof source !== 'function') return readClaimPath(claims, pathOf(source));
  try {
    return source(claims);
  } catch {
    return INVALID_CLAIM;
  }
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
  switch (readClaimPath(claims, TYPE)) {
    case 'userApiToken':
      return readClaimPath(claims, USER_ID);
    case 'userAccessToken':
    case 'tenantAccessToken':
      return INVALID_CLAIM;
    default:
      return readClaimPath(claims, SUB);
  }
}
const TYPE = Object.freeze(['type']);
const USER_ID = Object.freeze(['userId']);
const SUB = Object.freeze(['sub']);

/** The mapping with every source a function (paths split once), for {@link buildUser}. */
export function compileClaimMapping(mapping: Required<ClaimMapping>): Required<ClaimMapping> {
  const compile = (source: ClaimSource): ClaimSource => {
    if (typeof source === 'function') return source;
    const path = pathOf(source);
    return (claims) => readClaimPath(claims, path);
  };
  return Object.freeze({
    id: compile(mapping.id),
    roles: compile(mapping.roles),
    permissions: compile(mapping.permissions),
    tenantId: compile(mapping.tenantId),
    type: compile(mapping.type),
  });
}

export const FRONTEGG_CLAIMS: Required<ClaimMapping> = Object.freeze({
  id: fronteggId,
  roles: 'roles',
  permissions: 'permissions',
  tenantId: 'tenantId',
  type: 'type',
});

const MAX_NAMES = 1024;
const MAX_NAME_LENGTH = 256;
const MAX_TEXT_LENGTH = 1024;

/**
 * Builds the frozen user from verified claims. A claim of the wrong type (`roles: "admin"`)
 * makes the token invalid: it is never read as a substring or a one-element list.
 */
export function buildUser(claims: Record<string, unknown>, mapping: Required<ClaimMapping>): AuthUser {
  // Claims decoded from a token arrive deeply frozen (parseJsonObject); anything else is frozen here.
  const frozen = Object.isFrozen(claims) ? claims : deepFreeze(claims);
  const id = readClaim(frozen, mapping.id);
  const roles = readClaim(frozen, mapping.roles);
  const permissions = readClaim(frozen, mapping.permissions);
  const tenantId = readClaim(frozen, mapping.tenantId);
  const type = readClaim(frozen, mapping.type);
  if (
    !isIdentifier(id) ||
    !isNameList(roles) ||
    !isNameList(permissions) ||
    !isOptionalText(tenantId) ||
    !isOptionalText(type)
  ) {
    throw new AuthError('UNAUTHENTICATED', 'CLAIMS_INVALID');
  }
  return frozenUser(id, roles, permissions, tenantId, type, frozen);
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

/** `id`: a string of 1–1024 characters. */
const isIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= MAX_TEXT_LENGTH;
/** `tenantId`, `type`: absent, or a string of at most 1024 characters. */
const isOptionalText = (value: unknown): value is string | null | undefined =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= MAX_TEXT_LENGTH);
/** `roles`, `permissions`: absent, or a list of at most 1024 strings of 1–256 characters. */
function isNameList(value: unknown): value is readonly string[] | null | undefined {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value) || value.length > MAX_NAMES) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'string' || item.length < 1 || item.length > MAX_NAME_LENGTH) return false;
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
