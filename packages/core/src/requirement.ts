import { GatehouseConfigError } from './errors.js';
import type { AnyRequirement } from './types.js';

const MAX_NAME_LENGTH = 256;

/**
 * Checks a requirement written in code or schema once, when it is declared: `roles` and
 * `permissions` must be non-empty lists of non-empty strings. Returns a frozen copy.
 */
export function defineRequirement(requirement: unknown, where = 'requirement'): AnyRequirement {
  if (requirement === undefined || requirement === null) return EMPTY;
  if (typeof requirement !== 'object' || Array.isArray(requirement)) {
    throw new GatehouseConfigError(`${where}: expected { roles?, permissions? }`);
  }
  const out: { roles?: readonly string[]; permissions?: readonly string[] } = {};
  for (const [key, value] of Object.entries(requirement)) {
    if (key !== 'roles' && key !== 'permissions') {
      throw new GatehouseConfigError(`${where}: unknown key "${key}" (expected roles or permissions)`);
    }
    if (value === undefined) continue;
    out[key] = nameList(value, `${where}.${key}`);
  }
  return Object.freeze(out);
}

function nameList(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value)) throw new GatehouseConfigError(`${where}: expected a list of names`);
  if (value.length === 0) throw new GatehouseConfigError(`${where}: an empty list can be met by nobody`);
  for (const name of value) {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new GatehouseConfigError(`${where}: every name must be a non-empty string`);
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

const EMPTY: AnyRequirement = Object.freeze({});

/** True when the requirement asks for nothing beyond authentication. */
export function isOpenRequirement(requirement: AnyRequirement): boolean {
  return requirement.roles === undefined && requirement.permissions === undefined;
}

/** A human-readable summary for access listings, e.g. `roles: admin | read-only AND permissions: billing:read`. */
export function describeRequirement(requirement: AnyRequirement): string {
  const parts: string[] = [];
  if (requirement.roles) parts.push(`roles: ${requirement.roles.join(' | ')}`);
  if (requirement.permissions) parts.push(`permissions: ${requirement.permissions.join(' | ')}`);
  return parts.length === 0 ? 'authenticated' : parts.join(' AND ');
}
