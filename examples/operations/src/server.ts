import { createServer, type Server } from 'node:http';
import { AuthError, type Verifier } from '@gatehousejs/core';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { createGatehouseContext } from '@gatehousejs/trpc';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createYoga } from 'graphql-yoga';
import { appRouter, schema } from './api.js';

/**
 * One verifier shared by tRPC (/trpc) and GraphQL (/graphql), and the three routes operators need:
 * `/healthz` (the process runs), `/readyz` (`verifier.ready()`: 503 while keys cannot be loaded) and
 * `/metrics` (whatever serves your metrics; here the Prometheus exporter's handler).
 */
export function createApp(verifier: Verifier, serveMetrics: Parameters<typeof createServer>[1]): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    createContext: createGatehouseContext(verifier),
    basePath: '/trpc/',
  });
  const yoga = createYoga({ schema, plugins: [useGatehouse({ verifier })], graphiql: false, logging: false });
  return createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return res.end('ok');
    if (path === '/readyz') {
      try {
        await verifier.ready();
        return res.end('ready');
      } catch (error) {
        res.statusCode = 503;
        res.setHeader('retry-after', String(error instanceof AuthError ? (error.retryAfter ?? 5) : 5));
        return res.end('keys unavailable');
      }
    }
    if (path === '/metrics') return serveMetrics?.(req, res);
    if (path?.startsWith('/trpc/')) return trpc(req, res);
    if (path === '/graphql') return yoga(req, res);
    res.statusCode = 404;
    res.end();
  });
}
