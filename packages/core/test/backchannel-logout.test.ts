import { randomUUID } from 'node:crypto';
import { backchannelLogout, createVerifier, GatehouseConfigError, memoryStore, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Listening, listenHttp, nowSeconds } from './verifier-fixtures.js';

const API = 'https://api.gatehouse.test';
const CLIENT_ID = 'gatehouse-rp';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let issuer: TestIssuer;
let stranger: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false, audience: API });
  stranger = await createTestIssuer({ port: false, audience: API });
});
afterAll(async () => {
  await issuer.close();
  await stranger.close();
});

function newVerifier(): Verifier {
  return createVerifier({
    publicKey: issuer.publicKeyPem(),
    issuer: issuer.issuer,
    audience: API,
    store: memoryStore(),
  });
}

/** A logout token as a provider makes it; `claims` and `header` override. */
function logoutToken(
  claims: Record<string, unknown> = {},
  options: { header?: Record<string, unknown>; from?: TestIssuer } = {},
): Promise<string> {
  return (options.from ?? issuer).sign(
    { aud: CLIENT_ID, sub: 'user-1', sid: 'session-1', jti: randomUUID(), events: { [EVENT]: {} }, ...claims },
    { expiresIn: 120, header: { typ: 'logout+jwt', ...options.header } },
  );
}

/** The claims of a valid logout token, for tokens signed by hand. */
const logoutClaims = () => ({
  iss: issuer.issuer,
  aud: CLIENT_ID,
  sub: 'user-1',
  iat: nowSeconds(),
  exp: nowSeconds() + 60,
  jti: randomUUID(),
  events: { [EVENT]: {} },
});

const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();

async function post(
  handler: ReturnType<typeof backchannelLogout>,
  body: string,
  type = 'application/x-www-form-urlencoded',
) {
  return handler(
    new Request('http://rp.test/backchannel-logout', { method: 'POST', headers: { 'content-type': type }, body }),
  );
}

describe('backchannelLogout (fetch handler)', () => {
  test('a valid logout token with sid revokes that session: 200, the session’s tokens refused, others not', async () => {
    const verifier = newVerifier();
    const handler = backchannelLogout(verifier, { audience: CLIENT_ID });
    const inSession = await issuer.sign({ sub: 'user-1', sid: 'session-1' }, { issuedAt: nowSeconds() - 5 });
    const otherSession = await issuer.sign({ sub: 'user-1', sid: 'session-2' }, { issuedAt: nowSeconds() - 5 });
    await verifier.verify(inSession);
    const response = await post(handler, form(await logoutToken()));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    await expect(verifier.verify(inSession)).rejects.toMatchObject({ status: 401, reason: 'TOKEN_REVOKED' });
    await expect(verifier.verify(otherSession)).resolves.toMatchObject({ id: 'user-1' });
  });

  test('with sub only, every token of that user is revoked', async () => {
    const verifier = newVerifier();
    const handler = backchannelLogout(verifier, { audience: CLIENT_ID });
    const a = await issuer.sign({ sub: 'user-2', sid: 'x' }, { issuedAt: nowSeconds() - 5 });
    const b = await issuer.sign({ sub: 'user-2' }, { issuedAt: nowSeconds() - 5 });
    const response = await post(handler, form(await logoutToken({ sub: 'user-2', sid: undefined })));
    expect(response.status).toBe(200);
    await expect(verifier.verify(a)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    await expect(verifier.verify(b)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test('a typ-less logout token is accepted; the verifier’s audience is the default', async () => {
    const verifier = createVerifier({
      publicKey: issuer.publicKeyPem(),
      issuer: issuer.issuer,
      audience: [API, CLIENT_ID],
    });
    const handler = backchannelLogout(verifier);
    const token = await issuer.sign(
      { aud: CLIENT_ID, sub: 'user-9', jti: randomUUID(), events: { [EVENT]: {} } },
      { expiresIn: 120, header: { typ: undefined } },
    );
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).not.toHaveProperty('typ');
    expect((await post(handler, form(token))).status).toBe(200);
  });

  test('the same jti is accepted once, across verifiers sharing the store', async () => {
    const store = memoryStore();
    const options = { publicKey: issuer.publicKeyPem(), issuer: issuer.issuer, audience: API, store };
    const first = backchannelLogout(createVerifier(options), { audience: CLIENT_ID });
    const second = backchannelLogout(createVerifier(options), { audience: CLIENT_ID });
    const token = await logoutToken();
    expect((await post(first, form(token))).status).toBe(200);
    const replay = await post(second, form(token));
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_request' });
    expect((await post(first, form(token))).status).toBe(400);
  });

  const now = () => nowSeconds();
  const attacks: [string, () => Promise<string>][] = [
    ['nonce present', () => logoutToken({ nonce: 'n-0S6_WzA2Mj' })],
    ['wrong aud', () => logoutToken({ aud: 'someone-else' })],
    ['the API audience (an access token’s)', () => logoutToken({ aud: API })],
    ['no aud', () => logoutToken({ aud: undefined })],
    ['wrong iss', () => logoutToken({ iss: 'https://evil.example' })],
    ['typ JWT', () => logoutToken({}, { header: { typ: 'JWT' } })],
    ['typ at+jwt', () => logoutToken({}, { header: { typ: 'at+jwt' } })],
    ['no events', () => logoutToken({ events: undefined })],
    ['events without the back-channel member', () => logoutToken({ events: { 'urn:other': {} } })],
    ['the back-channel member not an object', () => logoutToken({ events: { [EVENT]: 'yes' } })],
    ['events an array', () => logoutToken({ events: [EVENT] })],
    ['neither sid nor sub', () => logoutToken({ sid: undefined, sub: undefined })],
    ['an empty sid', () => logoutToken({ sid: '' })],
    ['sub not a string', () => logoutToken({ sub: 42 })],
    ['no jti', () => logoutToken({ jti: undefined })],
    ['expired', () => logoutToken({ iat: now() - 600, exp: now() - 300 })],
    ['no exp', () => logoutToken({ exp: undefined })],
    ['no iat', () => logoutToken({ iat: undefined })],
    ['issued in the future', () => logoutToken({ iat: now() + 600, exp: now() + 900 })],
    ['signed by another issuer’s key', () => logoutToken({}, { from: stranger })],
    [
      'alg none',
      async () =>
        signJwt({
          header: { alg: 'none', typ: 'logout+jwt' },
          payload: logoutClaims(),
        }),
    ],
    [
      'HS256 keyed with the public key',
      async () =>
        signJwt({
          header: { alg: 'HS256', typ: 'logout+jwt' },
          payload: logoutClaims(),
          key: issuer.publicKeyPem(),
        }),
    ],
    ['an access token', () => issuer.sign({ sub: 'user-1', sid: 'session-1', aud: CLIENT_ID })],
    ['garbage', async () => 'not-a-jwt'],
  ];

  test.each(attacks)('%s: 400, nothing revoked', async (_, make) => {
    const verifier = newVerifier();
    const handler = backchannelLogout(verifier, { audience: CLIENT_ID });
    const victim = await issuer.sign(
      { sub: 'user-1', sid: 'session-1', jti: 'victim' },
      { issuedAt: nowSeconds() - 5 },
    );
    const response = await post(handler, form(await make()));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    await expect(verifier.verify(victim)).resolves.toMatchObject({ id: 'user-1' });
  });

  test('a signature edited after signing: 400, nothing revoked', async () => {
    const verifier = newVerifier();
    const handler = backchannelLogout(verifier, { audience: CLIENT_ID });
    const [header, payload, signature] = (await logoutToken({ sub: 'user-1' })).split('.');
    const edited = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    edited.sub = 'admin';
    const forged = `${header}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}`;
    expect((await post(handler, form(forged))).status).toBe(400);
    const admin = await issuer.sign({ sub: 'admin' }, { issuedAt: nowSeconds() - 5 });
    await expect(verifier.verify(admin)).resolves.toMatchObject({ id: 'admin' });
  });

  test.each([
    ['a JSON body', async () => JSON.stringify({ logout_token: await logoutToken() }), 'application/json'],
    ['two logout_token fields', async () => `${form(await logoutToken())}&${form(await logoutToken())}`, undefined],
    ['no logout_token', async () => 'token=abc', undefined],
    ['an empty logout_token', async () => 'logout_token=', undefined],
    ['an oversized body', async () => `logout_token=${'a'.repeat(70_000)}`, undefined],
  ])('%s: 400', async (_, body, type) => {
    const handler = backchannelLogout(newVerifier(), { audience: CLIENT_ID });
    expect((await post(handler, await body(), type)).status).toBe(400);
  });

  test("a logout token longer than the verifier's maxTokenLength is refused, however well signed", async () => {
    const verifier = createVerifier({
      publicKey: issuer.publicKeyPem(),
      issuer: issuer.issuer,
      audience: API,
      store: memoryStore(),
      maxTokenLength: 2048,
    });
    const handler = backchannelLogout(verifier, { audience: CLIENT_ID });
    const padded = await logoutToken({ padding: 'p'.repeat(1500) });
    expect(padded.length).toBeGreaterThan(2048);
    expect((await post(handler, form(padded))).status).toBe(400);
    const fits = await logoutToken({ padding: 'p'.repeat(100) });
    expect(fits.length).toBeLessThan(2048);
    expect((await post(handler, form(fits))).status).toBe(200);
  });

  test('GET: 405 with Allow: POST', async () => {
    const handler = backchannelLogout(newVerifier(), { audience: CLIENT_ID });
    const response = await handler(new Request('http://rp.test/backchannel-logout'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  test('without an audience to check logout tokens against: configuration error', () => {
    const verifier = createVerifier({ publicKey: issuer.publicKeyPem(), audience: false });
    expect(() => backchannelLogout(verifier)).toThrow(/backchannelLogout needs the audience/);
    expect(() => backchannelLogout({} as Verifier, { audience: CLIENT_ID })).toThrow(GatehouseConfigError);
  });
});

describe('backchannelLogout (node:http handler)', () => {
  let server: Listening;
  let verifier: Verifier;

  beforeAll(async () => {
    verifier = newVerifier();
    const handler = backchannelLogout(verifier, { audience: CLIENT_ID });
    server = await listenHttp((req, res) => void handler(req, res));
  });
  afterAll(() => server.close());

  test('answers 200 and revokes; a replay gets 400', async () => {
    const victim = await issuer.sign({ sub: 'user-5', sid: 'session-5' }, { issuedAt: nowSeconds() - 5 });
    const token = await logoutToken({ sub: 'user-5', sid: 'session-5' });
    const send = () =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(token),
      });
    expect((await send()).status).toBe(200);
    await expect(verifier.verify(victim)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    expect((await send()).status).toBe(400);
  });
});
