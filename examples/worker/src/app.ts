import type { Verifier } from '@gatehousejs/core';
import { authDirective } from '@gatehousejs/graphql';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { type AuthMeta, createGatehouseContext, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createSchema, createYoga } from 'graphql-yoga';

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

// The same three operations as the GraphQL schema below: public, any caller with a token, admins.
export const appRouter = t.router({
  health: publicProcedure.query(() => 'ok'),
  me: protectedProcedure.query(({ ctx }) => ctx.user.id),
  admin: protectedProcedure.meta({ roles: ['admin'] }).query(() => 'admin area'),
});
export type AppRouter = typeof appRouter;

const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();
const schema = authDirectiveTransformer(
  createSchema<{ user?: { id: string } | null }>({
    typeDefs: [
      authDirectiveTypeDefs,
      /* GraphQL */ `
        type Query {
          health: String!
          me: String @auth
          admin: String @auth(roles: ["admin"])
        }
      `,
    ],
    resolvers: {
      Query: {
        health: () => 'ok',
        me: (_parent, _args, ctx) => ctx.user?.id ?? null,
        admin: () => 'admin area',
      },
    },
  }),
);

/**
 * tRPC (fetch adapter) at `/trpc` and GraphQL (yoga) at `/graphql`, both guarded by one verifier:
 * a plain `Request → Response` function, so the same app runs on Workers, Bun, Deno and Node.
 */
export function createApp(verifier: Verifier): (request: Request) => Promise<Response> {
  const createContext = createGatehouseContext(verifier);
  const yoga = createYoga({
    schema,
    plugins: [useGatehouse({ verifier })],
    graphqlEndpoint: '/graphql',
    graphiql: false,
    logging: false,
  });
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/trpc/')) {
      return fetchRequestHandler({ endpoint: '/trpc', req: request, router: appRouter, createContext });
    }
    if (pathname === '/graphql') return yoga.fetch(request);
    return new Response('not found', { status: 404 });
  };
}
