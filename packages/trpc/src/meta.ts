import {
  type AnyRequirement,
  defineRequirement,
  GatehouseConfigError,
  type Permission,
  type Role,
} from '@gatehousejs/core';

/**
 * The procedure meta Gatehouse reads: `roles` (at least one of them) and `permissions` (at least one
 * of them); both given, both must hold. Names are typed from the catalog registered on
 * `@gatehousejs/core`'s `Register`, so a misspelt name fails to compile.
 */
export interface AuthMeta<R extends string = Role, P extends string = Permission> {
  roles?: readonly R[];
  permissions?: readonly P[];
}

const OPEN: AnyRequirement = Object.freeze({});
const checked = new WeakMap<object, AnyRequirement>();
// Keys a hand-written (untyped) meta may use by mistake, which would otherwise leave a procedure open.
const NEAR_MISS = /^(roles?|permissions?|scopes?)$/i;

/**
 * The requirement a procedure's meta asks for, validated with core's `defineRequirement`: an empty
 * list, a name that is not a non-empty string or a misspelt key is a `GatehouseConfigError`.
 * Other meta keys belong to the application and are ignored. Results are memoized per meta object.
 */
export function requirementOfMeta(meta: unknown, where = 'meta'): AnyRequirement {
  if (meta === undefined || meta === null) return OPEN;
  if (typeof meta !== 'object') throw new GatehouseConfigError(`${where}: expected an object`);
  const known = checked.get(meta);
  if (known) return known;
  for (const key of Object.keys(meta)) {
    if (key !== 'roles' && key !== 'permissions' && NEAR_MISS.test(key)) {
      throw new GatehouseConfigError(`${where}.${key}: unknown key (expected roles or permissions)`);
    }
  }
  const { roles, permissions } = meta as AuthMeta<string, string>;
  const requirement: AnyRequirement = defineRequirement({ roles, permissions }, where);
  checked.set(meta, requirement);
  return requirement;
}
