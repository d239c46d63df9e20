import type { AuthUser } from '@gatehousejs/core';
import { authDirective, type GraphQLAuthContext } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from 'graphql-yoga';

export const typeDefs = /* GraphQL */ `
  type Query {
    health: String!
    me: User @auth
    admin: Area @auth(roles: ["admin"])
    home: Area @auth(roles: ["admin", "read-only"])
    reports: [Report!]! @auth(permissions: ["reports:read", "reports:admin"])
    billing: String @auth(roles: ["admin"], permissions: ["billing:read"])
    uploadCount: Int!
    users: [User!]!
    node(id: ID!): Node
    search(term: String!): [SearchResult!]!
    secret: Secret
    vault: Vault
    named: [Named]!
    weak: String @auth(roles: ["read-only"])
    boom: String
  }

  type Mutation {
    uploadFile(name: String!): Upload! @auth(permissions: ["uploadFile"])
    purge: Int! @auth(roles: ["admin"])
    createSecret(value: String!): Secret
  }

  type Subscription {
    ticks: Tick! @auth
    adminTicks: Tick! @auth(roles: ["admin"])
  }

  type Tick {
    n: Int!
    secretNote: String @auth(roles: ["admin"])
  }

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

  interface Node {
    id: ID!
  }

  interface Named {
    name: String!
  }

  type User implements Node & Named {
    id: ID!
    name: String!
    email: String @auth(permissions: ["users:email"])
  }

  type Agent implements Named {
    name: String! @auth(roles: ["admin"])
    codename: String
  }

  type Secret implements Node @auth(roles: ["admin"]) {
    id: ID!
    value: String!
    weakField: String @auth(roles: ["read-only"])
  }

  type Vault {
    label: String!
    code: String! @auth(roles: ["admin"])
    pin: String @auth(roles: ["admin"])
  }

  union SearchResult = User | Secret
`;

interface Entity {
  __typename: 'User' | 'Secret' | 'Agent';
  id?: string;
  name?: string;
  email?: string;
  value?: string;
}

export const USERS: Entity[] = [
  { __typename: 'User', id: 'user-1', name: 'Ada', email: 'ada@example.com' },
  { __typename: 'User', id: 'user-2', name: 'Grace', email: 'grace@example.com' },
];
export const SECRET: Entity = { __typename: 'Secret', id: 'secret-1', value: 'the launch code' };

/** Counts every side effect and every resolver call, so tests can prove that nothing ran. */
export interface Effects {
  uploads: number;
  purges: number;
  secretsCreated: number;
  calls: string[];
}

export interface TestSchema {
  schema: GraphQLSchema;
  effects: Effects;
  pubsub: ReturnType<typeof createPubSub<{ tick: [{ n: number }] }>>;
}

export function buildTestSchema(options: Parameters<typeof authDirective>[0] = {}): TestSchema {
  const effects: Effects = { uploads: 0, purges: 0, secretsCreated: 0, calls: [] };
  const pubsub = createPubSub<{ tick: [{ n: number }] }>();
  const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective(options);
  const note = (name: string) => effects.calls.push(name);
  const traced = <T>(name: string, value: T): T => {
    note(name);
    return value;
  };
  const schema = makeExecutableSchema<GraphQLAuthContext>({
    typeDefs: [authDirectiveTypeDefs, typeDefs],
    resolvers: {
      Query: {
        health: () => 'ok',
        me: (_source, _args, ctx) => {
          note('me');
          const user = ctx.user as AuthUser;
          return { __typename: 'User', id: user.id, name: user.id, email: `${user.id}@example.com` };
        },
        admin: () => traced('admin', { area: 'admin' }),
        home: () => traced('home', { area: 'home' }),
        reports: () => traced('reports', [{ id: 'r1', title: 'Q1' }]),
        billing: () => traced('billing', 'billing'),
        uploadCount: () => effects.uploads,
        users: () => traced('users', USERS),
        node: (_s, { id }: { id: string }) => {
          note('node');
          return [...USERS, SECRET].find((e) => e.id === id) ?? null;
        },
        search: (_s, { term }: { term: string }) => {
          note('search');
          return [...USERS, SECRET].filter((e) => (e.name ?? e.id ?? '').toLowerCase().includes(term.toLowerCase()));
        },
        secret: () => traced('secret', SECRET),
        vault: () => traced('vault', { label: 'main', code: '1234', pin: '99' }),
        named: () => [USERS[0], { __typename: 'Agent', name: 'Bond', codename: '007' }],
        weak: () => 'weak',
        boom: () => {
          throw new Error('resolver exploded: not an auth problem');
        },
      },
      Mutation: {
        uploadFile: (_s, { name }: { name: string }) => {
          note('uploadFile');
          effects.uploads += 1;
          return { id: `upload-${effects.uploads}`, name };
        },
        purge: () => {
          note('purge');
          effects.purges += 1;
          return 0;
        },
        createSecret: (_s, { value }: { value: string }) => {
          note('createSecret');
          effects.secretsCreated += 1;
          return { ...SECRET, value };
        },
      },
      Subscription: {
        ticks: { subscribe: () => pubsub.subscribe('tick'), resolve: (tick: { n: number }) => tick },
        adminTicks: { subscribe: () => pubsub.subscribe('tick'), resolve: (tick: { n: number }) => tick },
      },
      Tick: { secretNote: () => 'for admins' },
      Node: { __resolveType: (value: Entity) => value.__typename },
      Named: { __resolveType: (value: Entity) => value.__typename },
      SearchResult: { __resolveType: (value: Entity) => value.__typename },
    },
  });
  return { schema: authDirectiveTransformer(schema), effects, pubsub };
}
