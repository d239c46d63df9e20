import { createVerifier, memoryStore, type StateStore, type Verifier, verifierFromEnv } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type FronteggGateway, manualClock, startFronteggGateway } from './keys-servers.js';
import { rejection } from './verifier-fixtures.js';

const CLIENT_ID = 'c0ffee00-1111-2222-3333-444455556666';
const API_KEY = 'sk-live-0123456789abcdef-very-secret';

let issuer: TestIssuer;
let stranger: TestIssuer;
const gateways: FronteggGateway[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false });
  stranger = await createTestIssuer({ port: false });
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});
afterAll(async () => {
  await issuer.close();
  await stranger.close();
});

async function gateway(): Promise<FronteggGateway> {
  const g = await startFronteggGateway({
    clientId: CLIENT_ID,
    apiKey: API_KEY,
    publicKeyPem: () => issuer.publicKeyPem(),
  });
  g.accessTokens.set('tenants/tat-1', {
    id: 'tat-1',
    tenantId: 'tenant-1',
    roles: ['read-only'],
    permissions: ['reports:read'],
  });
  g.accessTokens.set('users/uat-1', {
    id: 'uat-1',
    tenantId: 'tenant-1',
    userId: 'user-42',
    roles: ['admin'],
    permissions: ['billing:read'],
  });
  gateways.push(g);
  return g;
}

function fronteggVerifier(
  g: FronteggGateway,
  options: { now?: () => number; store?: StateStore; timeout?: number } = {},
) {
  return createVerifier({
    frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
    now: options.now,
    store: options.store,
    keySet: options.timeout === undefined ? undefined : { timeout: options.timeout },
  });
}

/** An access token as Frontegg issues it: its roles and permissions are placeholders. */
const accessToken = (type: 'tenantAccessToken' | 'userAccessToken', sub: string, extra: Record<string, unknown> = {}) =>
  issuer.sign({ sub, type, tenantId: 'tenant-1', roles: ['admin'], permissions: ['everything'], ...extra });

const withApiKey = (token: string) => ({ 'x-api-key': token });

describe('Frontegg access tokens (x-api-key)', () => {
  test('a tenant access token: id is its sub; roles and permissions come from Frontegg, not the token', async () => {
    const g = await gateway();
    const verifier = fronteggVerifier(g);
    const user = await verifier.authenticate(withApiKey(await accessToken('tenantAccessToken', 'tat-1')));
    expect(user).toMatchObject({
      id: 'tat-1',
      roles: ['read-only'],
      permissions: ['reports:read'],
      tenantId: 'tenant-1',
      type: 'tenantAccessToken',
    });
    expect(Object.isFrozen(user)).toBe(true);
    expect(g.accessTokenCalls).toEqual(['tenants/tat-1']);
    // From the cached answer too, the lists cannot be changed by one request for the next.
    const again = await verifier.authenticate(withApiKey(await accessToken('tenantAccessToken', 'tat-1')));
    expect(g.accessTokenCalls).toEqual(['tenants/tat-1']);
    expect(again).toMatchObject({ id: 'tat-1', roles: ['read-only'] });
    for (const list of [user!.roles, user!.permissions, again!.roles, again!.permissions]) {
      expect(Object.isFrozen(list)).toBe(true);
    }
    expect(() => (again!.roles as string[]).push('admin')).toThrow(TypeError);
  });

  test('a user access token: id is the userId Frontegg answers', async () => {
    const g = await gateway();
    const user = await fronteggVerifier(g).authenticate(withApiKey(await accessToken('userAccessToken', 'uat-1')));
    expect(user).toMatchObject({
      id: 'user-42',
      roles: ['admin'],
      permissions: ['billing:read'],
      type: 'userAccessToken',
    });
    expect(g.accessTokenCalls).toEqual(['users/uat-1']);
  });

  test('the answer is used for 10 seconds, then Frontegg is asked again', async () => {
    const g = await gateway();
    const clock = manualClock();
    const verifier = fronteggVerifier(g, { now: clock.now });
    const token = await accessToken('tenantAccessToken', 'tat-1');
    await verifier.authenticate(withApiKey(token));
    clock.advance(9);
    await verifier.authenticate(withApiKey(token));
    expect(g.accessTokenCalls).toHaveLength(1);
    clock.advance(2);
    await verifier.authenticate(withApiKey(token));
    expect(g.accessTokenCalls).toHaveLength(2);
  });

  test('a deleted token (404) is refused as revoked, at the latest once the cached answer lapses', async () => {
    const g = await gateway();
    const clock = manualClock();
    const verifier = fronteggVerifier(g, { now: clock.now });
    const token = await accessToken('tenantAccessToken', 'tat-1');
    await verifier.authenticate(withApiKey(token));
    g.accessTokens.delete('tenants/tat-1');
    clock.advance(11);
    const error = await rejection(verifier.authenticate(withApiKey(token)));
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    const unknown = await rejection(verifier.authenticate(withApiKey(await accessToken('userAccessToken', 'nope'))));
    expect(unknown).toMatchObject({ status: 401, reason: 'TOKEN_REVOKED' });
  });

  test('verifiers sharing a store share the answers', async () => {
    const g = await gateway();
    const store = memoryStore();
    const token = await accessToken('userAccessToken', 'uat-1');
    await fronteggVerifier(g, { store }).authenticate(withApiKey(token));
    await fronteggVerifier(g, { store }).authenticate(withApiKey(token));
    expect(g.accessTokenCalls).toHaveLength(1);
  });

  test.each([500, 502, 403])('Frontegg answering %i: 503, fail closed', async (status) => {
    const g = await gateway();
    const verifier = fronteggVerifier(g);
    const token = await accessToken('tenantAccessToken', 'tat-1');
    await verifier.authenticate({ authorization: `Bearer ${await issuer.sign({ sub: 'warm-up' })}` });
    g.failWith(status);
    const error = await rejection(verifier.authenticate(withApiKey(token)));
    expect(error).toMatchObject({ status: 503, code: 'KEYS_UNAVAILABLE', reason: 'ACCESS_TOKEN_UNAVAILABLE' });
  });

  test('Frontegg never answering: 503 after the timeout, never a hang', async () => {
    const g = await gateway();
    const verifier = fronteggVerifier(g, { timeout: 0.3 });
    await verifier.authenticate({ authorization: `Bearer ${await issuer.sign({ sub: 'warm-up' })}` });
    g.hangAccessTokens(true);
    const error = await rejection(verifier.authenticate(withApiKey(await accessToken('tenantAccessToken', 'tat-1'))));
    expect(error).toMatchObject({ status: 503, reason: 'ACCESS_TOKEN_UNAVAILABLE' });
  });

  test('an answer for another id, or of the wrong shape, is not used: 503', async () => {
    const g = await gateway();
    g.accessTokens.set('tenants/tat-2', { id: 'tat-1', tenantId: 'tenant-1', roles: [], permissions: [] });
    g.accessTokens.set('tenants/tat-3', { id: 'tat-3', tenantId: 'tenant-1', roles: 'admin', permissions: [] });
    g.accessTokens.set('users/uat-2', { id: 'uat-2', tenantId: 'tenant-1', roles: [], permissions: [] });
    const verifier = fronteggVerifier(g);
    for (const [type, sub] of [
      ['tenantAccessToken', 'tat-2'],
      ['tenantAccessToken', 'tat-3'],
      ['userAccessToken', 'uat-2'],
    ] as const) {
      const error = await rejection(verifier.authenticate(withApiKey(await accessToken(type, sub))));
      expect(error).toMatchObject({ status: 503 });
    }
  });

  test('the signature is checked before any lookup', async () => {
    const g = await gateway();
    const verifier = fronteggVerifier(g);
    const forged = await stranger.sign({ sub: 'tat-1', type: 'tenantAccessToken', tenantId: 'tenant-1' });
    const error = await rejection(verifier.authenticate(withApiKey(forged)));
    expect(error).toMatchObject({ status: 401, reason: 'SIGNATURE_INVALID' });
    const expired = await issuer.sign({ sub: 'tat-1', type: 'tenantAccessToken' }, { expiresIn: -60 });
    expect(await rejection(verifier.authenticate(withApiKey(expired)))).toMatchObject({ reason: 'TOKEN_EXPIRED' });
    expect(g.accessTokenCalls).toEqual([]);
  });

  test('a token of another tenant than Frontegg’s answer is refused', async () => {
    const g = await gateway();
    const token = await accessToken('tenantAccessToken', 'tat-1', { tenantId: 'tenant-2' });
    const error = await rejection(fronteggVerifier(g).authenticate(withApiKey(token)));
    expect(error).toMatchObject({ status: 401 });
  });

  test('an access token sent as Authorization: Bearer is refused (401), without a lookup', async () => {
    const g = await gateway();
    const verifier = fronteggVerifier(g);
    const token = await accessToken('tenantAccessToken', 'tat-1');
    const error = await rejection(verifier.authenticate({ authorization: `Bearer ${token}` }));
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
    expect(g.accessTokenCalls).toEqual([]);
  });

  test('a user token (not an access token) in x-api-key is refused', async () => {
    const g = await gateway();
    const token = await issuer.sign({ sub: 'user-1', type: 'userToken', roles: ['admin'] });
    const error = await rejection(fronteggVerifier(g).authenticate(withApiKey(token)));
    expect(error).toMatchObject({ status: 401, reason: 'CLAIMS_INVALID' });
    expect(g.accessTokenCalls).toEqual([]);
  });

  test('Authorization and x-api-key together: 400; x-api-key twice or empty: 400', async () => {
    const g = await gateway();
    const verifier = fronteggVerifier(g);
    const token = await accessToken('tenantAccessToken', 'tat-1');
    const bearer = await issuer.sign({ sub: 'user-1', type: 'userToken' });
    const both = await rejection(verifier.authenticate({ authorization: `Bearer ${bearer}`, 'x-api-key': token }));
    expect(both).toMatchObject({ status: 400, code: 'BAD_REQUEST', reason: 'MULTIPLE_CREDENTIALS' });
    const twice = await rejection(verifier.authenticate({ 'x-api-key': [token, token] }));
    expect(twice).toMatchObject({ status: 400 });
    const empty = await rejection(verifier.authenticate({ 'x-api-key': ' ' }));
    expect(empty).toMatchObject({ status: 400 });
    const request = new Request('http://api.test/', {
      headers: { authorization: `Bearer ${bearer}`, 'x-api-key': token },
    });
    expect(await rejection(verifier.authenticate(request))).toMatchObject({ status: 400 });
    expect(g.accessTokenCalls).toEqual([]);
  });

  test('x-api-key is read strictly: one token68 value of at most 16 KiB, any case of the name, padding trimmed', async () => {
    const g = await gateway();
    const verifier = fronteggVerifier(g);
    const token = await accessToken('tenantAccessToken', 'tat-1');
    expect(await verifier.authenticate({ 'X-API-Key': `  ${token}  ` })).toMatchObject({ id: 'tat-1' });
    const outcome = async (headers: Record<string, string | string[]>) => {
      const error = await rejection(verifier.authenticate(headers));
      return `${error.code}:${error.reason}`;
    };
    expect(await outcome({ 'x-api-key': [token, token] })).toBe('BAD_REQUEST:MULTIPLE_CREDENTIALS');
    expect(await outcome({ 'x-api-key': token, authorization: 'Bearer x' })).toBe('BAD_REQUEST:MULTIPLE_CREDENTIALS');
    expect(await outcome({ 'x-api-key': ' ' })).toBe('BAD_REQUEST:MALFORMED_CREDENTIALS');
    expect(await outcome({ 'x-api-key': 'a*b' })).toBe('BAD_REQUEST:MALFORMED_CREDENTIALS');
    expect(await outcome({ 'x-api-key': `${'a'.repeat(16 * 1024 - 1)}*` })).toBe('BAD_REQUEST:MALFORMED_CREDENTIALS');
    expect(await outcome({ 'x-api-key': 'a'.repeat(16 * 1024 + 1) })).toBe('UNAUTHENTICATED:TOKEN_TOO_LARGE');
    expect(g.accessTokenCalls).toEqual(['tenants/tat-1']);
  });

  test('the 16 KiB bound on x-api-key holds whatever maxTokenLength allows', async () => {
    const g = await gateway();
    const roomy = createVerifier({
      frontegg: { clientId: CLIENT_ID, apiKey: API_KEY, gatewayUrl: g.url },
      maxTokenLength: 64 * 1024,
    });
    const error = await rejection(roomy.authenticate(withApiKey('a'.repeat(16 * 1024 + 1))));
    expect(`${error.code}:${error.reason}`).toBe('UNAUTHENTICATED:TOKEN_TOO_LARGE');
    expect(g.accessTokenCalls).toEqual([]);
  });

  test('outside Frontegg mode, x-api-key means nothing to Gatehouse', async () => {
    const verifier: Verifier = createVerifier({ publicKey: issuer.publicKeyPem(), audience: false });
    const token = await accessToken('tenantAccessToken', 'tat-1');
    await expect(verifier.authenticate({ 'x-api-key': token })).resolves.toBeNull();
  });

  test('FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS sets how long answers are used', async () => {
    const g = await gateway();
    const verifier = verifierFromEnv({
      FRONTEGG_CLIENT_ID: CLIENT_ID,
      FRONTEGG_API_KEY: API_KEY,
      FRONTEGG_API_GATEWAY_URL: g.url,
      FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS: '0',
    });
    const token = await accessToken('tenantAccessToken', 'tat-1');
    await verifier.authenticate(withApiKey(token));
    await verifier.authenticate(withApiKey(token));
    expect(g.accessTokenCalls).toHaveLength(2);
    expect(() =>
      verifierFromEnv({
        FRONTEGG_CLIENT_ID: CLIENT_ID,
        FRONTEGG_API_KEY: API_KEY,
        FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS: 'ten',
      }),
    ).toThrow(/FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS/);
  });
});
