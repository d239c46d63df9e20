import { authDirective, type GraphQLAuthContext as GraphQLContext } from '@gatehousejs/graphql';
import { type AuthMeta, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { initTRPC } from '@trpc/server';

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);

export const appRouter = t.router({
  health: publicProcedure.query(() => 'ok'),
  admin: protectedProcedure.meta({ roles: ['admin'] }).query(() => ({ area: 'admin' })),
});

const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();

export const schema = authDirectiveTransformer(
  makeExecutableSchema<GraphQLContext>({
    typeDefs: [authDirectiveTypeDefs, 'type Query { health: String!, admin: String @auth(roles: ["admin"]) }'],
    resolvers: { Query: { health: () => 'ok', admin: () => 'admin area' } },
  }),
);
