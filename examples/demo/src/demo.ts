import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  backchannelLogout,
  type Env,
  GatehouseConfigError,
  type Logger as GatehouseLogger,
  type Verifier,
  verifierFromEnv,
} from '@gatehousejs/core';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { storeFromEnv } from '@gatehousejs/redis';
import { assertAccessDecisions, createGatehouseContext } from '@gatehousejs/trpc';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createYoga } from 'graphql-yoga';
import { createDevIssuer, type DevIssuer } from './dev-issuer.js';
import { graphiqlOptions, renderGraphiQL, serveGraphiQLAsset } from './graphiql.js';
import { type DemoGraphQLContext, schema } from './graphql.js';
import { pathOf, sendJson, sendMethodNotAllowed, sendNotFound } from './http.js';
import { type KeyMode, keyModeFromEnv } from './key-mode.js';
import { demoLogger, demoMetrics } from './observability.js';
import { servePage } from './page.js';
import { PERSONAS } from './personas.js';
import { createRestHandler } from './rest.js';
import { createStore } from './store.js';
import { createAppRouter } from './trpc.js';

export const DEFAULT_HOST = '127.0.0.1';

export interface DemoOptions {
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /**
   * The interface to listen on. Default `127.0.0.1`: in embedded mode `/dev/token` mints a token
   * with any role for whoever asks, so the demo is not reachable from other machines unless asked.
   */
  host?: string;
  /** Where the key configuration is read from. Default `process.env`. */
  env?: Env;
  /** Where logs go. Default: JSON lines on stdout at `LOG_LEVEL` (default `info`). */
  logger?: GatehouseLogger;
}

export interface Demo {
  /** Where the demo answers, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  readonly port: number;
  /** The address it listens on, e.g. `127.0.0.1`, or `0.0.0.0` / `::` for every interface. */
  readonly host: string;
  readonly mode: KeyMode;
  readonly verifier: Verifier;
  /** The embedded issuer, in embedded mode only. */
  readonly devIssuer?: DevIssuer;
  close(): Promise<void>;
}

/**
 * Starts the demo: tRPC at /trpc, GraphQL at /graphql, REST under /api, the page at /, GET /healthz.
 * A bad key configuration throws (GatehouseConfigError) before anything listens.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const env = options.env ?? process.env;
  const mode = keyModeFromEnv(env);
  const logger = options.logger ?? demoLogger(env);
  const logoutAudience = csv(env.GATEHOUSE_LOGOUT_AUDIENCE, 'GATEHOUSE_LOGOUT_AUDIENCE');
  const metrics = demoMetrics(env);
  // GATEHOUSE_REDIS_URL: revocations shared by every demo process on that Redis; otherwise in memory.
  const stateStore = storeFromEnv(env);
  /** What start-up opened, closed again when a later step fails (a Redis client keeps reconnecting). */
  const failed = async (error: unknown): Promise<never> => {
    await stateStore?.close();
    await metrics.shutdown();
    throw error;
  };
  const operations = { logger, meterProvider: metrics.meterProvider, store: stateStore };
  let envVerifier: Verifier | undefined;
  try {
    envVerifier = mode === 'embedded' ? undefined : verifierFromEnv(env, operations);
  } catch (error) {
    await failed(error);
  }

  const store = createStore();
  const router = createAppRouter(store);
  // Every procedure must have made an access decision before anything listens.
  await assertAccessDecisions(router).catch(failed);

  let app: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const server = createServer((req, res) => {
    // Requests that arrive while the issuer's keys are being made wait for them.
    const run = app ? app(req, res) : ready.then(() => (app as NonNullable<typeof app>)(req, res));
    run.catch((error: unknown) => {
      logger.error({ event: 'demo.unexpected_error', error: String(error) }, 'demo: unexpected error');
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(failed);
  const { port, address: host } = server.address() as AddressInfo;
  const local = `http://${loopbackHost(host)}:${port}`;

  let devIssuer: DevIssuer | undefined;
  try {
    devIssuer = mode === 'embedded' ? await createDevIssuer(`http://localhost:${port}`, local, operations) : undefined;
  } catch (error) {
    await closeServer(server);
    await failed(error);
  }
  const verifier = (devIssuer?.verifier ?? envVerifier) as Verifier;

  const handleTrpc = createHTTPHandler({
    router,
    createContext: createGatehouseContext(verifier),
    basePath: '/trpc/',
  });
  const yoga = createYoga<DemoGraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    plugins: [useGatehouse({ verifier })],
    context: { store },
    landingPage: false,
    graphiql: (request) => graphiqlOptions(request, devIssuer),
    renderGraphiQL,
    logging: false,
    // Unexpected errors stay masked, with no stack, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
  });
  const handleRest = createRestHandler(verifier, store);
  const handleLogout = logoutHandler(verifier, logoutAudience);

  app = async (req, res) => {
    const path = pathOf(req);
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok', mode });
    if (path === '/readyz') return sendReadiness(res, verifier);
    if (path === '/metrics') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, 'GET');
      return metrics.serve(req, res);
    }
    if (await serveGraphiQLAsset(req, res, path)) return;
    if (path === '/trpc' || path.startsWith('/trpc/')) return handleTrpc(req, res);
    if (path === '/graphql') return yoga.requestListener(req, res);
    if (await handleRest(req, res, path)) return;
    if (path === '/backchannel-logout' && handleLogout) return handleLogout(req, res);
    if (devIssuer) {
      if (devIssuer.serveKeys(req, res)) return;
      if (path === '/dev/token') {
        if (req.method !== 'POST') return sendMethodNotAllowed(res, 'POST');
        return devIssuer.handleTokenRequest(req, res);
      }
      if (path === '/dev/personas') return sendJson(res, 200, PERSONAS);
    }
    if (await servePage(req, res, path)) return;
    sendNotFound(res);
  };
  markReady();
  // Load the keys now: a broken key source shows in the logs at start, not at the first request.
  verifier.ready().catch(() => {});

  return {
    url: local,
    port,
    host,
    mode,
    verifier,
    devIssuer,
    async close() {
      await closeServer(server);
      await devIssuer?.issuer.close();
      await yoga.dispose?.();
      await metrics.shutdown();
      await stateStore?.close();
    },
  };
}

/** 200 once every check passes; 503 (with `Retry-After`) while one fails, so a load balancer holds traffic back. */
/** `GET /readyz`: 200 once the verifier's keys (and its state store) are ready, 503 with the reason while not. */
async function sendReadiness(res: ServerResponse, verifier: Verifier): Promise<void> {
  const ready = await verifier.ready().then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, reason: (error as { reason?: unknown } | null)?.reason }),
  );
  if (ready.ok) return sendJson(res, 200, { status: 'ready' });
  const { reason } = ready;
  sendJson(
    res,
    503,
    { status: 'unavailable', reason: typeof reason === 'string' ? reason : 'UNAVAILABLE' },
    { 'retry-after': '5' },
  );
}

/**
 * `POST /backchannel-logout`: logout tokens must name `GATEHOUSE_LOGOUT_AUDIENCE` (the client id at the
 * provider), or else one of the verifier's audiences. Without any (Frontegg mode), there is no endpoint.
 */
function logoutHandler(verifier: Verifier, audience: string[] | undefined) {
  try {
    return backchannelLogout(verifier, audience ? { audience } : {});
  } catch (error) {
    if (audience === undefined && error instanceof GatehouseConfigError) return undefined;
    throw error;
  }
}

/** A comma-separated list; unset is undefined, and set but blank is an error naming the variable (as in core). */
function csv(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new GatehouseConfigError(`${name} is set but blank`);
  return parts;
}

function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
