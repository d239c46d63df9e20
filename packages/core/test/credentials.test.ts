import type { IncomingMessage } from 'node:http';
import { AuthError, createVerifier, extractBearerToken, sendAuthError, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Listening, listenHttp, rawHttp } from './verifier-fixtures.js';

function thrown(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected an AuthError');
}

/** One `Authorization` header value, read as a request would be. */
const parseAuthorization = (value: string) => extractBearerToken({ authorization: value });
const MAX_AUTHORIZATION_HEADER_LENGTH = 16 * 1024;

describe('one Authorization value', () => {
  test('reads a Bearer token, the scheme in any case', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(parseAuthorization(`${scheme} abc.def.ghi`)).toBe('abc.def.ghi');
    }
    expect(parseAuthorization('Bearer    abc.def.ghi   ')).toBe('abc.def.ghi');
    expect(parseAuthorization('Bearer a-b_c.d~e+f/g==')).toBe('a-b_c.d~e+f/g==');
  });

  test('an empty value is no credentials', () => {
    expect(parseAuthorization('')).toBeNull();
    expect(parseAuthorization('   ')).toBeNull();
  });

  test('an empty Bearer is a bad request', () => {
    for (const value of ['Bearer', 'Bearer ', 'bearer     ', ' BEARER ']) {
      const error = thrown(() => parseAuthorization(value));
      expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400, reason: 'MALFORMED_CREDENTIALS' });
      expect(error.wwwAuthenticate).toBe('Bearer realm="gatehouse", error="invalid_request"');
    }
  });

  test('two credentials in one value (a merged duplicate header) are a bad request', () => {
    for (const value of [
      'Bearer a, Bearer b',
      'Bearer a,Bearer b',
      'Bearer a b',
      'Bearer a,',
      'Basic eA==, Bearer b',
      'Bearer a.b.c, a.b.c',
    ]) {
      expect(thrown(() => parseAuthorization(value))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'MULTIPLE_CREDENTIALS',
      });
    }
  });

  test('a Bearer credential that is not token68 is a bad request', () => {
    for (const value of [
      'Bearer\tabc',
      'Bearer "abc"',
      'Bearer ab;c',
      'Bearer a=b',
      'Bearer =abc',
      'Bearer ab\u00e9',
      '"Bearer" abc',
    ]) {
      expect(thrown(() => parseAuthorization(value))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'MALFORMED_CREDENTIALS',
      });
    }
  });

  test('another scheme is refused (never ignored), with a challenge that carries no error code (RFC 6750 §3.1)', () => {
    for (const value of [
      'Basic dXNlcjpwYXNz',
      'Digest username="a"',
      'Token abc',
      'Bearerabc',
      'DPoP abc.def.ghi',
      'MAC id="a"',
    ]) {
      const error = thrown(() => parseAuthorization(value));
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, reason: 'UNSUPPORTED_SCHEME' });
      expect(error.wwwAuthenticate).toBe('Bearer realm="gatehouse"');
    }
  });

  test('the size cap applies before any parsing', () => {
    const atCap = `Bearer ${'a'.repeat(MAX_AUTHORIZATION_HEADER_LENGTH - 7)}`;
    expect(parseAuthorization(atCap)).toHaveLength(MAX_AUTHORIZATION_HEADER_LENGTH - 7);
    for (const value of [
      `${atCap}a`,
      `Bearer a, Bearer b${' '.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`,
      'x'.repeat(1 << 20),
    ]) {
      expect(thrown(() => parseAuthorization(value))).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'TOKEN_TOO_LARGE',
      });
    }
  });
});

describe('extractBearerToken', () => {
  test('reads WHATWG Headers and Request, and refuses duplicates they merge', () => {
    expect(extractBearerToken(new Headers({ authorization: 'Bearer t1' }))).toBe('t1');
    expect(extractBearerToken(new Request('http://x/', { headers: { Authorization: 'bearer t2' } }))).toBe('t2');
    expect(extractBearerToken(new Headers())).toBeNull();
    const twice = new Headers();
    twice.append('authorization', 'Bearer a');
    twice.append('Authorization', 'Bearer b');
    expect(thrown(() => extractBearerToken(twice))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'MULTIPLE_CREDENTIALS',
    });
    expect(thrown(() => extractBearerToken(new Request('http://x/', { headers: twice })))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  test('reads Headers implementations other than the global class (as servers ponyfill them)', () => {
    class OtherHeaders {
      private readonly values = new Map<string, string>();
      constructor(init: Record<string, string>) {
        for (const [name, value] of Object.entries(init)) this.values.set(name.toLowerCase(), value);
      }
      get(name: string): string | null {
        return this.values.get(name.toLowerCase()) ?? null;
      }
    }
    const request = (headers: OtherHeaders) => ({ headers }) as unknown as Request;
    expect(extractBearerToken(request(new OtherHeaders({ Authorization: 'Bearer t3' })))).toBe('t3');
    expect(extractBearerToken(request(new OtherHeaders({})))).toBeNull();
    expect(
      thrown(() => extractBearerToken(request(new OtherHeaders({ authorization: 'Bearer a, Bearer b' })))),
    ).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  test('never reads the URL, cookies or other headers', () => {
    const url = 'http://x/?access_token=a.b.c&token=a.b.c&authorization=Bearer%20a.b.c';
    expect(
      extractBearerToken(new Request(url, { headers: { cookie: 'access_token=a.b.c; Authorization=Bearer a.b.c' } })),
    ).toBeNull();
    expect(
      extractBearerToken({
        'x-access-token': 'a.b.c',
        'proxy-authorization': 'Bearer a.b.c',
        authorizations: 'Bearer x',
      }),
    ).toBeNull();
    expect(extractBearerToken({ url, headers: { host: 'x' } })).toBeNull();
  });

  test('reads plain header records, any case, and refuses two values or two spellings', () => {
    expect(extractBearerToken({ authorization: 'Bearer t' })).toBe('t');
    expect(extractBearerToken({ AUTHORIZATION: 'Bearer t' })).toBe('t');
    expect(extractBearerToken({ headers: { Authorization: 'Bearer t' } })).toBe('t');
    expect(extractBearerToken({ headers: new Headers({ authorization: 'Bearer t' }) })).toBe('t');
    expect(extractBearerToken({ authorization: ['Bearer t'] })).toBe('t');
    expect(extractBearerToken({ authorization: undefined })).toBeNull();
    // An IncomingMessage-like object: the raw header list decides; headers set by code are read when it has none.
    const raw = ['Authorization', 'Bearer a', 'authorization', 'Bearer b'];
    expect(
      thrown(() => extractBearerToken({ rawHeaders: raw, headers: { authorization: 'Bearer a' } } as never)),
    ).toMatchObject({
      reason: 'MULTIPLE_CREDENTIALS',
    });
    expect(extractBearerToken({ rawHeaders: [], headers: { authorization: 'Bearer set-by-code' } } as never)).toBe(
      'set-by-code',
    );
    const bad = [
      { authorization: 'Bearer a', Authorization: 'Bearer b' },
      { authorization: ['Bearer a', 'Bearer a'] },
      { headers: { authorization: 'Bearer a', Authorization: 'Bearer a' } },
    ];
    for (const source of bad) {
      expect(thrown(() => extractBearerToken(source))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'MULTIPLE_CREDENTIALS',
      });
    }
    for (const source of [{ authorization: 42 }, { authorization: ['Bearer a', 42] }, { authorization: { a: 1 } }]) {
      expect(thrown(() => extractBearerToken(source as never))).toMatchObject({ code: 'BAD_REQUEST' });
    }
  });

  test('refuses something that is no request at all', () => {
    for (const source of [null, undefined, 'Bearer a', 42]) {
      expect(() => extractBearerToken(source as never)).toThrow(TypeError);
    }
  });
});

describe('over real HTTP (node:http IncomingMessage)', () => {
  let issuer: TestIssuer;
  let verifier: Verifier;
  let server: Listening;
  let seen: IncomingMessage | undefined;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'api' });
    verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
    server = await listenHttp((req, res) => {
      seen = req;
      verifier.authenticate(req).then(
        (user) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ user }));
        },
        (error: unknown) => sendAuthError(res, error),
      );
    });
  });
  afterAll(async () => {
    await Promise.all([server.close(), issuer.close()]);
  });

  test('one Bearer header authenticates; none is anonymous', async () => {
    const token = await issuer.sign({ sub: 'u1', roles: ['admin'] });
    const ok = await fetch(server.url, { headers: { authorization: `bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ user: { id: 'u1', roles: ['admin'] } });
    const anonymous = await fetch(server.url);
    expect(await anonymous.json()).toEqual({ user: null });
  });

  test('duplicate raw Authorization headers are a bad request, though Node keeps only the first in req.headers', async () => {
    const token = await issuer.sign({ sub: 'u1' });
    const variants = [
      [`Authorization: Bearer ${token}`, 'Authorization: Bearer other'],
      [`authorization: Bearer ${token}`, `AUTHORIZATION: Bearer ${token}`],
      [`Authorization: Bearer ${token}`, 'Authorization: Basic dXNlcjpwYXNz'],
      [`Authorization: Bearer ${token}`, 'Authorization: '],
    ];
    for (const headers of variants) {
      const response = await rawHttp(server.port, ['GET / HTTP/1.1', 'Host: 127.0.0.1', ...headers]);
      expect(seen?.headers.authorization).toBe(`Bearer ${token}`);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'BAD_REQUEST', message: 'Malformed authorization header' });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_request"');
    }
  });

  test('a merged header, an empty Bearer and a foreign scheme are refused over the wire', async () => {
    const token = await issuer.sign({ sub: 'u1' });
    const cases: [string, number][] = [
      [`Authorization: Bearer ${token}, Bearer ${token}`, 400],
      ['Authorization: Bearer', 400],
      ['Authorization: Bearer    ', 400],
      ['Authorization: Basic dXNlcjpwYXNz', 401],
      [`Authorization: Bearer ${token}x`, 401],
    ];
    for (const [header, status] of cases) {
      const response = await rawHttp(server.port, ['GET / HTTP/1.1', 'Host: 127.0.0.1', header]);
      expect(response.status, header).toBe(status);
    }
  });

  test('a token in the query string or a cookie is not a credential', async () => {
    const token = await issuer.sign({ sub: 'u1' });
    const response = await fetch(`${server.url}/?access_token=${token}`, {
      headers: { cookie: `access_token=${token}` },
    });
    expect(await response.json()).toEqual({ user: null });
  });

  test('an oversized header is refused before decoding', async () => {
    const response = await rawHttp(server.port, [
      'GET / HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${'a'.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`,
    ]);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_token"');
  });
});
