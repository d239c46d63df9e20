import { generateKeyPairSync, sign as signBytes } from 'node:crypto';
import {
  AUTH_ERROR_MESSAGES,
  type AuthError,
  authorize,
  createVerifier,
  GatehouseConfigError,
  type Verifier,
} from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  b64,
  connectionCounter,
  expectClientSafe,
  expectRejected,
  type Listening,
  nowSeconds,
  rejection,
  serveJson,
  signRawRs256,
} from './verifier-fixtures.js';

const AUDIENCE = 'https://api.example';

let rsa: TestIssuer;
let ec: TestIssuer;
/** The three ways of trusting the RSA issuer: its JWKS, its PEM, its issuer URL (OIDC discovery). */
let viaJwks: Verifier;
let viaPublicKey: Verifier;
let viaDiscovery: Verifier;
let viaEcJwks: Verifier;

beforeAll(async () => {
  rsa = await createTestIssuer({ audience: AUDIENCE });
  ec = await createTestIssuer({ algorithm: 'ES256', audience: AUDIENCE });
  viaJwks = createVerifier({ jwksUri: rsa.jwksUri, issuer: rsa.issuer, audience: AUDIENCE });
  viaPublicKey = createVerifier({ publicKey: rsa.publicKeyPem(), issuer: rsa.issuer, audience: AUDIENCE });
  viaDiscovery = createVerifier({ issuer: rsa.issuer, audience: AUDIENCE });
  viaEcJwks = createVerifier({ jwksUri: ec.jwksUri, issuer: ec.issuer, audience: AUDIENCE });
});

afterAll(async () => {
  await Promise.all([rsa.close(), ec.close()]);
});

const rsaVerifiers = () =>
  [
    ['jwksUri', viaJwks],
    ['publicKey', viaPublicKey],
    ['issuer (discovery)', viaDiscovery],
  ] as const;

function claims(extra: Record<string, unknown> = {}, issuer: TestIssuer = rsa): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: issuer.issuer, sub: 'user-1', aud: AUDIENCE, iat: now, exp: now + 600, roles: ['user'], ...extra };
}

const rsaHeader = (extra: Record<string, unknown> = {}) => ({
  alg: 'RS256',
  typ: 'JWT',
  kid: rsa.currentKid,
  ...extra,
});
/** RS256 signature bytes under whatever header is given (hostile `alg` values included). */
const signRsa = (payload: Record<string, unknown> | string, header: Record<string, unknown> = rsaHeader()) =>
  signRawRs256(
    JSON.stringify(header),
    typeof payload === 'string' ? payload : JSON.stringify(payload),
    rsa.privateKey(),
  );
const segments = (token: string) => token.split('.') as [string, string, string];

test('a well-formed token verifies with every key source, so each rejection below is the attack being caught', async () => {
  const token = signRsa(claims());
  for (const [, verifier] of rsaVerifiers()) {
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'user-1', roles: ['user'] });
  }
  await expect(
    viaEcJwks.verify(
      signJwt({ header: { alg: 'ES256', kid: ec.currentKid }, payload: claims({}, ec), key: ec.privateKey() }),
    ),
  ).resolves.toMatchObject({ id: 'user-1' });
});

describe('alg "none"', () => {
  const spellings = ['none', 'None', 'NONE', 'nOnE', 'none ', ' none', 'none\u0000'];

  test.each(spellings)('%j is refused by every verifier, with or without a signature', async (alg) => {
    const secretVerifier = createVerifier({ audience: AUDIENCE, secret: 'x'.repeat(32) });
    const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(claims())}.`;
    const withSignature = `${unsigned}${segments(signRsa(claims()))[2]}`;
    const withKid = `${b64({ alg, kid: rsa.currentKid })}.${b64(claims())}.${segments(signRsa(claims()))[2]}`;
    for (const verifier of [viaJwks, viaPublicKey, viaDiscovery, viaEcJwks, secretVerifier]) {
      for (const token of [unsigned, withSignature, withKid]) {
        await expectRejected(verifier.verify(token), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
      }
    }
  });

  test('cannot be configured, in any spelling', () => {
    for (const alg of ['none', 'NONE', 'None']) {
      expect(() => createVerifier({ audience: AUDIENCE, jwksUri: rsa.jwksUri, algorithms: [alg] })).toThrow(
        GatehouseConfigError,
      );
      expect(() => createVerifier({ audience: AUDIENCE, secret: 'x'.repeat(32), algorithms: ['HS256', alg] })).toThrow(
        /none/,
      );
    }
  });
});

describe('algorithm confusion: RS256 → HS256 with the public key as the HMAC secret', () => {
  const forgeries = () => {
    const pem = rsa.publicKeyPem();
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const jwkText = JSON.stringify(rsa.jwks().keys[0]);
    const out: string[] = [];
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      for (const secret of [pem, pem.trim(), jwkText, der]) {
        for (const header of [
          { alg, typ: 'JWT' },
          { alg, typ: 'JWT', kid: rsa.currentKid },
        ]) {
          out.push(signJwt({ header, payload: claims({ roles: ['admin'] }), key: secret }));
        }
      }
    }
    return out;
  };

  test.each(['jwksUri', 'publicKey', 'issuer (discovery)'])('refused by a %s verifier', async (name) => {
    const verifier = rsaVerifiers().find(([n]) => n === name)?.[1] as Verifier;
    for (const token of forgeries()) {
      await expectRejected(verifier.verify(token), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    }
  });

  test('HMAC cannot be allowed for a public key, a key set or an issuer', () => {
    expect(() => createVerifier({ audience: AUDIENCE, publicKey: rsa.publicKeyPem(), algorithms: ['HS256'] })).toThrow(
      GatehouseConfigError,
    );
    expect(() => createVerifier({ audience: AUDIENCE, jwksUri: rsa.jwksUri, algorithms: ['HS256'] })).toThrow(
      GatehouseConfigError,
    );
    expect(() => createVerifier({ audience: AUDIENCE, issuer: rsa.issuer, algorithms: ['RS256', 'HS512'] })).toThrow(
      GatehouseConfigError,
    );
    expect(() => createVerifier({ audience: AUDIENCE, secret: rsa.publicKeyPem() })).toThrow(/publicKey/);
  });

  test('a symmetric key published in a JWKS is never used', async () => {
    const secret = Buffer.alloc(32, 7);
    const jwks = await serveJson({
      keys: [
        { kty: 'oct', k: secret.toString('base64url'), kid: 'shared', alg: 'HS256', use: 'sig' },
        ...rsa.jwks().keys,
      ],
    });
    try {
      const verifier = createVerifier({ audience: AUDIENCE, jwksUri: `${jwks.url}/jwks.json` });
      const forged = signJwt({ header: { alg: 'HS256', kid: 'shared' }, payload: claims(), key: secret });
      await expectRejected(verifier.verify(forged), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
      // The RSA key of the same set still works: the symmetric member was skipped, not the set.
      await expect(verifier.verify(signRsa(claims()))).resolves.toMatchObject({ id: 'user-1' });
    } finally {
      await jwks.close();
    }
  });
});

describe('signature and payload tampering', () => {
  test('a stripped signature is refused', async () => {
    const [h, p] = segments(signRsa(claims()));
    for (const [, verifier] of rsaVerifiers()) {
      await expectRejected(verifier.verify(`${h}.${p}.`), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
      await expectRejected(verifier.verify(`${h}.${p}`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });

  test('changing the payload (roles, sub, exp) while keeping the signature is refused', async () => {
    const [h, , s] = segments(signRsa(claims()));
    const tampered = [
      claims({ roles: ['admin'] }),
      claims({ sub: 'someone-else' }),
      claims({ exp: nowSeconds() + 86_400 }),
    ];
    for (const payload of tampered) {
      for (const [, verifier] of rsaVerifiers()) {
        await expectRejected(verifier.verify(`${h}.${b64(payload)}.${s}`), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
      }
    }
  });

  test('changing the header while keeping the signature is refused', async () => {
    const [, p, s] = segments(signRsa(claims()));
    const header = b64({ alg: 'RS256', typ: 'at+jwt', kid: rsa.currentKid });
    await expectRejected(viaJwks.verify(`${header}.${p}.${s}`), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
  });

  test('a signature of another token is refused', async () => {
    const [, , otherSignature] = segments(signRsa(claims({ sub: 'other' })));
    const [h, p] = segments(signRsa(claims()));
    await expectRejected(viaJwks.verify(`${h}.${p}.${otherSignature}`), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
  });
});

describe('ECDSA', () => {
  const ecHeader = () => b64({ alg: 'ES256', typ: 'JWT', kid: ec.currentKid });

  test('the zero signature (r = s = 0) is refused, in raw and DER form', async () => {
    const input = `${ecHeader()}.${b64(claims({}, ec))}`;
    const zeros = [Buffer.alloc(64), Buffer.from('3006020100020100', 'hex'), Buffer.alloc(1)];
    for (const signature of zeros) {
      await expectRejected(
        viaEcJwks.verify(`${input}.${signature.toString('base64url')}`),
        'UNAUTHENTICATED',
        'SIGNATURE_INVALID',
      );
    }
  });

  test('signatures of the wrong length are refused, including a valid one in DER encoding', async () => {
    const input = `${ecHeader()}.${b64(claims({}, ec))}`;
    const raw = signBytes('sha256', Buffer.from(input), { key: ec.privateKey(), dsaEncoding: 'ieee-p1363' });
    const der = signBytes('sha256', Buffer.from(input), { key: ec.privateKey(), dsaEncoding: 'der' });
    await expect(viaEcJwks.verify(`${input}.${raw.toString('base64url')}`)).resolves.toBeDefined();
    for (const signature of [
      raw.subarray(0, 63),
      Buffer.concat([raw, Buffer.alloc(1)]),
      Buffer.concat([Buffer.alloc(1), raw]),
      der,
    ]) {
      await expectRejected(
        viaEcJwks.verify(`${input}.${signature.toString('base64url')}`),
        'UNAUTHENTICATED',
        'SIGNATURE_INVALID',
      );
    }
  });

  test('an ES256 header over a signature made on another curve is refused', async () => {
    const payload = claims({}, ec);
    for (const namedCurve of ['P-384', 'P-521', 'P-256']) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve });
      const forged = signJwt({ header: { alg: 'ES256', kid: ec.currentKid }, payload, key: privateKey });
      await expectRejected(viaEcJwks.verify(forged), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
    }
  });

  test('the key set binds the key to its algorithm: ES384/ES512 headers are refused for a P-256 key', async () => {
    for (const alg of ['ES384', 'ES512']) {
      const forged = `${b64({ alg, kid: ec.currentKid })}.${b64(claims({}, ec))}.${Buffer.alloc(96).toString('base64url')}`;
      await expectRejected(viaEcJwks.verify(forged), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    }
  });
});

describe('RSA', () => {
  test('a key shorter than 2048 bits is refused as publicKey, and skipped in a key set', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      createVerifier({
        audience: AUDIENCE,
        publicKey: weak.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      }),
    ).toThrow(GatehouseConfigError);
    const jwks = await serveJson({
      keys: [{ ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' }, ...rsa.jwks().keys],
    });
    try {
      const verifier = createVerifier({
        audience: AUDIENCE,
        jwksUri: `${jwks.url}/jwks.json`,
        keySet: { cooldown: 3600 },
      });
      const token = signJwt({ header: { alg: 'RS256', kid: 'weak' }, payload: claims(), key: weak.privateKey });
      await expectRejected(verifier.verify(token), 'UNAUTHENTICATED', 'KEY_NOT_FOUND');
      await expect(verifier.verify(signRsa(claims()))).resolves.toMatchObject({ id: 'user-1' });
    } finally {
      await jwks.close();
    }
  });

  test('PS/RS confusion: a key published for RS256 does not verify PS256, and RS256 bytes do not pass as PS256', async () => {
    const ps = signJwt({ header: { alg: 'PS256', kid: rsa.currentKid }, payload: claims(), key: rsa.privateKey() });
    await expectRejected(viaJwks.verify(ps), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    // A bare PEM fits RS* and PS*; an allowlist narrows it, and a relabelled signature never verifies.
    const rsOnly = createVerifier({ audience: AUDIENCE, publicKey: rsa.publicKeyPem(), algorithms: ['RS256'] });
    await expectRejected(rsOnly.verify(ps), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    const [, p, rsSignature] = segments(signRsa(claims()));
    const relabelled = `${b64({ alg: 'PS256', kid: rsa.currentKid })}.${p}.${rsSignature}`;
    await expectRejected(viaPublicKey.verify(relabelled), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
  });
});

describe('shape and size', () => {
  test('tokens with more or fewer than three segments (JWE, JWS JSON, junk) are refused', async () => {
    const token = signRsa(claims());
    const [h, p, s] = segments(token);
    const malformed = [
      `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.${p}.${s}.${s}.${s}`,
      `${token}.${s}`,
      `${h}.${p}.${s}.`,
      `.${p}.${s}`,
      `${h}..${s}`,
      `${h}`,
      '',
      '...',
      JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] }),
    ];
    for (const candidate of malformed) {
      await expectRejected(viaJwks.verify(candidate), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });

  test('a 1 MB token is refused as TOKEN_TOO_LARGE before any decoding, and is never cached', async () => {
    const huge = `${b64({ alg: 'RS256' })}.${'A'.repeat(1024 * 1024)}.${segments(signRsa(claims()))[2]}`;
    const before = rsa.jwksRequests;
    for (const [, verifier] of rsaVerifiers()) {
      await expectRejected(verifier.verify(huge), 'UNAUTHENTICATED', 'TOKEN_TOO_LARGE');
      await expectRejected(verifier.verify('x'.repeat(1024 * 1024)), 'UNAUTHENTICATED', 'TOKEN_TOO_LARGE');
      await expectRejected(
        verifier.authenticate({ authorization: `Bearer ${huge}` }),
        'UNAUTHENTICATED',
        'TOKEN_TOO_LARGE',
      );
    }
    expect(rsa.jwksRequests).toBe(before);
  });

  test('maxTokenLength is the bound, to the character', async () => {
    const token = signRsa(claims());
    await expect(
      createVerifier({ audience: AUDIENCE, publicKey: rsa.publicKeyPem(), maxTokenLength: token.length }).verify(token),
    ).resolves.toBeDefined();
    await expectRejected(
      createVerifier({ audience: AUDIENCE, publicKey: rsa.publicKeyPem(), maxTokenLength: token.length - 1 }).verify(
        token,
      ),
      'UNAUTHENTICATED',
      'TOKEN_TOO_LARGE',
    );
  });

  test('deeply nested JSON is refused without exhausting the stack; modest nesting is fine', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const base = JSON.stringify(claims()).slice(0, -1);
    const deep = signRsa(`${base},"x":${nested(2000)}}`);
    await expectRejected(viaPublicKey.verify(deep), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    const deepHeader = signRawRs256(`{"alg":"RS256","x":${nested(2000)}}`, JSON.stringify(claims()), rsa.privateKey());
    await expectRejected(viaPublicKey.verify(deepHeader), 'UNAUTHENTICATED', 'HEADER_INVALID');
    const roomy = createVerifier({ audience: AUDIENCE, publicKey: rsa.publicKeyPem(), maxTokenLength: 2_000_000 });
    await expectRejected(
      roomy.verify(signRsa(`${base},"x":${nested(400_000)}}`)),
      'UNAUTHENTICATED',
      'TOKEN_MALFORMED',
    );
    const fine = await viaPublicKey.verify(signRsa(`${base},"x":${nested(10)}}`));
    expect(fine.claims.x).toBeInstanceOf(Array);
  });

  test('payloads and headers that are not JSON objects, or not UTF-8, are refused', async () => {
    const header = b64(rsaHeader());
    const payloads = ['[]', '"a"', '1', 'null', 'true', '{', '', '\ufeff{"sub":"a"}'];
    for (const payload of payloads) {
      await expectRejected(viaPublicKey.verify(signRsa(payload)), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
    const notUtf8 = Buffer.concat([
      Buffer.from('{"sub":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`","exp":${nowSeconds() + 60}}`),
    ]);
    const input = `${header}.${notUtf8.toString('base64url')}`;
    const signature = signBytes('sha256', Buffer.from(input), rsa.privateKey()).toString('base64url');
    await expectRejected(viaPublicKey.verify(`${input}.${signature}`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    const badHeader = `${b64('[]')}.${b64(claims())}.${segments(signRsa(claims()))[2]}`;
    await expectRejected(viaPublicKey.verify(badHeader), 'UNAUTHENTICATED', 'HEADER_INVALID');
  });

  test('non-string tokens are refused', async () => {
    for (const value of [undefined, null, 42, {}, ['a.b.c'], Buffer.from(signRsa(claims()))]) {
      await expectRejected(viaJwks.verify(value as unknown as string), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });
});

describe('canonical base64url only', () => {
  test('padding, the base64 alphabet, whitespace and non-zero trailing bits are refused', async () => {
    const token = signRsa(claims({ sub: 'user-12' }));
    await expect(viaPublicKey.verify(token)).resolves.toBeDefined();
    const [h, p, s] = segments(token);
    const std = (segment: string) => segment.replace(/-/g, '+').replace(/_/g, '/');
    // RS256 signatures are 256 bytes: 342 characters, the last carrying 4 unused bits.
    expect(s.length % 4).toBe(2);
    const last = s.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = alphabet[alphabet.indexOf(last) | 0b0001] as string;
    const variants = [
      `${h}.${p}.${s}==`,
      `${h}=.${p}.${s}`,
      `${h}.${p}=.${s}`,
      `${std(h)}.${p}.${s}`,
      `${h}.${p}.${std(s)}`,
      `${h}.${p}.${s.slice(0, -1)}${flipped}`,
      ` ${token}`,
      `${token}\n`,
      `${h}.${p.slice(0, 10)} ${p.slice(10)}.${s}`,
      `${h}.${p}.${s.slice(0, 100)}\n${s.slice(100)}`,
    ].filter((variant) => variant !== token);
    expect(variants.length).toBeGreaterThanOrEqual(9);
    for (const variant of variants) {
      await expectRejected(viaPublicKey.verify(variant), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });

  test('a header or payload with non-zero trailing bits is refused', async () => {
    // 23 bytes: a header whose last character carries unused bits.
    const token = signRawRs256('{"alg":"RS256","x":"a"}', JSON.stringify(claims({ sub: 'abc' })), rsa.privateKey());
    const [h, p, s] = segments(token);
    await expect(viaPublicKey.verify(token)).resolves.toBeDefined();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flip = (segment: string) => {
      const mask = segment.length % 4 === 2 ? 0b1111 : 0b11;
      const last = alphabet.indexOf(segment.at(-1) as string);
      return `${segment.slice(0, -1)}${alphabet[(last & ~mask) | 1]}`;
    };
    expect(h.length % 4).not.toBe(0);
    await expectRejected(viaPublicKey.verify(`${flip(h)}.${p}.${s}`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    if (p.length % 4 !== 0) {
      await expectRejected(viaPublicKey.verify(`${h}.${flip(p)}.${s}`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });
});

describe('duplicate JSON members', () => {
  const payload = (body: string) =>
    `{"iss":"${rsa.issuer}","sub":"user-1","aud":"${AUDIENCE}","exp":${nowSeconds() + 600},${body}}`;

  test('in the payload, at any depth and under any escape, are refused', async () => {
    await expect(
      viaPublicKey.verify(signRawRs256('{"alg":"RS256"}', payload('"roles":["user"]'), rsa.privateKey())),
    ).resolves.toBeDefined();
    const bodies = [
      '"roles":["user"],"roles":["admin"]',
      '"roles":["user"],"\\u0072oles":["admin"]',
      '"\\u0072\\u006f\\u006c\\u0065\\u0073":["user"],"roles":["admin"]',
      '"ext":{"a":1,"a":2}',
      '"ext":[{"a":1},{"b":{"c":1,"\\u0063":2}}]',
      '"sub":"admin"',
      '"__proto__":{},"__proto__":{}',
    ];
    for (const body of bodies) {
      const token = signRawRs256('{"alg":"RS256"}', payload(body), rsa.privateKey());
      await expectRejected(viaPublicKey.verify(token), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });

  test('in the header are refused', async () => {
    const headers = [
      '{"alg":"RS256","alg":"none"}',
      '{"alg":"none","alg":"RS256"}',
      '{"alg":"RS256","\\u0061lg":"HS256"}',
      `{"alg":"RS256","kid":"${rsa.currentKid}","kid":"other"}`,
      '{"alg":"RS256","typ":"JWT","typ":"JWT"}',
    ];
    for (const header of headers) {
      const token = signRawRs256(header, payload('"roles":[]'), rsa.privateKey());
      await expectRejected(viaPublicKey.verify(token), 'UNAUTHENTICATED', 'HEADER_INVALID');
    }
  });

  test('names that only look alike are distinct members', async () => {
    const token = signRawRs256('{"alg":"RS256"}', payload('"a":1,"A":2,"a ":3,"\\"a":4,"a\\\\":5'), rsa.privateKey());
    const user = await viaPublicKey.verify(token);
    expect(user.claims).toMatchObject({ a: 1, A: 2, 'a ': 3, '"a': 4, 'a\\': 5 });
  });
});

describe('header policy', () => {
  test('typ: absent, JWT and at+jwt (any case, application/ prefix) pass by default; others are refused', async () => {
    for (const typ of [undefined, 'JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt', 'application/jwt']) {
      await expect(
        viaJwks.verify(signRsa(claims(), { alg: 'RS256', kid: rsa.currentKid, typ })),
      ).resolves.toBeDefined();
    }
    for (const typ of [
      'JWE',
      'dpop+jwt',
      'secevent+jwt',
      'logout+jwt',
      'id_token',
      'JOSE',
      'JWT ',
      '',
      'application/',
    ]) {
      await expectRejected(
        viaJwks.verify(signRsa(claims(), rsaHeader({ typ }))),
        'UNAUTHENTICATED',
        'TYPE_NOT_ALLOWED',
      );
    }
    for (const typ of [1, null, ['JWT'], { t: 'JWT' }]) {
      await expectRejected(viaJwks.verify(signRsa(claims(), rsaHeader({ typ }))), 'UNAUTHENTICATED', 'HEADER_INVALID');
    }
  });

  test('types narrows the allowlist', async () => {
    const strict = createVerifier({ audience: AUDIENCE, publicKey: rsa.publicKeyPem(), types: ['at+jwt'] });
    await expect(strict.verify(signRsa(claims(), rsaHeader({ typ: 'at+jwt' })))).resolves.toBeDefined();
    await expectRejected(
      strict.verify(signRsa(claims(), rsaHeader({ typ: 'JWT' }))),
      'UNAUTHENTICATED',
      'TYPE_NOT_ALLOWED',
    );
    await expectRejected(strict.verify(signRsa(claims(), { alg: 'RS256' })), 'UNAUTHENTICATED', 'TYPE_NOT_ALLOWED');
  });

  test('crit (any value) and b64 are refused', async () => {
    for (const extra of [
      { crit: ['exp'] },
      { crit: [] },
      { crit: ['b64'], b64: false },
      { b64: true },
      { crit: 'exp' },
    ]) {
      await expectRejected(viaJwks.verify(signRsa(claims(), rsaHeader(extra))), 'UNAUTHENTICATED', 'CRITICAL_HEADER');
    }
  });

  test('kid must be a non-empty string of at most 256 characters', async () => {
    for (const kid of [1, true, null, {}, [rsa.currentKid], '', 'k'.repeat(257)]) {
      await expectRejected(viaJwks.verify(signRsa(claims(), rsaHeader({ kid }))), 'UNAUTHENTICATED', 'HEADER_INVALID');
    }
  });

  test('alg must be an exact, supported name', async () => {
    for (const alg of ['rs256', 'RS256 ', 'RS-256', 'RSA', 'HS256', 'ES256K', 'Ed448', '', 1, null, ['RS256']]) {
      await expectRejected(
        viaJwks.verify(signRsa(claims(), rsaHeader({ alg }))),
        'UNAUTHENTICATED',
        'ALGORITHM_NOT_ALLOWED',
      );
    }
    await expectRejected(viaJwks.verify(signRsa(claims(), { typ: 'JWT' })), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
  });
});

describe('jku, x5u, jwk, x5c and kid are never used to find a key', () => {
  let trap: Listening & { readonly connections: number };
  beforeAll(async () => {
    trap = await connectionCounter();
  });
  afterAll(() => trap.close());

  test('a valid token pointing jku and x5u at a listening socket causes no connection', async () => {
    const header = rsaHeader({ jku: `${trap.url}/jwks.json`, x5u: `${trap.url}/cert.pem` });
    for (const [, verifier] of rsaVerifiers())
      await expect(verifier.verify(signRsa(claims(), header))).resolves.toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trap.connections).toBe(0);
  });

  test('an attacker key announced through jku, x5u, jwk or x5c is not trusted, and nothing is fetched', async () => {
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker', alg: 'RS256' };
    const der = attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const headers = [
      { alg: 'RS256', jku: `${trap.url}/jwks.json`, kid: 'attacker' },
      { alg: 'RS256', x5u: `${trap.url}/cert.pem` },
      { alg: 'RS256', jwk },
      { alg: 'RS256', jwk, kid: rsa.currentKid },
      { alg: 'RS256', x5c: [der] },
      { alg: 'RS256', kid: `${trap.url}/jwks.json` },
    ];
    for (const header of headers) {
      const forged = signJwt({ header, payload: claims({ roles: ['admin'] }), key: attacker.privateKey });
      for (const [, verifier] of rsaVerifiers()) {
        await expectRejected(verifier.verify(forged), 'UNAUTHENTICATED', ['SIGNATURE_INVALID', 'KEY_NOT_FOUND']);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trap.connections).toBe(0);
  });

  test('kid injection strings find no key and reach no server', async () => {
    const verifier = createVerifier({
      audience: AUDIENCE,
      jwksUri: rsa.jwksUri,
      issuer: rsa.issuer,
      keySet: { cooldown: 3600 },
    });
    await verifier.verify(signRsa(claims()));
    const kids = [
      '../../../../etc/passwd',
      "' OR '1'='1",
      '*',
      `${rsa.currentKid}\u0000`,
      `${rsa.currentKid} `,
      trap.url,
      '%2e%2e/',
    ];
    for (const kid of kids) {
      await expectRejected(verifier.verify(signRsa(claims(), rsaHeader({ kid }))), 'UNAUTHENTICATED', 'KEY_NOT_FOUND');
    }
    expect(trap.connections).toBe(0);
  });
});

describe('prototype pollution', () => {
  const payloadWith = (members: string) => `${JSON.stringify(claims()).slice(0, -1)},${members}}`;

  test('__proto__, constructor and prototype in the payload pollute nothing and grant nothing', async () => {
    const members = [
      '"__proto__":{"roles":["admin"],"permissions":["*"],"polluted":true}',
      '"constructor":{"prototype":{"roles":["admin"],"polluted":true}}',
      '"prototype":{"roles":["admin"],"polluted":true}',
    ];
    for (const member of members) {
      const user = await viaPublicKey.verify(signRsa(payloadWith(member).replace('"roles":["user"],', '')));
      expect(user.roles).toEqual([]);
      expect(user.permissions).toEqual([]);
      expect(() => authorize(user, { roles: ['admin'] })).toThrow(AUTH_ERROR_MESSAGES.FORBIDDEN);
      expect(Object.getPrototypeOf(user.claims)).toBe(Object.prototype);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('__proto__ and constructor in the header pollute nothing and supply no alg', async () => {
    const header = JSON.parse(
      `{"alg":"RS256","kid":"${rsa.currentKid}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`,
    );
    await expect(viaJwks.verify(signRsa(claims(), header))).resolves.toBeDefined();
    const inherited = JSON.parse(`{"kid":"${rsa.currentKid}","__proto__":{"alg":"RS256"}}`);
    await expectRejected(viaJwks.verify(signRsa(claims(), inherited)), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).alg).toBeUndefined();
  });
});

describe('client-facing errors', () => {
  test('every rejection carries a fixed message, one line of stack, and no token, kid, alg or URL', async () => {
    const token = signRsa(claims());
    const [h, p] = segments(token);
    const kid = 'kid-that-must-not-leak-0123456789';
    const cases: [Verifier, string][] = [
      [viaJwks, `${h}.${p}.`],
      [viaJwks, signRsa(claims({ exp: nowSeconds() - 3600 }))],
      [viaJwks, signRsa(claims({ iss: 'https://evil.example' }))],
      [viaJwks, signRsa(claims({ aud: 'https://other.example' }))],
      [viaJwks, signRsa(claims({ roles: 'superadmin' }))],
      [viaJwks, signRsa(claims(), rsaHeader({ kid }))],
      [viaJwks, signRsa(claims(), rsaHeader({ alg: 'HS256' }))],
      [viaJwks, signRsa(claims(), rsaHeader({ typ: 'dpop+jwt' }))],
      [viaJwks, 'not-a-token'],
      [viaJwks, 'x'.repeat(100_000)],
      [createVerifier({ audience: AUDIENCE, jwksUri: 'http://127.0.0.1:1/jwks.json' }), token],
    ];
    for (const [verifier, candidate] of cases) {
      const error: AuthError = await rejection(verifier.verify(candidate));
      expectClientSafe(error, [
        candidate,
        h,
        p,
        kid,
        rsa.currentKid,
        'HS256',
        'RS256',
        rsa.issuer,
        rsa.jwksUri,
        '127.0.0.1',
      ]);
    }
  });
});
