import { GatehouseConfigError } from './errors.js';
import type { ClaimSource, JwtClaims } from './types.js';
import { type ClaimMapping, INVALID_CLAIM, readClaim, readClaimPath } from './user.js';

/** A claim source that is a function. */
export type ClaimReader = (claims: JwtClaims) => unknown;

/**
 * A claim source that follows `path` member by member, so that names holding dots work:
 * `claimAt('https://example.com/roles')`, `claimAt('resource_access', 'my.client', 'roles')`.
 */
export function claimAt(...path: string[]): ClaimReader {
  if (path.length === 0 || path.some((segment) => typeof segment !== 'string' || segment === '')) {
    throw new GatehouseConfigError('claimAt needs one or more non-empty member names');
  }
  const frozen = Object.freeze([...path]);
  return (claims) => readClaimPath(claims, frozen);
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A claim source that reads an OAuth `scope`-style string (`"read:a write:b"`) as a list. Any other type is invalid. */
export function spaceDelimited(source: ClaimSource): ClaimReader {
  return (claims) => {
    const value = readClaim(claims, source);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return INVALID_CLAIM;
    const names = value.split(' ').filter((name) => name !== '');
    return names.every((name) => SCOPE_TOKEN.test(name)) ? names : INVALID_CLAIM;
  };
}

/**
 * A claim source that joins several lists into one, without duplicates. Every present source
 * must be a list: one of the wrong type makes the token invalid.
 */
export function combineLists(...sources: ClaimSource[]): ClaimReader {
  return (claims) => {
    let combined: Set<unknown> | undefined;
    for (const source of sources) {
      const value = readClaim(claims, source);
      if (value === undefined || value === null) continue;
      if (!Array.isArray(value)) return INVALID_CLAIM;
      combined ??= new Set();
      for (const item of value) combined.add(item);
    }
    return combined && [...combined];
  };
}

const nothing: ClaimSource = () => undefined;

export interface Auth0ClaimOptions {
  /**
   * The custom claim an Auth0 Action puts the user's roles in, e.g. `https://app.example.com/roles`
   * (a claim name, read as is: dots are part of it). Without it, users have no roles.
   */
  rolesClaim?: string;
  /** Also read the space-delimited `scope` as permissions, next to RBAC's `permissions` array. Default true. */
  scope?: boolean;
}

/**
 * Auth0 access tokens: `sub` (`auth0|…` for users, `<client id>@clients` for machine-to-machine),
 * permissions from RBAC's `permissions` array and the space-delimited `scope`, roles from a
 * namespaced custom claim, tenant from the Organizations `org_id`.
 */
export function auth0Claims(options: Auth0ClaimOptions = {}): Required<ClaimMapping> {
  const { rolesClaim, scope = true } = options;
  if (rolesClaim !== undefined && (typeof rolesClaim !== 'string' || rolesClaim === '')) {
    throw new GatehouseConfigError('auth0Claims: rolesClaim must be a non-empty claim name');
  }
  return Object.freeze({
    id: 'sub',
    roles: rolesClaim === undefined ? nothing : claimAt(rolesClaim),
    permissions: scope ? combineLists('permissions', spaceDelimited('scope')) : 'permissions',
    tenantId: 'org_id',
    type: nothing,
  });
}

export interface KeycloakClaimOptions {
  /** The client (`resource_access.<client>.roles`) whose client roles count as roles. Default: none. */
  client?: string;
  /** Count realm roles (`realm_access.roles`). Default true; turn off when realm and client role names may collide. */
  realmRoles?: boolean;
}

/**
 * Keycloak access tokens: `sub`, roles from `realm_access.roles` and the client roles of one
 * client in `resource_access`, permissions from the space-delimited `scope`. No tenant.
 */
export function keycloakClaims(options: KeycloakClaimOptions = {}): Required<ClaimMapping> {
  const { client, realmRoles = true } = options;
  if (client !== undefined && (typeof client !== 'string' || client === '')) {
    throw new GatehouseConfigError('keycloakClaims: client must be a non-empty client id');
  }
  const roles: ClaimSource[] = [];
  if (realmRoles) roles.push(claimAt('realm_access', 'roles'));
  if (client !== undefined) roles.push(claimAt('resource_access', client, 'roles'));
  return Object.freeze({
    id: 'sub',
    roles: roles.length === 0 ? nothing : combineLists(...roles),
    permissions: spaceDelimited('scope'),
    tenantId: nothing,
    type: nothing,
  });
}
