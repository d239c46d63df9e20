import { type AuthUser, GatehouseConfigError, isAuthError } from '@gatehousejs/core';
import { denialOf, isOpenRequirement } from '@gatehousejs/core/adapter';
import { initTRPC, type TRPCProcedureBuilder, type TRPCUnsetMarker } from '@trpc/server';
import { type GatehouseContext, RequestAuth } from './context.js';
import { toTRPCError } from './errors.js';
import { endAtTokenExpiry } from './expiry.js';
import { type AuthMeta, requirementOfMeta } from './meta.js';

/** Whether a procedure's gatehouse check lets anonymous callers through (when its meta asks for nothing). */
export type CheckKind = 'public' | 'protected';

const plugin = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();

/**
 * Authenticates (once per context) and authorizes a call before anything after it runs, input
 * parsing included: `.input()` adds its parser after this middleware, and tRPC reads the raw
 * input only when a parser asks for it.
 */
async function admit(ctx: GatehouseContext, meta: AuthMeta | undefined, kind: CheckKind) {
  const auth = ctx?.gatehouse;
  if (!(auth instanceof RequestAuth)) {
    throw toTRPCError(new Error('the context was not made by createGatehouseContext()'));
  }
  let requirement: ReturnType<typeof requirementOfMeta>;
  try {
    requirement = requirementOfMeta(meta);
  } catch (error) {
    throw toTRPCError(error);
  }
  try {
    const user = await auth.user();
    if (kind === 'public' && isOpenRequirement(requirement)) return { auth, user };
    const denial = denialOf(auth.verifier, user, requirement);
    if (denial) throw denial;
    return { auth, user };
  } catch (error) {
    if (isAuthError(error)) auth.challenge(error);
    throw toTRPCError(error);
  }
}

function watched<R extends { ok: boolean }>(type: string, result: R, auth: RequestAuth, user: AuthUser | null): R {
  if (type !== 'subscription' || user === null || !result.ok || !('data' in result)) return result;
  return { ...result, data: endAtTokenExpiry(result.data, auth.verifier, user) };
}

type CheckOptions = Parameters<Parameters<typeof plugin.middleware>[0]>[0];

async function publicCheck({ ctx, meta, type, next }: CheckOptions) {
  const { auth, user } = await admit(ctx, meta, 'public');
  return watched(type, await next({ ctx: { user: user as AuthUser | null } }), auth, user);
}

async function protectedCheck({ ctx, meta, type, next }: CheckOptions) {
  const { auth, user } = await admit(ctx, meta, 'protected');
  return watched(type, await next({ ctx: { user: user as AuthUser } }), auth, user);
}

/** @internal Which check a middleware is, for `listProcedures`; undefined for any other middleware. */
export function checkKindOf(middleware: unknown): CheckKind | undefined {
  if (middleware === publicCheck) return 'public';
  if (middleware === protectedCheck) return 'protected';
  return undefined;
}

/**
 * The Gatehouse procedures as a tRPC plugin, for `t.procedure.concat(...)`: tRPC itself then
 * refuses, at compile time, a root whose context lacks `GatehouseContext` or whose meta does not
 * fit `AuthMeta`. `gatehouse(t)` does this for you. Invalid meta fails closed on the call; to find it
 * at start-up, await `assertAccessDecisions(router)`.
 */
export const gatehousePlugin = Object.freeze({
  publicProcedure: plugin.procedure.use(publicCheck),
  protectedProcedure: plugin.procedure.use(protectedCheck),
});

type Unset = TRPCUnsetMarker;

/** A procedure builder whose context has `user`. */
export type GatehouseProcedure<TContext, TMeta, TErrorShape, TUser> = TRPCProcedureBuilder<
  TContext,
  TMeta,
  { user: TUser },
  Unset,
  Unset,
  Unset,
  Unset,
  false,
  TErrorShape
>;

export interface GatehouseProcedures<TContext, TMeta, TErrorShape> {
  /** Anyone; `ctx.user` is the caller or null. With `meta({ roles, permissions })` it is protected. */
  publicProcedure: GatehouseProcedure<TContext, TMeta, TErrorShape, AuthUser | null>;
  /** Any authenticated caller, or those meeting `meta({ roles, permissions })`; `ctx.user` is set. */
  protectedProcedure: GatehouseProcedure<TContext, TMeta, TErrorShape, AuthUser>;
}

/** The shape of `initTRPC...create()` that `gatehouse()` builds on. */
export interface GatehouseRoot<TContext, TMeta, TErrorShape> {
  procedure: TRPCProcedureBuilder<TContext, TMeta, object, Unset, Unset, Unset, Unset, false, TErrorShape>;
}

/** A meta type that does not declare `roles` and `permissions` (for example none at all) is refused. */
type MetaDeclaresAuth<TMeta> = keyof AuthMeta extends keyof TMeta
  ? unknown
  : { 'gatehouse(t): create t with initTRPC.meta<AuthMeta>()': never };

/**
 * The procedures of an application protected by Gatehouse:
 *
 * ```ts
 * const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
 * const { publicProcedure, protectedProcedure } = gatehouse(t);
 * ```
 *
 * Every procedure built from them is checked before its input is parsed, and its meta is enforced
 * (`publicProcedure.meta({ roles })` is protected). A meta that can never be met (an empty list)
 * fails closed at every call and is a `GatehouseConfigError` in `listProcedures` and
 * `assertAccessDecisions` (run it at start-up).
 */
export function gatehouse<TContext extends GatehouseContext, TMeta extends AuthMeta, TErrorShape>(
  t: GatehouseRoot<TContext, TMeta, TErrorShape> & MetaDeclaresAuth<TMeta>,
): GatehouseProcedures<TContext, TMeta, TErrorShape> {
  const base = t.procedure as unknown as typeof plugin.procedure;
  if (typeof base?.concat !== 'function') {
    throw new GatehouseConfigError('gatehouse(t) expects the object initTRPC...create() returns');
  }
  return {
    publicProcedure: base.concat(gatehousePlugin.publicProcedure),
    protectedProcedure: base.concat(gatehousePlugin.protectedProcedure),
  } as unknown as GatehouseProcedures<TContext, TMeta, TErrorShape>;
}
