import { createServer, type Server } from 'node:http';
import type { Verifier } from '@gatehousejs/core';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { createYoga } from 'graphql-yoga';
import { schema } from './schema.js';

/** graphql-yoga with Gatehouse: the verified caller is `ctx.user`; denied operations never execute. */
export function createGraphQLServer(verifier: Verifier): Server {
  const yoga = createYoga({ schema, plugins: [useGatehouse({ verifier })], graphiql: false, logging: false });
  return createServer(yoga);
}
