import { type AuthMeta, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

export const appRouter = t.router({
  health: publicProcedure.query(() => 'ok'),
  reports: protectedProcedure
    .meta({ permissions: ['reports:read', 'reports:admin'] })
    .query(() => [{ id: 'report-1', title: 'Quarterly revenue' }]),
  billing: protectedProcedure.meta({ roles: ['admin'], permissions: ['billing:read'] }).query(() => 'Invoices: 3 open'),
});

export type AppRouter = typeof appRouter;
