import { type AuthMeta, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';
import { z } from 'zod';

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

export const appRouter = t.router({
  health: publicProcedure.query(() => 'ok'),
  me: protectedProcedure.query(({ ctx }) => ({ id: ctx.user.id, roles: ctx.user.roles })),
  admin: protectedProcedure.meta({ roles: ['admin'] }).query(() => ({ area: 'admin' })),
  upload: protectedProcedure
    .meta({ permissions: ['uploadFile'] })
    .input(z.object({ name: z.string().min(1).max(100) }))
    .mutation(({ input }) => ({ name: input.name })),
});

export type AppRouter = typeof appRouter;
