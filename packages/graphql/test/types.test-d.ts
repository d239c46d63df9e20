import type { AuthUser } from '@gatehousejs/core';
import type { GraphQLAuthContext } from '@gatehousejs/graphql';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLObjectType, GraphQLString } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { expectTypeOf, test } from 'vitest';

declare const verifier: Parameters<typeof useGatehouse>[0]['verifier'];

test('useGatehouse is a yoga plugin that adds user to the context', () => {
  expectTypeOf(useGatehouse({ verifier })).toEqualTypeOf<Plugin<GraphQLAuthContext>>();
  expectTypeOf<GraphQLAuthContext['user']>().toEqualTypeOf<AuthUser | null>();
});

test('ctx.user is typed in resolvers', () => {
  makeExecutableSchema<GraphQLAuthContext>({
    typeDefs: 'type Query { me: String }',
    resolvers: {
      Query: {
        me: (_source, _args, ctx) => {
          expectTypeOf(ctx.user).toEqualTypeOf<AuthUser | null>();
          return ctx.user?.id ?? null;
        },
      },
    },
  });
});

test('code-first extensions take a typed requirement', () => {
  new GraphQLObjectType({
    name: 'Query',
    extensions: { auth: { roles: ['admin'] } },
    fields: {
      a: { type: GraphQLString, extensions: { auth: { permissions: ['reports:read'] } } },
      b: { type: GraphQLString, extensions: { public: true } },
      // @ts-expect-error a single string is not a list of names
      c: { type: GraphQLString, extensions: { auth: { roles: 'admin' } } },
      // @ts-expect-error public is `true` or absent
      d: { type: GraphQLString, extensions: { public: 'yes' } },
    },
  });
});
