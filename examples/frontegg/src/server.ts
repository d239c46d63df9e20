import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AuthenticatedRequest, type Verifier, withAuthentication } from '@gatehousejs/core';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => unknown;

/** Frontegg's `withAuthentication({ roles, permissions })`, on plain `node:http`. */
export function createFronteggServer(verifier: Verifier): Server {
  const routes: Record<string, [Handler, (req: AuthenticatedRequest, res: ServerResponse) => void]> = {
    '/api/me': [withAuthentication({ verifier }), (req, res) => json(res, 200, req.user)],
    '/api/admin': [withAuthentication({ verifier, roles: ['admin'] }), (_, res) => json(res, 200, { area: 'admin' })],
    '/api/reports': [
      withAuthentication({ verifier, permissions: ['reports:read'] }),
      (req, res) => json(res, 200, { tenantId: req.user.tenantId, reports: ['report-1'] }),
    ],
  };
  return createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (!route) return json(res, 404, { error: 'NOT_FOUND' });
    const [guard, handle] = route;
    guard(req, res, () => handle(req as AuthenticatedRequest, res));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
