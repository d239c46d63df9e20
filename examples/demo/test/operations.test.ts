// The operator's view of the demo, run as a process: break the key source, the credentials or the
// audience, and the logs, the metrics and /readyz say so.
import { generateKeyPairSync } from 'node:crypto';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  buildDemo,
  closedPort,
  type DemoProcess,
  type LogLine,
  scrape,
  startDemoProcess,
  total,
} from './support/demo-process.js';
import { startFronteggGateway } from './support/frontegg-gateway.js';

const ERROR = 50;
const WARN = 40;
const DEBUG = 20;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(buildDemo, 120_000);
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function demo(env: Record<string, string>): Promise<DemoProcess> {
  const started = await startDemoProcess(env);
  cleanup.push(() => started.stop());
  return started;
}

const event = (name: string) => (line: LogLine) => line.event === name;

/** stdout holds JSON lines only. */
function expectJsonLines(process: DemoProcess): void {
  expect(process.logs.filter((line) => line.notJson)).toEqual([]);
  expect(process.logs.length).toBeGreaterThan(0);
}

describe('an operator who breaks', () => {
  test('the key source (a dead JWKS URL) sees an error line, 503 from /readyz and failed fetches', async () => {
    const port = await closedPort();
    const jwksUri = `http://127.0.0.1:${port}/.well-known/jwks.json`;
    const running = await demo({ GATEHOUSE_JWKS_URI: jwksUri, GATEHOUSE_AUDIENCE: 'api' });

    const down = await running.waitForLog(event('gatehouse.keys.unavailable'), 'a keys-unavailable line');
    expect(down).toMatchObject({ level: ERROR, source: 'jwks', url: jwksUri, reason: 'request failed: ECONNREFUSED' });
    expect(down.msg).toContain('ECONNREFUSED');

    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'KEYS_UNAVAILABLE' });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);

    const issuer = await createTestIssuer({ port: false, audience: 'api' });
    cleanup.push(() => issuer.close());
    const call = await fetch(`${running.url}/api/shift`, {
      headers: { authorization: `Bearer ${await issuer.sign()}` },
    });
    expect(call.status).toBe(503);

    const fetches = await scrape(running.url, 'gatehouse_keys_fetches_total');
    expect(total(fetches, { gatehouse_result: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(total(fetches, { gatehouse_result: 'ok' })).toBe(0);
    const decisions = await scrape(running.url, 'gatehouse_decisions_total');
    expect(total(decisions, { gatehouse_outcome: 'unavailable', gatehouse_reason: 'KEYS_UNAVAILABLE' })).toBe(1);

    // Once per change of state: the probes and the request above added no line.
    expect(running.logs.filter(event('gatehouse.keys.unavailable'))).toHaveLength(1);
    // Keys over plain http, with NODE_ENV unset: the startup warning says so.
    expect(running.logs.find(event('gatehouse.config.plain_http_keys'))).toMatchObject({ level: WARN, url: jwksUri });
    expectJsonLines(running);
  });

  test('the credentials (Frontegg refuses the API key) sees why, and never the key', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const gateway = await startFronteggGateway({
      clientId: 'client-1',
      apiKey: 'the-right-api-key',
      publicKeyPem: () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    cleanup.push(() => gateway.close());
    const running = await demo({
      FRONTEGG_CLIENT_ID: 'client-1',
      FRONTEGG_API_KEY: 'a-wrong-api-key',
      FRONTEGG_API_GATEWAY_URL: gateway.url,
    });

    const refused = await running.waitForLog(event('gatehouse.keys.refused'), 'a credentials-refused line');
    expect(refused).toMatchObject({
      level: ERROR,
      source: 'frontegg',
      reason: 'Frontegg refused the client id and API key',
    });
    expect(refused.msg).toContain('refused the credentials');

    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    const fetches = await scrape(running.url, 'gatehouse_keys_fetches_total');
    expect(total(fetches, { gatehouse_result: 'refused' })).toBeGreaterThanOrEqual(1);
    expect(running.stdout()).not.toContain('a-wrong-api-key');
    expect(running.stderr()).not.toContain('a-wrong-api-key');
    expectJsonLines(running);
  });

  test('the audience (a token for another API) sees the reason at debug and in the metrics', async () => {
    const issuer: TestIssuer = await createTestIssuer({ audience: 'another-api' });
    cleanup.push(() => issuer.close());
    const running = await demo({
      GATEHOUSE_JWKS_URI: issuer.jwksUri,
      GATEHOUSE_ISSUER: issuer.issuer,
      GATEHOUSE_AUDIENCE: 'api',
      LOG_LEVEL: 'debug',
    });
    await running.waitForLog(event('gatehouse.keys.loaded'), 'a keys-loaded line');
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);

    const token = await issuer.sign({ sub: 'user-1' });
    const call = await fetch(`${running.url}/api/shift`, { headers: { authorization: `Bearer ${token}` } });
    expect(call.status).toBe(401);

    const rejected = await running.waitForLog(
      (line) => line.event === 'gatehouse.decision' && line.outcome === 'rejected',
      'a rejected-decision line',
    );
    expect(rejected).toMatchObject({ level: DEBUG, code: 'UNAUTHENTICATED', reason: 'AUDIENCE_MISMATCH' });
    const decisions = await scrape(running.url, 'gatehouse_decisions_total');
    expect(total(decisions, { gatehouse_outcome: 'rejected', gatehouse_reason: 'AUDIENCE_MISMATCH' })).toBe(1);
    const target = await scrape(running.url, 'target_info');
    expect(total(target, { service_name: 'gatehouse-demo' })).toBe(1);
    expect(running.stdout()).not.toContain(token.split('.')[2]);
    expectJsonLines(running);
  });
});

test('LOG_LEVEL that pino does not know stops the demo with a clear message', async () => {
  await expect(startDemoProcess({ LOG_LEVEL: 'loud' })).rejects.toThrow(/LOG_LEVEL must be one of/);
});
