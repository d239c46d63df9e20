import { createVerifier, GatehouseConfigError } from '@gatehousejs/core';
import { createTestIssuer } from '@gatehousejs/core/testing';
import {
  type AuthMeta,
  assertAccessDecisions,
  createGatehouseContext,
  type GatehouseContext,
  gatehouse,
  listProcedures,
} from '@gatehousejs/trpc';
import { initTRPC, lazy } from '@trpc/server';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { client, outcome } from './support/clients.js';
import { startServer } from './support/servers.js';

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

function reportsRouter() {
  return t.router({
    list: protectedProcedure.meta({ permissions: ['reports:read'] }).query(() => []),
    archive: t.router({
      purge: protectedProcedure.meta({ roles: ['admin'], permissions: ['reports:admin'] }).mutation(() => 0),
      deep: lazy(async () => t.router({ secret: protectedProcedure.meta({ roles: ['auditor'] }).query(() => 1) })),
    }),
  });
}

describe('listProcedures', () => {
  test('lists every procedure, lazy routers included, with its type and effective requirement', async () => {
    const router = t.router({
      health: publicProcedure.query(() => 'ok'),
      me: protectedProcedure.query(() => 'me'),
      hiddenAdmin: publicProcedure.meta({ roles: ['admin'] }).query(() => 1),
      feed: protectedProcedure.subscription(async function* () {}),
      reports: lazy(async () => reportsRouter()),
    });
    expect(await listProcedures(router)).toEqual([
      {
        path: 'feed',
        type: 'subscription',
        access: 'authenticated',
        requirements: [],
        description: 'authenticated',
        inputBeforeCheck: false,
      },
      {
        path: 'health',
        type: 'query',
        access: 'public',
        requirements: [],
        description: 'public',
        inputBeforeCheck: false,
      },
      {
        path: 'hiddenAdmin',
        type: 'query',
        access: 'restricted',
        requirements: [{ roles: ['admin'] }],
        description: 'roles: admin',
        inputBeforeCheck: false,
      },
      {
        path: 'me',
        type: 'query',
        access: 'authenticated',
        requirements: [],
        description: 'authenticated',
        inputBeforeCheck: false,
      },
      {
        path: 'reports.archive.deep.secret',
        type: 'query',
        access: 'restricted',
        requirements: [{ roles: ['auditor'] }],
        description: 'roles: auditor',
        inputBeforeCheck: false,
      },
      {
        path: 'reports.archive.purge',
        type: 'mutation',
        access: 'restricted',
        requirements: [{ roles: ['admin'], permissions: ['reports:admin'] }],
        description: 'roles: admin AND permissions: reports:admin',
        inputBeforeCheck: false,
      },
      {
        path: 'reports.list',
        type: 'query',
        access: 'restricted',
        requirements: [{ permissions: ['reports:read'] }],
        description: 'permissions: reports:read',
        inputBeforeCheck: false,
      },
    ]);
  });

  test('a procedure without a Gatehouse check is listed as unchecked', async () => {
    const router = t.router({ raw: t.procedure.query(() => 1), ok: publicProcedure.query(() => 1) });
    expect((await listProcedures(router)).map((p) => [p.path, p.access])).toEqual([
      ['ok', 'public'],
      ['raw', 'unchecked'],
    ]);
  });

  test('combining both checks keeps the stricter one', async () => {
    const router = t.router({ both: publicProcedure.concat(protectedProcedure).query(() => 1) });
    expect((await listProcedures(router))[0]?.access).toBe('authenticated');
  });
});

describe('strict mode', () => {
  test('refuses a router where a procedure has no access decision, naming every one of them', async () => {
    const router = t.router({
      ok: publicProcedure.query(() => 1),
      raw: t.procedure.query(() => 1),
      nested: lazy(async () => t.router({ alsoRaw: t.procedure.mutation(() => 1) })),
    });
    const error = await assertAccessDecisions(router).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatehouseConfigError);
    expect((error as Error).message).toMatch(/raw: no access decision/);
    expect((error as Error).message).toMatch(/nested\.alsoRaw: no access decision/);
    await expect(listProcedures(router, { strict: true })).rejects.toThrow(GatehouseConfigError);
    await expect(listProcedures(router)).resolves.toHaveLength(3);
  });

  test('refuses a procedure whose input is parsed before its check', async () => {
    const router = t.router({
      early: t.procedure
        .input(z.object({ n: z.number() }))
        .concat(protectedProcedure)
        .query(() => 1),
    });
    expect((await listProcedures(router))[0]).toMatchObject({ access: 'authenticated', inputBeforeCheck: true });
    await expect(assertAccessDecisions(router)).rejects.toThrow(/early: input parsed before the check/);
  });

  test('accepts a router where every procedure has a decision', async () => {
    const router = t.router({ a: publicProcedure.query(() => 1), b: protectedProcedure.query(() => 1) });
    await expect(assertAccessDecisions(router)).resolves.toHaveLength(2);
  });
});

describe('meta validation', () => {
  test('a requirement nobody can meet fails closed at every call, and in the listing at start-up', async () => {
    const metas = [
      { roles: [] },
      { permissions: [] },
      { roles: [''] },
      // A hand-written meta with a misspelt key would otherwise leave the procedure open.
      { role: ['admin'] } as unknown as AuthMeta,
      { roles: 'admin' } as unknown as AuthMeta,
    ];
    const issuer = await createTestIssuer({ audience: 'api' });
    const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    const token = await issuer.sign({ roles: ['admin'] });
    try {
      for (const meta of metas) {
        const router = t.router({
          viaProtected: protectedProcedure.meta(meta).query(() => 'open?'),
          viaPublic: publicProcedure
            .input(z.object({}))
            .meta(meta)
            .query(() => 'open?'),
        });
        const error = await assertAccessDecisions(router).catch((e: unknown) => e);
        expect(error, JSON.stringify(meta)).toBeInstanceOf(GatehouseConfigError);
        const server = await startServer('standalone', router, createGatehouseContext(verifier));
        try {
          const c = client<typeof router>(server.url, token);
          for (const call of [() => c.viaProtected.query(), () => c.viaPublic.query({})]) {
            expect(await outcome(call)).toMatchObject({ ok: false, code: 'INTERNAL_SERVER_ERROR' });
          }
        } finally {
          await server.close();
        }
      }
    } finally {
      await issuer.close();
    }
  });

  test('invalid meta joined with concat fails closed on the first call, and in the listing', async () => {
    const issuer = await createTestIssuer({ audience: 'api' });
    const router = t.router({
      sneaky: t.procedure
        .meta({ roles: [] })
        .concat(publicProcedure)
        .query(() => 'open?'),
    });
    await expect(listProcedures(router)).rejects.toThrow(GatehouseConfigError);
    const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    const server = await startServer('standalone', router, createGatehouseContext(verifier));
    try {
      const result = await outcome(() => client<typeof router>(server.url).sneaky.query());
      expect(result).toMatchObject({ ok: false, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    } finally {
      await server.close();
      await issuer.close();
    }
  });

  test('other meta keys belong to the application', async () => {
    const tt = initTRPC.context<GatehouseContext>().meta<AuthMeta & { openapi?: { path: string } }>().create();
    const p = gatehouse(tt);
    const router = tt.router({
      x: p.protectedProcedure.meta({ openapi: { path: '/x' }, roles: ['a'] }).query(() => 1),
    });
    expect((await listProcedures(router))[0]?.requirements).toEqual([{ roles: ['a'] }]);
  });

  test('a router definition of another shape (another tRPC major) is a config error, never a guessed listing', async () => {
    const real = t.router({ me: protectedProcedure.meta({ roles: ['admin'] }).query(() => 1) });
    const procedure = real._def.procedures.me;
    const withDef = (def: unknown) => ({ ...procedure, _def: def });
    const routers: unknown[] = [
      {},
      { _def: { procedures: { me: procedure } } },
      { _def: { ...real._def, procedures: { me: withDef({ ...procedure._def, middlewares: undefined }) } } },
      { _def: { ...real._def, procedures: { me: withDef({ ...procedure._def, type: 'action' }) } } },
      { _def: { ...real._def, procedures: { me: { meta: procedure.meta } } } },
    ];
    for (const router of routers) {
      const listing = listProcedures(router as typeof real);
      await expect(listing).rejects.toThrow(GatehouseConfigError);
      await expect(listing).rejects.toThrow(/@trpc\/server 11/);
    }
    await expect(listProcedures(real)).resolves.toMatchObject([{ path: 'me', access: 'restricted' }]);
  });
});
