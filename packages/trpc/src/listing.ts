import { GatehouseConfigError } from '@gatehousejs/core';
import { describeRequirement, isOpenRequirement } from '@gatehousejs/core/adapter';
import type { AnyTRPCMiddlewareFunction, AnyTRPCProcedure, AnyTRPCRouter, TRPCProcedureType } from '@trpc/server';
import { type MetaRequirement, requirementOfMeta } from './meta.js';
import { CHECKS } from './procedures.js';

/**
 * - `public`: anyone (a token that is sent must still be valid);
 * - `authenticated`: any authenticated caller;
 * - `restricted`: callers meeting `requirement`;
 * - `unchecked`: no Gatehouse check at all (built from `t.procedure`): no access decision was made.
 */
export type ProcedureAccessKind = 'public' | 'authenticated' | 'restricted' | 'unchecked';

export interface ProcedureAccess {
  /** Dot-separated path, as clients call it. */
  readonly path: string;
  readonly type: TRPCProcedureType;
  readonly access: ProcedureAccessKind;
  /** What the caller must hold; null for `public` and `unchecked`, `{}` for `authenticated`. */
  readonly requirement: MetaRequirement | null;
  /** `public`, `authenticated`, `roles: admin | read-only AND permissions: billing:read`, `unchecked`. */
  readonly description: string;
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

function accessOf(path: string, procedure: AnyTRPCProcedure): ProcedureAccess {
  const def = procedure._def as { type: TRPCProcedureType; meta?: unknown; middlewares?: AnyTRPCMiddlewareFunction[] };
  const middlewares = def.middlewares ?? [];
  let kind: 'public' | 'protected' | undefined;
  let firstCheck = -1;
  middlewares.forEach((fn, index) => {
    const check = CHECKS.get(fn);
    if (check === undefined) return;
    if (firstCheck === -1) firstCheck = index;
    if (check === 'protected' || kind === undefined) kind = check;
  });
  const base = { path, type: def.type };
  if (kind === undefined) {
    return { ...base, access: 'unchecked', requirement: null, description: 'unchecked', inputBeforeCheck: false };
  }
  const requirement = requirementOfMeta(def.meta, `${path} meta`);
  const inputBeforeCheck = middlewares.slice(0, firstCheck).some((fn) => fn._type === 'input');
  const open = isOpenRequirement(requirement);
  if (open && kind === 'public') {
    return { ...base, access: 'public', requirement: null, description: 'public', inputBeforeCheck };
  }
  return {
    ...base,
    access: open ? 'authenticated' : 'restricted',
    requirement,
    description: describeRequirement(requirement),
    inputBeforeCheck,
  };
}
