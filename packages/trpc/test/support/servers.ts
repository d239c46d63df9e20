import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyTRPCRouter } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import express from 'express';
import { WebSocketServer } from 'ws';

export type AdapterName = 'fetch' | 'standalone' | 'express';
export const ADAPTERS: readonly AdapterName[] = ['fetch', 'standalone', 'express'];

// biome-ignore lint/suspicious/noExplicitAny: each adapter types createContext for its own request type
type AnyCreateContext = (opts: any) => any;

export interface RunningServer {
  /** The tRPC endpoint, e.g. http://127.0.0.1:1234/trpc */
  readonly url: string;
  /** The WebSocket endpoint (when started with `ws: true`). */
  readonly wsUrl: string;
  close(): Promise<void>;
}

/** Serves `router` at /trpc on 127.0.0.1 through one of tRPC's HTTP adapters, optionally with WebSockets. */
export async function startServer(
  adapter: AdapterName,
  router: AnyTRPCRouter,
  createContext: AnyCreateContext,
  options: { ws?: boolean; allowMethodOverride?: boolean } = {},
): Promise<RunningServer> {
  const server = createServer(listenerFor(adapter, router, createContext, options.allowMethodOverride ?? false));
  let wss: WebSocketServer | undefined;
  let wsHandler: ReturnType<typeof applyWSSHandler> | undefined;
  if (options.ws) {
    wss = new WebSocketServer({ server, path: '/ws' });
    wsHandler = applyWSSHandler({ wss, router, createContext });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    close: () => closeServer(server, wss, wsHandler),
  };
}

function listenerFor(
  adapter: AdapterName,
  router: AnyTRPCRouter,
  createContext: AnyCreateContext,
  allowMethodOverride: boolean,
) {
  switch (adapter) {
    case 'standalone': {
      const handler = createHTTPHandler({ router, createContext, basePath: '/trpc/', allowMethodOverride });
      return (req: IncomingMessage, res: ServerResponse) => handler(req, res);
    }
    case 'express': {
      const app = express();
      app.use('/trpc', createExpressMiddleware({ router, createContext, allowMethodOverride }));
      return app;
    }
    case 'fetch':
      return (req: IncomingMessage, res: ServerResponse) => {
        toRequest(req, res)
          .then((request) =>
            fetchRequestHandler({ endpoint: '/trpc', req: request, router, createContext, allowMethodOverride }),
          )
          .then((response) => writeResponse(response, res))
          .catch(() => {
            res.statusCode = 500;
            res.end();
          });
      };
  }
}

/** A minimal node:http → Fetch bridge, so that the fetch adapter is reached over real HTTP. */
async function toRequest(req: IncomingMessage, res: ServerResponse): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  const chunks: Buffer[] = [];
  if (req.method !== 'GET' && req.method !== 'HEAD') for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Request(`http://127.0.0.1${req.url}`, {
    method: req.method,
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    signal: controller.signal,
  });
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

async function closeServer(server: Server, wss?: WebSocketServer, wsHandler?: ReturnType<typeof applyWSSHandler>) {
  wsHandler?.broadcastReconnectNotification();
  if (wss) {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bind one, then close it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
