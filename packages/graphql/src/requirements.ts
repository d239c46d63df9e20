import type { Requirement } from '@gatehousejs/core';
import { isOpenRequirement } from '@gatehousejs/core/adapter';

/** Requirements that must all hold: the field's own, its type's, its interfaces', its return type's. */
export type RequirementList = readonly Requirement[];

export const NO_REQUIREMENTS: RequirementList = Object.freeze([]);

const interned = new Map<string, Requirement>();

function keyOf(requirement: Requirement): string {
  const roles = requirement.roles ? [...requirement.roles].sort() : null;
  const permissions = requirement.permissions ? [...requirement.permissions].sort() : null;
  return JSON.stringify([roles, permissions]);
}

/** One shared frozen object per distinct requirement, so decisions can be remembered per object. */
function intern(requirement: Requirement): Requirement {
  const key = keyOf(requirement);
  let shared = interned.get(key);
  if (!shared) {
    shared = Object.freeze({ ...requirement });
    interned.set(key, shared);
  }
  return shared;
}

/**
 * Adds requirements up into one list that must all hold. Duplicates go; a bare "authenticated"
 * requirement goes when a stricter one is present, since any role or permission implies a caller.
 */
export function addUp(...lists: RequirementList[]): RequirementList {
  const out: Requirement[] = [];
  for (const list of lists) {
    for (const requirement of list) {
      const shared = intern(requirement);
      if (!out.includes(shared)) out.push(shared);
    }
  }
  if (out.length > 1) {
    const strict = out.filter((r) => !isOpenRequirement(r));
    if (strict.length > 0) return Object.freeze(strict);
  }
  return out.length === 0 ? NO_REQUIREMENTS : Object.freeze(out);
}
