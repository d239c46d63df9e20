import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthenticatedRequest,
  isAuthError,
  type Requirement,
  sendAuthError,
  type Verifier,
  withAuthentication,
} from '@gatehousejs/core';
import { access } from './catalog.js';
import { readValidBody, sendJson, sendMethodNotAllowed } from './http.js';
import { revocationInput, uploadInput } from './inputs.js';
import { area, BILLING_SUMMARY, REPORTS, type Store } from './store.js';

type Handler = (req: AuthenticatedRequest, res: ServerResponse) => void | Promise<void>;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly requirement: Requirement;
  readonly handle: Handler;
}

/** The seed-style REST routes, each guarded by core's `withAuthentication`. */
function restRoutes(store: Store, verifier: Verifier): readonly Route[] {
  return [
    {
      method: 'GET',
      path: '/api/shift',
      requirement: access.me,
      handle: (req, res) => sendJson(res, 200, { area: 'shift', user: req.user.id }),
    },
    {
      method: 'GET',
      path: '/api/admin',
      requirement: access.admin,
      handle: (_, res) => sendJson(res, 200, area('admin')),
    },
    {
      method: 'GET',
      path: '/api/home',
      requirement: access.home,
      handle: (_, res) => sendJson(res, 200, area('home')),
    },
    {
      method: 'GET',
      path: '/api/reports',
      requirement: access.reports,
      handle: (_, res) => sendJson(res, 200, REPORTS),
    },
    {
      method: 'GET',
      path: '/api/billing',
      requirement: access.billing,
      handle: (_, res) => sendJson(res, 200, { billing: BILLING_SUMMARY }),
    },
    {
      method: 'POST',
      path: '/api/uploads',
      requirement: access.upload,
      async handle(req, res) {
        const input = await readValidBody(req, res, uploadInput, () => 'name must be a string of 1 to 100 characters');
        if (!input) return;
        sendJson(res, 201, store.createUpload(input.name));
      },
    },
    {
      method: 'POST',
      path: '/api/revocations',
      requirement: access.revoke,
      async handle(req, res) {
        const target = await readValidBody(
          req,
          res,
          revocationInput,
          () => 'expected exactly one of sub, jti, sid: a non-empty string',
          400,
        );
        if (!target) return;
        try {
          await verifier.revoke(target);
        } catch (error) {
          // The store cannot take it (503): the caller must retry; nothing was revoked.
          if (isAuthError(error)) return sendAuthError(res, error, verifier.realm);
          throw error;
        }
        res.statusCode = 204;
        res.setHeader('cache-control', 'no-store');
        res.end();
      },
    },
  ];
}

/**
 * A `node:http` handler for the REST routes; answers false for paths it does not serve. Authentication
 * runs before the method check and before the body is read: an anonymous caller learns nothing else.
 */
export function createRestHandler(verifier: Verifier, store: Store) {
  const routes = new Map(
    restRoutes(store, verifier).map((route) => [
      route.path,
      { ...route, guard: withAuthentication({ verifier, ...route.requirement }) },
    ]),
  );
  return async function handleRest(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const route = routes.get(path);
    if (!route) return false;
    let passed = false;
    await route.guard(req, res, () => {
      passed = true;
    });
    if (!passed) return true;
    if (req.method !== route.method) {
      sendMethodNotAllowed(res, route.method);
      return true;
    }
    await route.handle(req as AuthenticatedRequest, res);
    return true;
  };
}
