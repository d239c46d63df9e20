import { authDirective, type GraphQLAuthContext } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';

const typeDefs = /* GraphQL */ `
  type Query {
    health: String!
    me: Me @auth
    reports: [String!]! @auth(permissions: ["reports:read", "reports:admin"])
    auditLog: [AuditEntry!]!
  }

  type Mutation {
    publish(title: String!): String! @auth(roles: ["editor"])
  }

  type Me {
    id: ID!
    tenantId: String
  }

  "Admins only, wherever it is reached."
  type AuditEntry @auth(roles: ["admin"]) {
    id: ID!
    action: String!
  }
`;

const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();

export const schema = authDirectiveTransformer(
  makeExecutableSchema<GraphQLAuthContext>({
    typeDefs: [authDirectiveTypeDefs, typeDefs],
    resolvers: {
      Query: {
        health: () => 'ok',
        me: (_, __, ctx) => ({ id: ctx.user?.id, tenantId: ctx.user?.tenantId ?? null }),
        reports: () => ['Quarterly revenue'],
        auditLog: () => [{ id: 'a-1', action: 'login' }],
      },
      Mutation: { publish: (_, args: { title: string }) => `published: ${args.title}` },
    },
  }),
);
