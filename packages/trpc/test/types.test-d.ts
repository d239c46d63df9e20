import type { AuthUser, Verifier } from '@gatehousejs/core';
import {
  type AuthMeta,
  createGatehouseContext,
  type GatehouseContext,
  gatehouse,
  gatehousePlugin,
} from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { describe, expectTypeOf, test } from 'vitest';
import type { WebSocketServer } from 'ws';
import { z } from 'zod';

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

describe('ctx.user', () => {
  test('is AuthUser in protected procedures, with or without meta and after .input()', () => {
    protectedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.user).toEqualTypeOf<AuthUser>();
      return ctx.user.id;
    });
    protectedProcedure
      .meta({ roles: ['admin'] })
      .input(z.object({ n: z.number() }))
      .mutation(({ ctx, input }) => {
        expectTypeOf(ctx.user).toEqualTypeOf<AuthUser>();
        expectTypeOf(input).toEqualTypeOf<{ n: number }>();
      });
    protectedProcedure.subscription(async function* ({ ctx }) {
      expectTypeOf(ctx.user).toEqualTypeOf<AuthUser>();
      yield 1;
    });
  });

  test('is AuthUser | null in public procedures', () => {
    publicProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.user).toEqualTypeOf<AuthUser | null>();
      // @ts-expect-error the caller may be anonymous
      return ctx.user.id;
    });
  });

  test('the rest of the context is kept', () => {
    const tt = initTRPC.context<GatehouseContext & { db: { name: string } }>().meta<AuthMeta>().create();
    gatehouse(tt).protectedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.db).toEqualTypeOf<{ name: string }>();
      expectTypeOf(ctx.user).toEqualTypeOf<AuthUser>();
    });
  });
});

describe('meta', () => {
  test('is typed', () => {
    protectedProcedure.meta({ roles: ['admin'], permissions: ['reports:read'] });
    // @ts-expect-error roles is a list
    protectedProcedure.meta({ roles: 'admin' });
    // @ts-expect-error misspelt key
    protectedProcedure.meta({ role: ['admin'] });
    // @ts-expect-error names are strings
    publicProcedure.meta({ permissions: [1] });
  });

  test('a catalog in AuthMeta makes a misspelt name a compile error', () => {
    type Meta = AuthMeta<'admin' | 'read-only', 'reports:read'>;
    const tc = initTRPC.context<GatehouseContext>().meta<Meta>().create();
    const p = gatehouse(tc);
    p.protectedProcedure.meta({ roles: ['admin', 'read-only'], permissions: ['reports:read'] });
    // @ts-expect-error not a role of the catalog
    p.protectedProcedure.meta({ roles: ['admn'] });
    // @ts-expect-error not a permission of the catalog
    p.publicProcedure.meta({ permissions: ['reports:write'] });
  });
});

describe('mismatches are compile errors', () => {
  test('a context without GatehouseContext', () => {
    const bad = initTRPC.context<{ db: string }>().meta<AuthMeta>().create();
    // @ts-expect-error the context lacks `gatehouse`
    gatehouse(bad);
    // @ts-expect-error tRPC's own concat check, through the plugin
    bad.procedure.concat(gatehousePlugin.protectedProcedure);
  });

  test('a root without AuthMeta', () => {
    const noMeta = initTRPC.context<GatehouseContext>().create();
    // @ts-expect-error meta must declare roles and permissions
    gatehouse(noMeta);
    const wrongMeta = initTRPC.context<GatehouseContext>().meta<{ roles: number }>().create();
    // @ts-expect-error roles of another type
    gatehouse(wrongMeta);
    // @ts-expect-error tRPC's own concat check, through the plugin
    wrongMeta.procedure.concat(gatehousePlugin.publicProcedure);
  });

  test('the plugin joins a fitting root', () => {
    const built = t.procedure.concat(gatehousePlugin.protectedProcedure).query(({ ctx }) => ctx.user);
    expectTypeOf(built).not.toBeNever();
  });
});

describe('createGatehouseContext', () => {
  test('is the createContext of the fetch, standalone, express and ws adapters', () => {
    const verifier = {} as Verifier;
    const router = t.router({ me: protectedProcedure.query(({ ctx }) => ctx.user.id) });
    const createContext = createGatehouseContext(verifier);
    expectTypeOf(createContext).returns.toEqualTypeOf<GatehouseContext>();
    const handler = (req: Request) => fetchRequestHandler({ endpoint: '/trpc', req, router, createContext });
    createHTTPServer({ router, createContext });
    createExpressMiddleware({ router, createContext });
    const wss = {} as WebSocketServer;
    const ws = () => applyWSSHandler({ wss, router, createContext });
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<Response>();
    expectTypeOf(ws).not.toBeNever();
  });
});
