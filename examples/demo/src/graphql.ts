import type { AuthUser } from '@gatehousejs/core';
import { authDirective, type GraphQLAuthContext } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError } from 'graphql';
import { catalog } from './catalog.js';
import { uploadInput } from './inputs.js';
import { area, BILLING_SUMMARY, findNode, type NodeRecord, REPORTS, type Store, search, USERS } from './store.js';

/** DESIGN.md's table in SDL: the same requirements as the tRPC meta and the REST routes. */
export const typeDefs = /* GraphQL */ `
  interface Node {
    id: ID!
  }

  type User implements Node {
    id: ID!
    name: String!
    email: String @auth(permissions: ["users:email"])
  }

  type Secret implements Node @auth(roles: ["admin"]) {
    id: ID!
    value: String!
  }

  union SearchResult = User | Secret

  type Area {
    area: String!
  }

  type Upload {
    id: ID!
    name: String!
  }

  type Report {
    id: ID!
    title: String!
  }

  type Query {
    health: String!
    me: User @auth
    admin: Area @auth(roles: ["admin"])
    home: Area @auth(roles: ["admin", "read-only"])
    reports: [Report!]! @auth(permissions: ["reports:read", "reports:admin"])
    billing: String @auth(roles: ["admin"], permissions: ["billing:read"])
    "Uploads created since the server started, to show that a denied upload changed nothing."
    uploadCount: Int!
    users: [User!]!
    node(id: ID!): Node
    search(term: String!): [SearchResult!]!
  }

  type Mutation {
    uploadFile(name: String!): Upload! @auth(permissions: ["uploadFile"])
  }
`;

/** What the demo's resolvers find in the GraphQL context, besides the verified user. */
export interface DemoGraphQLContext extends GraphQLAuthContext {
  store: Store;
}

const byKind = (record: NodeRecord) => record.kind;

export const resolvers = {
  Query: {
    health: () => 'ok',
    me: (_: unknown, __: unknown, ctx: DemoGraphQLContext) => {
      const user = ctx.user as AuthUser;
      const claim = (name: string) => (typeof user.claims[name] === 'string' ? (user.claims[name] as string) : null);
      return { id: user.id, name: claim('name') ?? user.id, email: claim('email') };
    },
    admin: () => area('admin'),
    home: () => area('home'),
    reports: () => REPORTS,
    billing: () => BILLING_SUMMARY,
    uploadCount: (_: unknown, __: unknown, ctx: DemoGraphQLContext) => ctx.store.uploadCount(),
    users: () => USERS,
    node: (_: unknown, args: { id: string }) => findNode(args.id),
    search: (_: unknown, args: { term: string }) => search(args.term),
  },
  Mutation: {
    uploadFile: (_: unknown, args: { name: string }, ctx: DemoGraphQLContext) => {
      const input = uploadInput.safeParse(args);
      if (!input.success) {
        throw new GraphQLError('name must be a string of 1 to 100 characters', {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      return ctx.store.createUpload(input.data.name);
    },
  },
  Node: { __resolveType: byKind },
  SearchResult: { __resolveType: byKind },
};

// With the catalog, a misspelt role or permission in the SDL fails at schema build.
const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective({ catalog });

/** The demo's schema with `@auth` applied; resolvers read the store from the context. */
export const schema = authDirectiveTransformer(
  makeExecutableSchema({ typeDefs: [authDirectiveTypeDefs, typeDefs], resolvers }),
);
