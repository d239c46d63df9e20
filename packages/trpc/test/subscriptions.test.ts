import { createVerifier, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext, type GatehouseContextOptions } from '@gatehousejs/trpc';
import {
  createTRPCClient,
  createWSClient,
  httpSubscriptionLink,
  TRPCClientError,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type AppRouter, createAppRouter } from './support/app.js';
import { type RunningServer, startServer } from './support/servers.js';

interface Run {
  values: unknown[];
  error?: { code?: string; message: string };
  completed: boolean;
}

type Subscribe = (handlers: { onData(value: unknown): void; onError(error: unknown): void; onComplete(): void }) => {
  unsubscribe(): void;
};

/** Runs a subscription until it errors or completes, or until `enough` values came. */
function run(subscribe: Subscribe, enough = Number.POSITIVE_INFINITY): Promise<Run> {
  return new Promise((resolve) => {
    const result: Run = { values: [], completed: false };
    const subscription = subscribe({
      onData(value) {
        result.values.push(value);
        if (result.values.length >= enough) {
          subscription.unsubscribe();
          resolve(result);
        }
      },
      onError(error) {
        const data = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined) : undefined;
        result.error = { code: data?.code, message: (error as Error).message };
        resolve(result);
      },
      onComplete() {
        result.completed = true;
        resolve(result);
      },
    });
  });
}

let issuer: TestIssuer;
let verifier: Verifier;
const cleanups: (() => void | Promise<void>)[] = [];
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  // No clock tolerance, so that a token that expires ends its subscription promptly.
  verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer, clockTolerance: 0 });
});
afterAll(() => issuer.close());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(options: GatehouseContextOptions = {}, by: Verifier = verifier): Promise<RunningServer> {
  const server = await startServer('standalone', createAppRouter().router, createGatehouseContext(by, options), {
    ws: true,
  });
  cleanups.push(() => server.close());
  return server;
}

function sseClient(server: RunningServer, how: { header?: string; params?: Record<string, string> }) {
  const link = httpSubscriptionLink({
    url: server.url,
    EventSource,
    connectionParams: how.params,
    eventSourceOptions: {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...init?.headers, ...(how.header ? { authorization: how.header } : {}) },
        }),
    },
  });
  return createTRPCClient<AppRouter>({ links: [link as TRPCLink<AppRouter>] });
}

function wsClient(server: RunningServer, params?: Record<string, string>) {
  const ws = createWSClient({
    url: server.wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: params ?? null,
  });
  cleanups.push(() => ws.close());
  return createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
}

type Client = ReturnType<typeof wsClient>;
const ticks =
  (c: Client): Subscribe =>
  (h) =>
    c.ticks.subscribe(undefined, h);
const adminTicks =
  (c: Client): Subscribe =>
  (h) =>
    c.adminTicks.subscribe(undefined, h);

const TOLERANCE = 30;

/**
 * A token whose raw `exp` is 10 s past, which a verifier with a 30 s clock tolerance still accepts
 * for 20 s, and that verifier, its clock moved `ahead` (ms) of the real one.
 */
async function pastRawExpiry() {
  const token = await issuer.sign({}, { expiresIn: -10 });
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number };
  const clock = { ahead: 0 };
  const clocked = createVerifier({
    audience: 'api',
    jwksUri: issuer.jwksUri,
    issuer: issuer.issuer,
    clockTolerance: TOLERANCE,
    now: () => Date.now() + clock.ahead,
  });
  /** Moves the verifier's clock to `ms` before the token stops being accepted. */
  const before = (ms: number) => {
    clock.ahead = (exp + TOLERANCE) * 1000 - ms - Date.now();
  };
  return { token, verifier: clocked, before };
}

describe('SSE subscriptions (httpSubscriptionLink)', () => {
  test('authorized with the Authorization header', async () => {
    const server = await serve();
    const token = await issuer.sign({ roles: ['admin'] });
    const result = await run(adminTicks(sseClient(server, { header: `Bearer ${token}` })), 3);
    expect(result.values).toEqual([0, 1, 2]);
  });

  test('authorized with connectionParams { token }', async () => {
    const server = await serve();
    const token = await issuer.sign({ roles: ['admin'] });
    const result = await run(adminTicks(sseClient(server, { params: { token } })), 2);
    expect(result.values).toEqual([0, 1]);
  });

  test('anonymous: UNAUTHORIZED; lacking the role: FORBIDDEN; no events either way', async () => {
    const server = await serve();
    const anonymous = await run(ticks(sseClient(server, {})));
    expect(anonymous).toMatchObject({ values: [], error: { code: 'UNAUTHORIZED' } });
    const token = await issuer.sign({ roles: ['read-only'] });
    const forbidden = await run(adminTicks(sseClient(server, { header: `Bearer ${token}` })));
    expect(forbidden).toMatchObject({ values: [], error: { code: 'FORBIDDEN' } });
  });

  test('an expired token: UNAUTHORIZED', async () => {
    const server = await serve();
    const token = await issuer.sign({}, { expiresIn: -10 });
    expect(await run(ticks(sseClient(server, { header: `Bearer ${token}` })))).toMatchObject({
      values: [],
      error: { code: 'UNAUTHORIZED' },
    });
  });

  test('past its raw exp, within the clock tolerance, a subscription runs', async () => {
    const expiring = await pastRawExpiry();
    const server = await serve({}, expiring.verifier);
    const result = await run(ticks(sseClient(server, { header: `Bearer ${expiring.token}` })), 2);
    expect(result.values).toEqual([0, 1]);
  });

  test('a running subscription ends with UNAUTHORIZED at exp plus the clock tolerance, on the verifier clock', async () => {
    const expiring = await pastRawExpiry();
    const server = await serve({}, expiring.verifier);
    expiring.before(300);
    const result = await run(ticks(sseClient(server, { header: `Bearer ${expiring.token}` })));
    expect(result.error?.code).toBe('UNAUTHORIZED');
  });

  test('with connectionParams: "websocket", a token in the SSE URL is refused, not ignored', async () => {
    const server = await serve({ connectionParams: 'websocket' });
    const token = await issuer.sign({ roles: ['admin'] });
    const result = await run(ticks(sseClient(server, { params: { token } })));
    expect(result.error?.code).toBe('BAD_REQUEST');
    const overWs = await run(ticks(wsClient(server, { token })), 1);
    expect(overWs.values).toEqual([0]);
  });
});

describe('WebSocket subscriptions and calls (wsLink)', () => {
  test('authorized with connectionParams { token } or { authorization }', async () => {
    const server = await serve();
    const token = await issuer.sign({ sub: 'ws-user', roles: ['admin'] });
    expect((await run(adminTicks(wsClient(server, { token })), 2)).values).toEqual([0, 1]);
    const c = wsClient(server, { authorization: `Bearer ${token}` });
    expect((await run(adminTicks(c), 1)).values).toEqual([0]);
    expect(await c.me.query()).toMatchObject({ id: 'ws-user' });
    expect(await c.whoami.query()).toBe('ws-user');
  });

  test('anonymous: UNAUTHORIZED for protected calls, public ones answer', async () => {
    const server = await serve();
    const c = wsClient(server);
    expect(await run(ticks(c))).toMatchObject({ values: [], error: { code: 'UNAUTHORIZED' } });
    expect(await c.health.query()).toBe('ok');
    await expect(c.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  test('lacking the role: FORBIDDEN', async () => {
    const server = await serve();
    const token = await issuer.sign({ roles: ['read-only'] });
    expect(await run(adminTicks(wsClient(server, { token })))).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  test('an invalid token fails every call, public ones included', async () => {
    const server = await serve();
    const c = wsClient(server, { token: await issuer.sign({}, { expiresIn: -10 }) });
    await expect(c.health.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(await run(ticks(c))).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  test('two credentials (token and authorization) are refused', async () => {
    const server = await serve();
    const token = await issuer.sign({});
    const c = wsClient(server, { token, authorization: `Bearer ${token}` });
    await expect(c.me.query()).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  test('connectionParams: "never" refuses a token there', async () => {
    const server = await serve({ connectionParams: 'never' });
    const c = wsClient(server, { token: await issuer.sign({}) });
    await expect(c.me.query()).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  test('a token revoked while its connection is open is refused on the next call over that connection', async () => {
    const revoking = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    const server = await serve({}, revoking);
    const token = await issuer.sign({ sub: 'ws-revoked', roles: ['admin'] });
    const c = wsClient(server, { token });
    expect(await c.me.query()).toMatchObject({ id: 'ws-revoked' });
    expect(await c.admin.query()).toEqual({ area: 'admin' });
    await revoking.revoke({ sub: 'ws-revoked' });
    await expect(c.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(c.admin.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    // The revocation is the token's, not the connection's: another caller's connection still works.
    const other = await issuer.sign({ sub: 'ws-other' });
    expect(await wsClient(server, { token: other }).me.query()).toMatchObject({ id: 'ws-other' });
  });

  test('a running subscription ends with UNAUTHORIZED when its token expires; so do later calls', async () => {
    const expiring = await pastRawExpiry();
    const server = await serve({}, expiring.verifier);
    const c = wsClient(server, { token: expiring.token });
    expect(await c.me.query()).toMatchObject({ id: 'test-user' });
    expiring.before(300);
    const result = await run(ticks(c));
    expect(result.error?.code).toBe('UNAUTHORIZED');
    await expect(c.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});
