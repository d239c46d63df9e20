// Compiled on its own by test/catalog.test.ts: the `Register` augmentation below applies to the
// whole program it is part of, so it must not share one with other tests.
import type { Requirement } from '@gatehousejs/core';
import { type AuthMeta, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';

declare module '@gatehousejs/core' {
  interface Register {
    roles: 'admin' | 'read-only';
    permissions: 'reports:read' | 'uploadFile';
  }
}

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

export const router = t.router({
  admin: protectedProcedure.meta({ roles: ['admin'] }).query(() => 1),
  home: protectedProcedure.meta({ roles: ['admin', 'read-only'], permissions: ['reports:read'] }).query(() => 1),
  hidden: publicProcedure.meta({ permissions: ['uploadFile'] }).query(() => 1),
  // @ts-expect-error 'admn' is not a registered role
  typoRole: protectedProcedure.meta({ roles: ['admn'] }).query(() => 1),
  // @ts-expect-error 'reports:raed' is not a registered permission
  typoPermission: protectedProcedure.meta({ permissions: ['reports:raed'] }).query(() => 1),
  // @ts-expect-error a role is not a permission
  swapped: publicProcedure.meta({ permissions: ['admin'] }).query(() => 1),
});

export const shared: Requirement = { roles: ['read-only'] };
// @ts-expect-error core's Requirement is typed by the same catalog
export const sharedTypo: Requirement = { roles: ['readonly'] };
