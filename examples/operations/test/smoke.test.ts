import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createVerifier, type VerifierOptions } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createApp } from '../src/server.js';

let issuer: TestIssuer;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});
afterAll(() => issuer?.close());

/** The example's wiring, with its logs kept in memory. */
async function start(keys: Pick<VerifierOptions, 'jwksUri' | 'issuer'>) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [prometheus] });
  const verifier = createVerifier({
    ...keys,
    audience: 'api',
    logger: pino({ level: 'debug' }, stream),
    meterProvider,
  });
  const server: Server = createApp(verifier, (req, res) => prometheus.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await meterProvider.shutdown();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

test('ready once keys load; decisions from tRPC and GraphQL are logged and counted', async () => {
  const app = await start({ jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  const viewer = await issuer.sign({ sub: 'v-1', roles: ['viewer'] });
  const headers = { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' };
  expect((await fetch(`${app.url}/trpc/admin`, { headers })).status).toBe(403);
  const graphql = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: '{"query":"{ admin }"}' });
  expect(JSON.stringify(await graphql.json())).toContain('FORBIDDEN');

  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  expect(metrics).toMatch(
    /gatehouse_decisions_total\{gatehouse_outcome="forbidden",gatehouse_reason="ROLE_MISSING"[^}]*\} 2/,
  );
  expect(metrics).toContain('gatehouse_verify_duration_count');
  expect(app.lines).toContainEqual(expect.objectContaining({ event: 'gatehouse.keys.loaded' }));
  expect(app.lines.filter((line) => line.outcome === 'forbidden')).toHaveLength(2);
});

test('a dead key server: /readyz answers 503 and the log says why', async () => {
  const dead = await createTestIssuer();
  const jwksUri = dead.jwksUri;
  await dead.close();
  const app = await start({ jwksUri });
  const ready = await fetch(`${app.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(Number(ready.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(app.lines).toContainEqual(
    expect.objectContaining({ level: 50, event: 'gatehouse.keys.unavailable', reason: 'request failed: ECONNREFUSED' }),
  );
});
