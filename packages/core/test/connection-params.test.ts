import { type CredentialSource, createVerifier, sendAuthError, type Verifier } from '@gatehousejs/core';
import { credentialsWithConnectionParams } from '@gatehousejs/core/adapter';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectClientSafe, expectRejected, type Listening, listenHttp, rawHttp } from './verifier-fixtures.js';

let issuer: TestIssuer;
let verifier: Verifier;
let token: string;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  token = await issuer.sign({ sub: 'params-user', roles: ['admin'] });
});
afterAll(async () => {
  await issuer.close();
});

const authenticate = (request: CredentialSource | undefined, params: unknown, allowed?: boolean) =>
  verifier.authenticate(credentialsWithConnectionParams(request, params, allowed === undefined ? {} : { allowed }));

const withHeader = (value: string) => new Request('http://127.0.0.1/graphql', { headers: { authorization: value } });

describe('credentials in connectionParams', () => {
  test('a bare token under `token` authenticates', async () => {
    expect(await authenticate(undefined, { token })).toMatchObject({ id: 'params-user', roles: ['admin'] });
    expect(await authenticate(new Request('http://127.0.0.1/'), { token })).toMatchObject({ id: 'params-user' });
    expect(await authenticate({ 'content-type': 'application/json' }, { token, other: 1 })).toMatchObject({
      id: 'params-user',
    });
  });

  test('a full header value under `authorization`, the key in any case', async () => {
    for (const key of ['authorization', 'Authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn']) {
      expect(await authenticate(undefined, { [key]: `Bearer ${token}` }), key).toMatchObject({ id: 'params-user' });
    }
    expect(await authenticate(undefined, { authorization: `bearer ${token}` })).toMatchObject({ id: 'params-user' });
  });

  test('the token is verified like any other: forged, expired or another scheme is refused', async () => {
    const [header, , signature] = token.split('.');
    const [, payload] = (await issuer.sign({ sub: 'params-user', roles: ['owner'] })).split('.');
    const forged = `${header}.${payload}.${signature}`;
    await expectRejected(authenticate(undefined, { token: forged }), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
    const expired = await issuer.sign({ sub: 'u' }, { expiresIn: -60 });
    await expectRejected(authenticate(undefined, { token: expired }), 'UNAUTHENTICATED', 'TOKEN_EXPIRED');
    await expectRejected(authenticate(undefined, { authorization: 'Basic dXNlcjpwYXNz' }), 'UNAUTHENTICATED');
  });

  test('a credential in the params and one in the header are two credentials (400), even the same token', async () => {
    const other = await issuer.sign({ sub: 'other' });
    const requests: CredentialSource[] = [
      withHeader(`Bearer ${token}`),
      withHeader(`Bearer ${other}`),
      new Headers({ authorization: `Bearer ${token}` }),
      { authorization: `Bearer ${token}` },
      { headers: { Authorization: `Bearer ${token}` } },
      withHeader('Basic dXNlcjpwYXNz'),
      withHeader('Bearer'),
      withHeader(`Bearer ${token}, Bearer ${token}`),
    ];
    for (const request of requests) {
      for (const params of [{ token }, { authorization: `Bearer ${token}` }, { Authorization: `Bearer ${other}` }]) {
        const error = await expectRejected(authenticate(request, params), 'BAD_REQUEST');
        expect(error.status).toBe(400);
        expectClientSafe(error, [token, other]);
      }
    }
  });

  test('two credentials within the params are a bad request', async () => {
    const cases = [
      { token, authorization: `Bearer ${token}` },
      { authorization: `Bearer ${token}`, Authorization: `Bearer ${token}` },
      { token: `${token} ${token}` },
      { token: `Bearer ${token}` },
    ];
    for (const params of cases) {
      await expectRejected(authenticate(undefined, params), 'BAD_REQUEST', 'MULTIPLE_CREDENTIALS');
    }
  });

  test('a value that is not a string, or an empty token, is malformed: refused (400), never ignored', async () => {
    for (const value of [null, 42, true, {}, [`Bearer ${token}`], { toString: () => `Bearer ${token}` }]) {
      for (const key of ['token', 'authorization', 'Authorization']) {
        await expectRejected(authenticate(undefined, { [key]: value }), 'BAD_REQUEST', 'MALFORMED_CREDENTIALS');
        await expectRejected(authenticate(withHeader(`Bearer ${token}`), { [key]: value }), 'BAD_REQUEST');
      }
    }
    await expectRejected(authenticate(undefined, { token: '' }), 'BAD_REQUEST', 'MALFORMED_CREDENTIALS');
    await expectRejected(authenticate(undefined, { token: '   ' }), 'BAD_REQUEST', 'MALFORMED_CREDENTIALS');
  });

  test('only own properties count: `__proto__` and inherited ones are not credentials', async () => {
    const polluted = JSON.parse(`{"__proto__": {"token": "${token}", "authorization": "Bearer ${token}"}}`);
    expect(Object.hasOwn(polluted, '__proto__')).toBe(true);
    expect(await authenticate(undefined, polluted)).toBeNull();
    const inherited = Object.create({ token, authorization: `Bearer ${token}` });
    expect(await authenticate(undefined, inherited)).toBeNull();
    // The header stays the one credential, not two.
    expect(await authenticate(withHeader(`Bearer ${token}`), polluted)).toMatchObject({ id: 'params-user' });
    expect(await authenticate(withHeader(`Bearer ${token}`), inherited)).toMatchObject({ id: 'params-user' });
    expect(({} as Record<string, unknown>).token).toBeUndefined();
  });

  test('without credentials in the params, the request is used as it is', async () => {
    const request = withHeader(`Bearer ${token}`);
    for (const params of [undefined, null, {}, 'token', 42, { other: token }, { token: undefined }, [token]]) {
      expect(credentialsWithConnectionParams(request, params)).toBe(request);
      expect(await authenticate(request, params)).toMatchObject({ id: 'params-user' });
    }
    await expectRejected(authenticate(withHeader('Bearer'), {}), 'BAD_REQUEST', 'MALFORMED_CREDENTIALS');
  });

  test('no credentials anywhere is anonymous', async () => {
    expect(await authenticate(undefined, undefined)).toBeNull();
    expect(await authenticate(undefined, {})).toBeNull();
    expect(await authenticate(new Request('http://127.0.0.1/'), null)).toBeNull();
    expect(await authenticate({}, { other: 'x' })).toBeNull();
  });

  test('allowed: false refuses a credential in the params (400), alone or with a header; the header alone still works', async () => {
    await expectRejected(authenticate(undefined, { token }, false), 'BAD_REQUEST', 'MALFORMED_CREDENTIALS');
    await expectRejected(authenticate(undefined, { authorization: `Bearer ${token}` }, false), 'BAD_REQUEST');
    await expectRejected(authenticate(withHeader(`Bearer ${token}`), { token }, false), 'BAD_REQUEST');
    expect(await authenticate(withHeader(`Bearer ${token}`), { other: 'x' }, false)).toMatchObject({
      id: 'params-user',
    });
    expect(await authenticate(undefined, {}, false)).toBeNull();
  });
});

describe('with a node:http request (as on a WebSocket upgrade)', () => {
  let server: Listening;

  beforeAll(async () => {
    // The params arrive in a header here only to reach the server: a WebSocket sends them in its first message.
    server = await listenHttp((req, res) => {
      const raw = req.headers['x-connection-params'];
      const params: unknown = typeof raw === 'string' ? JSON.parse(raw) : undefined;
      verifier.authenticate(credentialsWithConnectionParams(req, params)).then(
        (user) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ user: user?.id ?? null }));
        },
        (error: unknown) => sendAuthError(res, error),
      );
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const call = (headers: readonly string[]) =>
    rawHttp(server.port, ['GET / HTTP/1.1', 'Host: 127.0.0.1', ...headers]).then((response) => ({
      status: response.status,
      body: JSON.parse(response.body) as unknown,
    }));
  const params = (value: unknown) => `X-Connection-Params: ${JSON.stringify(value)}`;

  test('params alone, the header alone, or neither', async () => {
    expect(await call([params({ token })])).toEqual({ status: 200, body: { user: 'params-user' } });
    expect(await call([params({ Authorization: `Bearer ${token}` })])).toEqual({
      status: 200,
      body: { user: 'params-user' },
    });
    expect(await call([`Authorization: Bearer ${token}`])).toEqual({ status: 200, body: { user: 'params-user' } });
    expect(await call([`Authorization: Bearer ${token}`, params({})])).toEqual({
      status: 200,
      body: { user: 'params-user' },
    });
    expect(await call([])).toEqual({ status: 200, body: { user: null } });
  });

  test('params with a header, and duplicate raw headers with or without params, are a bad request', async () => {
    const cases = [
      [`Authorization: Bearer ${token}`, params({ token })],
      [`Authorization: Bearer ${token}`, 'Authorization: Bearer other'],
      [`Authorization: Bearer ${token}`, 'Authorization: Bearer other', params({})],
      [`Authorization: Bearer ${token}`, 'Authorization: Bearer other', params({ token })],
      [params({ token: 42 })],
      [params(JSON.parse(`{"__proto__": {"token": "${token}"}, "token": null}`))],
    ];
    for (const headers of cases) {
      expect(await call(headers), headers.join(' | ')).toEqual({
        status: 400,
        body: { error: 'BAD_REQUEST', message: 'Malformed authorization header' },
      });
    }
  });
});
