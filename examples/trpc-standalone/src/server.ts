import type { Server } from 'node:http';
import type { Verifier } from '@gatehousejs/core';
import { assertAccessDecisions, createGatehouseContext } from '@gatehousejs/trpc';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { appRouter } from './router.js';

/** Serves the router with tRPC's standalone adapter; every procedure's access is checked before listening. */
export async function startServer(verifier: Verifier, port: number): Promise<Server> {
  await assertAccessDecisions(appRouter);
  const server = createHTTPServer({ router: appRouter, createContext: createGatehouseContext(verifier) });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}
