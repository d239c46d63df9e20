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

export const FRONTEGG_CLAIMS: Required<ClaimMapping> = Object.freeze({
  id: 'sub',
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

/** Reads a dot path through own properties only, so `__proto__` or `constructor` in a path reads nothing inherited. */
export function readClaim(claims: JwtClaims, source: ClaimSource): unknown {
  if (typeof source === 'function') return source(claims);
  let value: unknown = claims;
  for (const segment of source.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Builds the frozen user from verified claims. A claim of the wrong type (`roles: "admin"`)
 * makes the token invalid: it is never read as a substring or a one-element list.
 */
export function buildUser(claims: Record<string, unknown>, mapping: Required<ClaimMapping>): AuthUser {
  const frozen = deepFreeze(claims);
  const id = identifier.safeParse(readClaim(frozen, mapping.id));
  const roles = names.safeParse(readClaim(frozen, mapping.roles));
  const permissions = names.safeParse(readClaim(frozen, mapping.permissions));
  const tenantId = optionalText.safeParse(readClaim(frozen, mapping.tenantId));
  const type = optionalText.safeParse(readClaim(frozen, mapping.type));
  if (!id.success || !roles.success || !permissions.success || !tenantId.success || !type.success) {
    throw new AuthError('UNAUTHENTICATED', 'CLAIMS_INVALID');
  }
  const user: { -readonly [K in keyof AuthUser]: AuthUser[K] } = {
    id: id.data,
    roles: Object.freeze(roles.data ?? []),
    permissions: Object.freeze(permissions.data ?? []),
    claims: frozen,
  };
  if (tenantId.data) user.tenantId = tenantId.data;
  if (type.data) user.type = type.data;
  return Object.freeze(user);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
