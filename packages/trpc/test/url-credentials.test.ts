import { request as httpRequest } from 'node:http';
import { createVerifier, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { createGatehouseContext, type GatehouseContextOptions } from '@gatehousejs/trpc';
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, type TRPCLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppRouter, createAppRouter } from './support/app.js';
import { outcome } from './support/clients.js';
import { ADAPTERS, type AdapterName, type RunningServer, startServer } from './support/servers.js';

// tRPC reads `?connectionParams=` from the URL of every HTTP call. httpSubscriptionLink puts a
// token there because an EventSource cannot send headers; for anything else a token in the URL
// only ends up in access logs and proxies, so it is refused (400), never used.

let issuer: TestIssuer;
let verifier: Verifier;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
});
afterAll(() => issuer.close());

const everything = () => issuer.sign({ roles: ['admin'], permissions: ['uploadFile', 'billing:read'] });

interface UrlToken {
  params: Record<string, string>;
  /** How the query parameter is spelt in the URL (percent-encoded variants read the same). */
  name?: string;
}

/** A fetch that adds `connectionParams` to the URL of every call, as httpSubscriptionLink does for SSE. */
function withUrlToken({ params, name = 'connectionParams' }: UrlToken): typeof fetch {
  return (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const separator = url.includes('?') ? '&' : '?';
    return fetch(`${url}${separator}${name}=${encodeURIComponent(JSON.stringify(params))}`, init);
  };
}

function clientWithUrlToken(
  server: RunningServer,
  urlToken: UrlToken,
  options: { batch?: boolean; header?: string; methodOverride?: 'POST' } = {},
) {
  const linkOptions = {
    url: server.url,
    fetch: withUrlToken(urlToken),
    headers: () => (options.header ? { authorization: options.header } : {}),
    methodOverride: options.methodOverride,
  };
  const link = options.batch ? httpBatchLink(linkOptions) : httpLink(linkOptions);
  return createTRPCClient<AppRouter>({ links: [link] });
}

async function serve(adapter: AdapterName, options: GatehouseContextOptions = {}, allowMethodOverride = false) {
  const app = createAppRouter();
  const server = await startServer(adapter, app.router, createGatehouseContext(verifier, options), {
    allowMethodOverride,
  });
  return { server, state: app.state };
}

/** A raw HTTP request, so that headers a fetch client refuses to send (`Upgrade`) can be sent. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const urlParams = (params: Record<string, string>) => encodeURIComponent(JSON.stringify(params));

describe.each(ADAPTERS)('a token in the URL over the %s adapter', (adapter) => {
  let server: RunningServer;
  let state: ReturnType<typeof createAppRouter>['state'];
  beforeAll(async () => {
    ({ server, state } = await serve(adapter));
  });
  afterAll(() => server.close());

  test('queries and mutations (httpLink): BAD_REQUEST, the token is never used, nothing runs', async () => {
    const c = clientWithUrlToken(server, { params: { token: await everything() } });
    expect(await outcome(() => c.me.query())).toMatchObject({ ok: false, code: 'BAD_REQUEST', httpStatus: 400 });
    expect(await outcome(() => c.health.query())).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    const before = state.uploads;
    expect(await outcome(() => c.uploads.create.mutate({ name: 'x' }))).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
    });
    expect(state.uploads).toBe(before);
    expect(state.inputParses).toBe(0);
  });

  test('batched (httpBatchLink): every call of the batch is refused', async () => {
    const c = clientWithUrlToken(server, { params: { token: await everything() } }, { batch: true });
    const results = await Promise.all([
      outcome(() => c.me.query()),
      outcome(() => c.admin.query()),
      outcome(() => c.health.query()),
    ]);
    for (const result of results) expect(result).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    const before = state.uploads;
    const mutations = await Promise.all([
      outcome(() => c.uploads.create.mutate({ name: 'a' })),
      outcome(() => c.uploads.create.mutate({ name: 'b' })),
    ]);
    for (const result of mutations) expect(result).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(state.uploads).toBe(before);
  });

  test('with a valid Authorization header too: refused, not quietly resolved to the header', async () => {
    const token = await everything();
    const c = clientWithUrlToken(server, { params: { token } }, { header: `Bearer ${token}` });
    expect(await outcome(() => c.me.query())).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    // Another caller's header and the URL token: still never the URL token's identity.
    const other = await issuer.sign({ sub: 'other' });
    const mixed = clientWithUrlToken(server, { params: { token } }, { header: `Bearer ${other}` });
    expect(await outcome(() => mixed.me.query())).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });

  test('spelling variants: percent-encoded name, authorization in any case', async () => {
    const token = await everything();
    const variants: UrlToken[] = [
      { name: '%63onnectionParams', params: { token } },
      { name: 'connection%50arams', params: { token } },
      { params: { authorization: `Bearer ${token}` } },
      { params: { Authorization: `Bearer ${token}` } },
      { params: { AUTHORIZATION: `bearer ${token}` } },
      { params: { token, unrelated: 'x' } },
    ];
    for (const urlToken of variants) {
      const c = clientWithUrlToken(server, urlToken);
      expect(await outcome(() => c.me.query()), JSON.stringify(urlToken)).toMatchObject({
        ok: false,
        code: 'BAD_REQUEST',
      });
    }
  });

  test('params without credentials change nothing', async () => {
    const c = clientWithUrlToken(server, { params: { locale: 'en' } });
    expect(await outcome(() => c.health.query())).toEqual({ ok: true, data: 'ok' });
    expect(await outcome(() => c.me.query())).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
  });

  test('a batch mixing a subscription with a query or a mutation never uses the token', async () => {
    const params = urlParams({ token: await everything() });
    const before = state.uploads;
    const mutation = await raw(`${server.url}/ticks,uploads.create?batch=1&connectionParams=${params}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 0: null, 1: { name: 'x' } }),
    });
    expect(mutation.status).toBeGreaterThanOrEqual(400);
    expect(state.uploads).toBe(before);
    const query = await raw(`${server.url}/ticks,me?batch=1&connectionParams=${params}`);
    expect(query.status).toBeGreaterThanOrEqual(400);
    expect(query.text).not.toContain('test-user');
    const single = await raw(`${server.url}/ticks?batch=1&connectionParams=${params}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(single.status).toBeGreaterThanOrEqual(400);
    expect(single.text).not.toMatch(/data: *\{?"?0/);
  });

  test('SSE subscriptions (httpSubscriptionLink) still take it', async () => {
    const link = httpSubscriptionLink({
      url: server.url,
      EventSource,
      connectionParams: { token: await everything() },
    });
    const c = createTRPCClient<AppRouter>({ links: [link as TRPCLink<AppRouter>] });
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const seen: unknown[] = [];
      const subscription = c.adminTicks.subscribe(undefined, {
        onData(value) {
          seen.push(value);
          if (seen.length === 2) {
            subscription.unsubscribe();
            resolve(seen);
          }
        },
        onError: reject,
      });
    });
    expect(values).toEqual([0, 1]);
  });
});

describe.each(ADAPTERS)('method override over the %s adapter', (adapter) => {
  let server: RunningServer;
  beforeAll(async () => {
    ({ server } = await serve(adapter, {}, true));
  });
  afterAll(() => server.close());

  test('a query sent as POST with a token in the URL is refused', async () => {
    const c = clientWithUrlToken(server, { params: { token: await everything() } }, { methodOverride: 'POST' });
    expect(await outcome(() => c.me.query())).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    const batch = clientWithUrlToken(
      server,
      { params: { token: await everything() } },
      { batch: true, methodOverride: 'POST' },
    );
    expect(await outcome(() => batch.admin.query())).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});

describe.each(ADAPTERS)('connectionParams: "websocket" over the %s adapter', (adapter) => {
  let server: RunningServer;
  let state: ReturnType<typeof createAppRouter>['state'];
  beforeAll(async () => {
    ({ server, state } = await serve(adapter, { connectionParams: 'websocket' }));
  });
  afterAll(() => server.close());

  test('a plain request claiming `Upgrade: websocket` is no WebSocket: its URL token is refused', async () => {
    const token = await everything();
    for (const upgrade of ['websocket', 'WebSocket']) {
      const query = await raw(`${server.url}/me?connectionParams=${urlParams({ token })}`, { headers: { upgrade } });
      expect(query.status).toBe(400);
      expect(query.text).not.toContain('test-user');
    }
    const before = state.uploads;
    const mutation = await raw(`${server.url}/uploads.create?connectionParams=${urlParams({ token })}`, {
      method: 'POST',
      headers: { upgrade: 'websocket', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(mutation.status).toBe(400);
    expect(state.uploads).toBe(before);
  });
});
