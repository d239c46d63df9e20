import { authDirective, type GraphQLAuthContext } from '@gatehousejs/graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';

const typeDefs = /* GraphQL */ `
  type Query {
    stock(sku: ID!): Int!
    "Both conditions: the admin role and the prices:read permission."
    costPrice(sku: ID!): Float @auth(roles: ["admin"], permissions: ["prices:read"])
  }

  type Mutation {
    restock(sku: ID!, quantity: Int!): Int! @auth(permissions: ["inventory:write"])
  }
`;

/** An in-memory inventory; `restocks` counts resolver runs, to show that denied mutations never run. */
export function createInventory() {
  const stock = new Map([['sku-1', 3]]);
  let restocks = 0;
  const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();
  const schema = authDirectiveTransformer(
    makeExecutableSchema<GraphQLAuthContext>({
      typeDefs: [authDirectiveTypeDefs, typeDefs],
      resolvers: {
        Query: {
          stock: (_, args: { sku: string }) => stock.get(args.sku) ?? 0,
          costPrice: () => 12.5,
        },
        Mutation: {
          restock: (_, args: { sku: string; quantity: number }) => {
            restocks++;
            const total = (stock.get(args.sku) ?? 0) + args.quantity;
            stock.set(args.sku, total);
            return total;
          },
        },
      },
    }),
  );
  return { schema, restocks: () => restocks };
}
