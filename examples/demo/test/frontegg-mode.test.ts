import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Demo, startDemo } from '../src/demo.js';
import { type FronteggGateway, startFronteggGateway } from './support/frontegg-gateway.js';
import { expectedMatrix, observeMatrix, restCall, tokensFor } from './support/matrix.js';

const CLIENT_ID = 'demo-client-id';
const API_KEY = 'demo-api-key';

let issuer: TestIssuer;
let gateway: FronteggGateway;
let demo: Demo;

beforeAll(async () => {
  // Frontegg signs RS256 access tokens with one key, published as a PEM by its vendor API.
  issuer = await createTestIssuer({ issuer: 'https://app-demo.frontegg.com' });
  gateway = await startFronteggGateway({ clientId: CLIENT_ID, apiKey: API_KEY, publicKeyPem: issuer.publicKeyPem });
  demo = await startDemo({
    port: 0,
    env: { FRONTEGG_CLIENT_ID: CLIENT_ID, FRONTEGG_API_KEY: API_KEY, FRONTEGG_API_GATEWAY_URL: gateway.url },
  });
});

afterAll(async () => {
  await demo?.close();
  await gateway?.close();
  await issuer?.close();
});

test('boots in Frontegg mode, with no dev issuer', async () => {
  expect(demo.mode).toBe('frontegg');
  expect(await (await fetch(`${demo.url}/healthz`)).json()).toEqual({ status: 'ok', mode: 'frontegg' });
  const devToken = await fetch(`${demo.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(devToken.status).toBe(404);
  expect((await fetch(`${demo.url}/.well-known/jwks.json`)).status).toBe(404);
});

test('the full matrix passes with Frontegg-style tokens verified by the vendor API key', async () => {
  const tokens = await tokensFor((claims) => issuer.sign({ ...claims, type: 'userToken' }));
  expect(await observeMatrix(demo.url, tokens)).toEqual(expectedMatrix());
  expect(gateway.keyRequests).toBeGreaterThan(0);
});

test('a token signed with another key is refused', async () => {
  const other = await createTestIssuer({ issuer: 'https://app-demo.frontegg.com' });
  try {
    const forged = await other.sign({ sub: 'x', roles: ['admin'] });
    expect((await restCall(demo.url, forged, 'GET', '/api/admin')).status).toBe(401);
  } finally {
    await other.close();
  }
});

test('with a wrong API key no token passes: 503 with Retry-After', async () => {
  const broken = await startDemo({
    port: 0,
    env: { FRONTEGG_CLIENT_ID: CLIENT_ID, FRONTEGG_API_KEY: 'wrong', FRONTEGG_API_GATEWAY_URL: gateway.url },
  });
  try {
    const answer = await restCall(broken.url, await issuer.sign({ sub: 'a', roles: ['admin'] }), 'GET', '/api/admin');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(answer.data).toEqual({ error: 'KEYS_UNAVAILABLE', message: 'Authentication is temporarily unavailable' });
  } finally {
    await broken.close();
  }
});
