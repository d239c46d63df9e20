import { type AuthMeta, createGatehouseContext, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';
import { z } from 'zod';

export const uploadInput = z.object({ name: z.string().min(1).max(100) });

/** A router mirroring the demo's requirements, plus probes used by the tests. */
export function createAppRouter(options: { isDev?: boolean } = {}) {
  const t = initTRPC
    .context<GatehouseContext>()
    .meta<AuthMeta>()
    .create({ isDev: options.isDev ?? false });
  const { publicProcedure, protectedProcedure } = gatehouse(t);
  const state = { uploads: 0, inputParses: 0, resolved: 0 };
  const countedUploadInput = (raw: unknown) => {
    state.inputParses++;
    return uploadInput.parse(raw);
  };

  const router = t.router({
    health: publicProcedure.query(() => 'ok'),
    whoami: publicProcedure.query(({ ctx }) => ctx.user?.id ?? null),
    me: protectedProcedure.query(({ ctx }) => ({
      id: ctx.user.id,
      roles: ctx.user.roles,
      permissions: ctx.user.permissions,
      tenantId: ctx.user.tenantId ?? null,
    })),
    admin: protectedProcedure.meta({ roles: ['admin'] }).query(() => ({ area: 'admin' })),
    home: protectedProcedure.meta({ roles: ['admin', 'read-only'] }).query(() => ({ area: 'home' })),
    reports: protectedProcedure
      .meta({ permissions: ['reports:read', 'reports:admin'] })
      .query(() => [{ id: 'r1', title: 'Q1' }]),
    billing: protectedProcedure.meta({ roles: ['admin'], permissions: ['billing:read'] }).query(() => 'billing'),
    publicWithRole: publicProcedure.meta({ roles: ['admin'] }).query(() => 'only admins'),
    unchecked: t.procedure.query(() => {
      state.resolved++;
      return 'no check';
    }),
    uploads: t.router({
      create: protectedProcedure
        .meta({ permissions: ['uploadFile'] })
        .input(countedUploadInput)
        .mutation(({ input }) => {
          state.uploads++;
          return { id: String(state.uploads), name: input.name };
        }),
      count: publicProcedure.query(() => state.uploads),
    }),
    echo: publicProcedure.input(z.object({ n: z.number() })).query(({ input }) => input.n),
    ticks: protectedProcedure.subscription(async function* ({ signal }) {
      for (let i = 0; !signal?.aborted; i++) {
        yield i;
        await sleep(50, signal);
      }
    }),
    adminTicks: protectedProcedure.meta({ roles: ['admin'] }).subscription(async function* ({ signal }) {
      for (let i = 0; !signal?.aborted; i++) {
        yield i;
        await sleep(50, signal);
      }
    }),
  });
  return { router, state };
}

export type AppRouter = ReturnType<typeof createAppRouter>['router'];

export { createGatehouseContext };

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
