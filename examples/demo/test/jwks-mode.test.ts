import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Demo, startDemo } from '../src/demo.js';
import { expectedMatrix, observeMatrix, restCall, tokensFor } from './support/matrix.js';

const AUDIENCE = 'https://api.example.test';

let issuer: TestIssuer;
let demo: Demo;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE, algorithm: 'ES256' });
  demo = await startDemo({
    port: 0,
    env: { GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_ISSUER: issuer.issuer, GATEHOUSE_AUDIENCE: AUDIENCE },
  });
});

afterAll(async () => {
  await demo?.close();
  await issuer?.close();
});

test('boots in JWKS mode, with no dev issuer', async () => {
  expect(demo.mode).toBe('jwks');
  expect(await (await fetch(`${demo.url}/healthz`)).json()).toEqual({ status: 'ok', mode: 'jwks' });
  for (const path of ['/dev/token', '/dev/personas', '/.well-known/jwks.json']) {
    const response = await fetch(`${demo.url}${path}`, {
      method: path === '/dev/token' ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json' },
      body: path === '/dev/token' ? JSON.stringify({ roles: ['admin'] }) : undefined,
    });
    expect(response.status, path).toBe(404);
  }
});

test('the full matrix passes with tokens from the external issuer', async () => {
  const tokens = await tokensFor((claims) => issuer.sign({ ...claims }));
  expect(await observeMatrix(demo.url, tokens)).toEqual(expectedMatrix());
});

test('tokens with the wrong issuer, audience or key id are refused', async () => {
  const claims = { sub: 'a', roles: ['admin'] };
  expect((await restCall(demo.url, await issuer.sign(claims), 'GET', '/api/admin')).status).toBe(200);
  const wrongIssuer = await issuer.sign({ ...claims, iss: 'https://evil.example' });
  const wrongAudience = await issuer.sign({ ...claims, aud: 'another-api' });
  for (const token of [wrongIssuer, wrongAudience]) {
    expect((await restCall(demo.url, token, 'GET', '/api/admin')).status).toBe(401);
  }
  const unknownKey = await issuer.sign(claims, { header: { kid: 'unknown-kid' } });
  expect((await restCall(demo.url, unknownKey, 'GET', '/api/admin')).status).toBe(401);
});
