import { type Verifier, withAuthentication } from '@gatehousejs/core';
import { createGatehouseContext } from '@gatehousejs/trpc';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express from 'express';
import { appRouter } from './router.js';

/** tRPC under /trpc and a seed-style REST route, both verified by the same verifier. */
export function createApp(verifier: Verifier): express.Express {
  const app = express();
  app.use('/trpc', createExpressMiddleware({ router: appRouter, createContext: createGatehouseContext(verifier) }));
  app.get('/api/admin', withAuthentication({ verifier, roles: ['admin'] }), (req, res) => {
    res.json({ area: 'admin', user: req.user?.id });
  });
  return app;
}
