import { authorize, createVerifier, isAuthorized, type Verifier, type VerifierOptions } from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { expectRejected, signRawRs256 } from './verifier-fixtures.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const START = 1_700_000_000;

let issuer: TestIssuer;
let clock: number;
let verifier: Verifier;

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false });
});
afterAll(() => issuer.close());
beforeEach(() => {
  clock = START * 1000;
  verifier = make();
});

function make(options: Partial<VerifierOptions> = {}): Verifier {
  return createVerifier({
    publicKey: issuer.publicKeyPem(),
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => clock,
    ...options,
  });
}

/** Claims valid at START; `undefined` removes one. */
function token(extra: Record<string, unknown> = {}): string {
  const payload: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: START,
    exp: START + 600,
    ...extra,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return signJwt({ header: { alg: 'RS256', typ: 'JWT' }, payload, key: issuer.privateKey() });
}

const rawToken = (payloadJson: string) => signRawRs256('{"alg":"RS256"}', payloadJson, issuer.privateKey());

describe('exp', () => {
  test('is required', async () => {
    await expectRejected(verifier.verify(token({ exp: undefined })), 'UNAUTHENTICATED', 'EXPIRATION_MISSING');
  });

  test('must be a finite number', async () => {
    for (const exp of [`${START + 600}`, 'NaN', 'Infinity', null, true, [START + 600], { v: START + 600 }]) {
      await expectRejected(verifier.verify(token({ exp })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
    for (const exp of ['1e400', '-1e400']) {
      const json = `{"iss":"${ISSUER}","aud":"${AUDIENCE}","sub":"u","iat":${START},"exp":${exp}}`;
      await expectRejected(verifier.verify(rawToken(json)), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
  });

  test('far in the future exceeds the maximum lifetime', async () => {
    for (const exp of [1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, START + 7 * 86_400 + 1]) {
      await expectRejected(verifier.verify(token({ exp })), 'UNAUTHENTICATED', 'LIFETIME_TOO_LONG');
    }
    await expect(verifier.verify(token({ exp: START + 7 * 86_400 }))).resolves.toBeDefined();
    await expectRejected(
      make({ maxTokenLifetime: 600 }).verify(token({ exp: START + 601 })),
      'UNAUTHENTICATED',
      'LIFETIME_TOO_LONG',
    );
    // Without iat, the lifetime counts from now.
    await expectRejected(
      verifier.verify(token({ iat: undefined, exp: START + 8 * 86_400 })),
      'UNAUTHENTICATED',
      'LIFETIME_TOO_LONG',
    );
    await expectRejected(verifier.verify(token({ iat: -1e12 })), 'UNAUTHENTICATED', 'LIFETIME_TOO_LONG');
  });

  test('is honoured to the second, with clockTolerance (default 5 s)', async () => {
    await expectRejected(verifier.verify(token({ exp: START - 5 })), 'UNAUTHENTICATED', 'TOKEN_EXPIRED');
    await expect(verifier.verify(token({ exp: START - 4 }))).resolves.toBeDefined();
    const strict = make({ clockTolerance: 0 });
    await expectRejected(strict.verify(token({ exp: START })), 'UNAUTHENTICATED', 'TOKEN_EXPIRED');
    await expect(strict.verify(token({ exp: START + 1 }))).resolves.toBeDefined();
    await expectRejected(verifier.verify(token({ exp: -1 })), 'UNAUTHENTICATED', 'TOKEN_EXPIRED');
  });

  test('ends a cached verification too', async () => {
    const t = token({ exp: START + 60 });
    await expect(verifier.verify(t)).resolves.toBeDefined();
    clock = (START + 64) * 1000;
    await expect(verifier.verify(t)).resolves.toBeDefined();
    clock = (START + 65) * 1000;
    await expectRejected(verifier.verify(t), 'UNAUTHENTICATED', 'TOKEN_EXPIRED');
  });
});

describe('nbf and iat', () => {
  test('nbf in the future (beyond tolerance) is not yet valid', async () => {
    await expectRejected(verifier.verify(token({ nbf: START + 6 })), 'UNAUTHENTICATED', 'TOKEN_NOT_YET_VALID');
    await expect(verifier.verify(token({ nbf: START + 5 }))).resolves.toBeDefined();
    await expectRejected(
      make({ clockTolerance: 0 }).verify(token({ nbf: START + 1 })),
      'UNAUTHENTICATED',
      'TOKEN_NOT_YET_VALID',
    );
  });

  test('iat in the future beyond tolerance is refused', async () => {
    await expectRejected(verifier.verify(token({ iat: START + 6 })), 'UNAUTHENTICATED', 'ISSUED_IN_FUTURE');
    await expect(verifier.verify(token({ iat: START + 5 }))).resolves.toBeDefined();
    await expectRejected(
      make({ clockTolerance: 60 }).verify(token({ iat: START + 61 })),
      'UNAUTHENTICATED',
      'ISSUED_IN_FUTURE',
    );
  });

  test('must be numbers', async () => {
    for (const value of [`${START}`, null, true, [START], {}]) {
      await expectRejected(verifier.verify(token({ nbf: value })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
      await expectRejected(verifier.verify(token({ iat: value })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
  });

  test('maxTokenAge bounds the age (iat required), also for cached tokens', async () => {
    const aged = make({ maxTokenAge: 60 });
    await expectRejected(aged.verify(token({ iat: START - 66 })), 'UNAUTHENTICATED', 'TOKEN_TOO_OLD');
    await expectRejected(aged.verify(token({ iat: undefined })), 'UNAUTHENTICATED', 'ISSUED_AT_MISSING');
    const t = token({ iat: START - 30 });
    await expect(aged.verify(t)).resolves.toBeDefined();
    clock = (START + 36) * 1000;
    await expectRejected(aged.verify(t), 'UNAUTHENTICATED', 'TOKEN_TOO_OLD');
  });
});

describe('iss is compared exactly', () => {
  const lookAlikes = [
    `${ISSUER}/`,
    'https://Issuer.example',
    'HTTPS://issuer.example',
    'https://issuer.example.',
    'https://issuer.exampl\u0435', // Cyrillic е
    'https://\u0456ssuer.example', // Cyrillic і
    'https://issuer.example\u200b',
    'https://ｉssuer.example',
    ` ${ISSUER}`,
    `${ISSUER} `,
    `${ISSUER}\n`,
    'https://issuer.example.evil.example',
    'https://evil.example/https://issuer.example',
    'https://issuer.example:443',
    'http://issuer.example',
    'https://issuer.example/path',
    'https://issuer',
    'issuer.example',
    '',
  ];

  test.each(lookAlikes)('%j is not the issuer', async (iss) => {
    await expectRejected(verifier.verify(token({ iss })), 'UNAUTHENTICATED', 'ISSUER_MISMATCH');
  });

  test('a missing or non-string iss is refused', async () => {
    await expectRejected(verifier.verify(token({ iss: undefined })), 'UNAUTHENTICATED', 'ISSUER_MISMATCH');
    for (const iss of [[ISSUER], { iss: ISSUER }, 1, null, true]) {
      await expectRejected(verifier.verify(token({ iss })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
  });

  test('a list of issuers accepts any one of them, exactly', async () => {
    const several = make({ issuer: [ISSUER, 'https://other.example'] });
    await expect(several.verify(token({ iss: 'https://other.example' }))).resolves.toBeDefined();
    await expectRejected(
      several.verify(token({ iss: 'https://other.example/' })),
      'UNAUTHENTICATED',
      'ISSUER_MISMATCH',
    );
  });
});

describe('aud is any-of, exactly', () => {
  test('a token naming the audience (alone or among others) passes', async () => {
    await expect(verifier.verify(token({ aud: [AUDIENCE] }))).resolves.toBeDefined();
    await expect(verifier.verify(token({ aud: ['https://other.example', AUDIENCE] }))).resolves.toBeDefined();
    const two = make({ audience: ['https://a.example', AUDIENCE] });
    await expect(two.verify(token({ aud: 'https://a.example' }))).resolves.toBeDefined();
  });

  test('look-alikes, absence and empty lists fail', async () => {
    const mismatches = [
      `${AUDIENCE}/`,
      'https://API.example',
      ` ${AUDIENCE}`,
      `${AUDIENCE}.evil`,
      'https://api',
      [],
      ['https://other.example'],
      undefined,
    ];
    for (const aud of mismatches) {
      await expectRejected(verifier.verify(token({ aud })), 'UNAUTHENTICATED', 'AUDIENCE_MISMATCH');
    }
  });

  test('wrong types are invalid claims, even next to the right audience', async () => {
    for (const aud of [1, null, true, {}, { aud: AUDIENCE }, [1], [AUDIENCE, 1], [[AUDIENCE]], [AUDIENCE, null]]) {
      await expectRejected(verifier.verify(token({ aud })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
  });
});

describe('registered claims are type-checked when present', () => {
  const wrongStrings = [1, 0, true, false, null, [], ['x'], {}, { v: 'x' }];

  test('jti must be a string', async () => {
    await expect(verifier.verify(token({ jti: 'b1f4c2' }))).resolves.toBeDefined();
    for (const jti of wrongStrings) {
      await expectRejected(verifier.verify(token({ jti })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
  });

  test('sub must be a string, also when the user id is read from another claim', async () => {
    const byUserId = make({ claims: { id: 'uid' } });
    await expect(byUserId.verify(token({ uid: 'user-9', sub: 'client-1' }))).resolves.toMatchObject({ id: 'user-9' });
    await expect(byUserId.verify(token({ uid: 'user-9', sub: undefined }))).resolves.toMatchObject({ id: 'user-9' });
    for (const sub of wrongStrings) {
      await expectRejected(byUserId.verify(token({ uid: 'user-9', sub })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    }
  });

  test('without an expected issuer or audience, iss and aud are still type-checked', async () => {
    const open = make({ issuer: undefined, audience: false });
    await expect(open.verify(token({ iss: undefined, aud: undefined }))).resolves.toBeDefined();
    await expectRejected(open.verify(token({ iss: 1 })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    await expectRejected(open.verify(token({ aud: [AUDIENCE, 2] })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
  });
});

describe('sender-constrained tokens (cnf) are refused as Bearer tokens', () => {
  const bindings = [
    { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }, // DPoP, RFC 9449
    { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }, // mTLS, RFC 8705
    {},
    null,
    'anything',
  ];

  test.each(bindings)('cnf %j → 401 TOKEN_SENDER_CONSTRAINED', async (cnf) => {
    const error = await expectRejected(verifier.verify(token({ cnf })), 'UNAUTHENTICATED', 'TOKEN_SENDER_CONSTRAINED');
    expect(error.status).toBe(401);
    expect(error.wwwAuthenticate).toContain('error="invalid_token"');
  });

  test('through authenticate() with an Authorization: Bearer header too', async () => {
    const bound = token({ cnf: bindings[0] });
    const headers = new Headers({ authorization: `Bearer ${bound}` });
    await expectRejected(verifier.authenticate(headers), 'UNAUTHENTICATED', 'TOKEN_SENDER_CONSTRAINED');
    await expect(verifier.authenticate(new Headers({ authorization: `Bearer ${token()}` }))).resolves.toBeDefined();
  });
});

describe('the user', () => {
  test("is built from Frontegg's claim names by default, roles and permissions as exact strings", async () => {
    const user = await verifier.verify(
      token({
        sub: 'u-42',
        roles: ['Admin', 'read-only'],
        permissions: ['reports:read'],
        tenantId: 't-1',
        type: 'userToken',
        email: 'a@b.c',
      }),
    );
    expect(user).toMatchObject({
      id: 'u-42',
      roles: ['Admin', 'read-only'],
      permissions: ['reports:read'],
      tenantId: 't-1',
    });
    expect(user.claims.email).toBe('a@b.c');
    expect(isAuthorized(user, { roles: ['admin'] })).toBe(false);
    expect(isAuthorized(user, { roles: ['Admin'] })).toBe(true);
  });

  test('without roles or permissions is valid, with empty lists', async () => {
    for (const extra of [{}, { roles: null, permissions: null }, { roles: [], permissions: [] }]) {
      const user = await verifier.verify(token(extra));
      expect(user.roles).toEqual([]);
      expect(user.permissions).toEqual([]);
    }
  });

  test('is deeply frozen, also when it comes from the cache', async () => {
    const t = token({ roles: ['user'], permissions: ['p'], ext: { nested: { list: [1, { deep: true }] } } });
    for (const user of [await verifier.verify(t), await verifier.verify(t)]) {
      expect(Object.isFrozen(user)).toBe(true);
      expect(Object.isFrozen(user.roles)).toBe(true);
      expect(Object.isFrozen(user.permissions)).toBe(true);
      expect(Object.isFrozen(user.claims)).toBe(true);
      const ext = user.claims.ext as { nested: { list: [number, { deep: boolean }] } };
      expect(Object.isFrozen(ext.nested.list[1])).toBe(true);
      expect(() => (user.roles as string[]).push('admin')).toThrow(TypeError);
      expect(() => {
        (user as { id: string }).id = 'other';
      }).toThrow(TypeError);
      expect(() => {
        (user.claims as Record<string, unknown>).roles = ['admin'];
      }).toThrow(TypeError);
      expect(() => {
        ext.nested.list[1].deep = false;
      }).toThrow(TypeError);
      expect(user.roles).toEqual(['user']);
    }
  });

  describe('claim type confusion makes the token invalid', () => {
    const wrongLists = [
      'superadmin',
      'admin',
      'admin read-only',
      { admin: true },
      { 0: 'admin', length: 1 },
      1,
      true,
      [['admin']],
      [1],
      ['admin', 2],
      ['admin', null],
      ['admin', { name: 'admin' }],
      [''],
    ];

    test.each(wrongLists.map((value) => [JSON.stringify(value), value]))('roles: %s', async (_, roles) => {
      await expectRejected(verifier.verify(token({ roles })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    });

    test.each(wrongLists.map((value) => [JSON.stringify(value), value]))('permissions: %s', async (_, permissions) => {
      await expectRejected(verifier.verify(token({ permissions })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
    });

    test('roles: "superadmin" never satisfies admin, through authenticate and authorize', async () => {
      const bearer = { authorization: `Bearer ${token({ roles: 'superadmin' })}` };
      await expectRejected(verifier.authenticate(bearer), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
      const handMade = Object.freeze({ id: 'x', roles: 'superadmin', permissions: 'admin:all', claims: {} });
      expect(isAuthorized(handMade as never, { roles: ['admin'] })).toBe(false);
      expect(isAuthorized(handMade as never, { permissions: ['admin'] })).toBe(false);
      expect(() => authorize(handMade as never, { roles: ['admin'] })).toThrow('Insufficient permissions');
    });

    test('sub missing, empty or not a string', async () => {
      for (const sub of [undefined, '', 42, null, ['u'], { id: 'u' }]) {
        await expectRejected(verifier.verify(token({ sub })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
      }
    });

    test('tenantId not a string', async () => {
      for (const tenantId of [42, ['t'], { id: 't' }, true]) {
        await expectRejected(verifier.verify(token({ tenantId })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
      }
    });
  });
});
