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
  const procedures = routerDefinitionOf(router).procedures;
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
  for (let pending = Object.values(routerDefinitionOf(router).lazy); pending.length > 0; ) {
    await Promise.all(pending.map((loader) => loader.load()));
    pending = Object.values(routerDefinitionOf(router).lazy);
  }
}

// tRPC 11 has no public introspection (its `_def` fields are marked @internal; tRPC's own tools and
// trpc-openapi read them too). The two readers below are the only places Gatehouse reads them. A
// definition of another shape (a future tRPC) is a `GatehouseConfigError`, never a guessed listing.

interface RouterDefinition {
  readonly procedures: Readonly<Record<string, AnyTRPCProcedure>>;
  readonly lazy: Readonly<Record<string, { load(): Promise<void> }>>;
}

interface ProcedureDefinition {
  readonly type: TRPCProcedureType;
  /** Middlewares in the order they run; input parsers are middlewares whose `_type` is `'input'`. */
  readonly middlewares: readonly unknown[];
}

const PROCEDURE_TYPES: readonly unknown[] = ['query', 'mutation', 'subscription'];

function unreadable(what: string): GatehouseConfigError {
  return new GatehouseConfigError(
    `listProcedures cannot read ${what}: it reads the router definitions of @trpc/server 11; is this another major version?`,
  );
}

function routerDefinitionOf(router: AnyTRPCRouter): RouterDefinition {
  const def: unknown = (router as { _def?: unknown } | null)?._def;
  const { procedures, lazy } = (def ?? {}) as { procedures?: unknown; lazy?: unknown };
  if (typeof procedures !== 'object' || procedures === null || typeof lazy !== 'object' || lazy === null) {
    throw unreadable('this router');
  }
  return def as RouterDefinition;
}

function procedureDefinitionOf(path: string, procedure: unknown): ProcedureDefinition {
  const def: unknown = (procedure as { _def?: unknown } | null)?._def;
  const { type, middlewares } = (def ?? {}) as { type?: unknown; middlewares?: unknown };
  if (!PROCEDURE_TYPES.includes(type) || !Array.isArray(middlewares)) throw unreadable(`procedure ${path}`);
  return def as ProcedureDefinition;
}

/** A procedure's access: its type and check order from its definition, its meta from the public `meta`. */
function accessOf(path: string, procedure: AnyTRPCProcedure): ProcedureAccess {
  const def = procedureDefinitionOf(path, procedure);
  const middlewares = def.middlewares;
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
