import { type AccessEntry, GatehouseConfigError } from '@gatehousejs/core';
import { describeRequirement, isOpenRequirement } from '@gatehousejs/core/adapter';
import type { AnyTRPCProcedure, AnyTRPCRouter, TRPCProcedureType } from '@trpc/server';
import { requirementOfMeta } from './meta.js';
import { checkKindOf } from './procedures.js';

/** A procedure with its effective access, as `listProcedures` lists it (core's `AccessEntry` shape, shared with GraphQL). */
export interface ProcedureAccess extends AccessEntry {
  /** Dot-separated path, as clients call it. */
  readonly path: string;
  readonly type: TRPCProcedureType;
  /** True when an input parser runs before the Gatehouse check (the procedure was built from a builder that had `.input()` before the check). */
  readonly inputBeforeCheck: boolean;
}

export interface ListProceduresOptions {
  /**
   * Refuse (with a `GatehouseConfigError` naming every offending path) a router where a procedure
   * has no access decision (`unchecked`) or parses its input before its check. Use it at start-up,
   * before the server listens.
   */
  strict?: boolean;
}

/**
 * Every procedure of a router, lazy routers included (they are loaded), with its effective access,
 * sorted by path. Invalid meta anywhere is a `GatehouseConfigError`.
 */
export async function listProcedures(
  router: AnyTRPCRouter,
  options: ListProceduresOptions = {},
): Promise<ProcedureAccess[]> {
  await loadLazyRouters(router);
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  const list = Object.keys(procedures)
    .sort()
    .map((path) => accessOf(path, procedures[path] as AnyTRPCProcedure));
  if (options.strict) {
    const offending = list.filter((p) => p.access === 'unchecked' || p.inputBeforeCheck);
    if (offending.length > 0) {
      const lines = offending.map((p) =>
        p.access === 'unchecked' ? `${p.path}: no access decision` : `${p.path}: input parsed before the check`,
      );
      throw new GatehouseConfigError(
        `every procedure needs an access decision (publicProcedure or protectedProcedure from gatehouse(t)):\n  ${lines.join('\n  ')}`,
      );
    }
  }
  return list;
}

/** Strict mode: `listProcedures(router, { strict: true })`. Await it before the server starts. */
export function assertAccessDecisions(router: AnyTRPCRouter): Promise<ProcedureAccess[]> {
  return listProcedures(router, { strict: true });
}

async function loadLazyRouters(router: AnyTRPCRouter): Promise<void> {
  // Loading a lazy router can reveal lazy routers nested in it.
  for (let pending = Object.values(router._def.lazy); pending.length > 0; ) {
    await Promise.all(pending.map((loader) => (loader as { load(): Promise<void> }).load()));
    pending = Object.values(router._def.lazy);
  }
}

/**
 * tRPC has no public introspection: the procedures of a router and a procedure's type and middlewares
 * are read from its definition (`_def`), here only. Meta is read from the procedure's public `meta`.
 */
function accessOf(path: string, procedure: AnyTRPCProcedure): ProcedureAccess {
  const def = procedure._def as { type: TRPCProcedureType; middlewares?: readonly unknown[] };
  const middlewares = def.middlewares ?? [];
  let kind: 'public' | 'protected' | undefined;
  let firstCheck = -1;
  middlewares.forEach((fn, index) => {
    const check = checkKindOf(fn);
    if (check === undefined) return;
    if (firstCheck === -1) firstCheck = index;
    if (check === 'protected' || kind === undefined) kind = check;
  });
  const base = { path, type: def.type };
  if (kind === undefined) {
    return { ...base, access: 'unchecked', requirements: [], description: 'unchecked', inputBeforeCheck: false };
  }
  const requirement = requirementOfMeta((procedure as { meta?: unknown }).meta, `${path} meta`);
  const inputBeforeCheck = middlewares.slice(0, firstCheck).some((fn) => (fn as { _type?: unknown })._type === 'input');
  const open = isOpenRequirement(requirement);
  if (open) {
    const access = kind === 'public' ? 'public' : 'authenticated';
    return { ...base, access, requirements: [], description: access, inputBeforeCheck };
  }
  return {
    ...base,
    access: 'restricted',
    requirements: [requirement],
    description: describeRequirement(requirement),
    inputBeforeCheck,
  };
}
