import { type AuthMeta, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';
import { access } from './catalog.js';
import { uploadInput } from './inputs.js';
import { area, BILLING_SUMMARY, createStore, REPORTS, type Store } from './store.js';

// Never put stacks in error shapes, whatever NODE_ENV says: the demo is reachable by anyone.
const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create({ isDev: false });
const { publicProcedure, protectedProcedure } = gatehouse(t);

/** The demo's tRPC API: DESIGN.md's table. No data transformer, so any stock `@trpc/client` can call it. */
export function createAppRouter(store: Store) {
  return t.router({
    health: publicProcedure.query(() => 'ok'),
    me: protectedProcedure.query(({ ctx }) => ({
      id: ctx.user.id,
      roles: ctx.user.roles,
      permissions: ctx.user.permissions,
      tenantId: ctx.user.tenantId ?? null,
    })),
    admin: protectedProcedure.meta(access.admin).query(() => area('admin')),
    home: protectedProcedure.meta(access.home).query(() => area('home')),
    reports: protectedProcedure.meta(access.reports).query(() => REPORTS),
    billing: protectedProcedure.meta(access.billing).query(() => BILLING_SUMMARY),
    uploads: t.router({
      create: protectedProcedure
        .meta(access.upload)
        .input(uploadInput)
        .mutation(({ input }) => store.createUpload(input.name)),
      count: publicProcedure.query(() => store.uploadCount()),
    }),
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

/** A router over a fresh store, for `gatehouse access` and other listings. */
export const appRouter: AppRouter = createAppRouter(createStore());
