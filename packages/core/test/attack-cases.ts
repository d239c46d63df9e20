// One table of verification cases (valid tokens and attacks), run on Node in-process and on every
// other runtime through its server: a token forged on one runtime must be refused on all of them.
import { generateKeyPairSync, type KeyObject, sign as signBytes } from 'node:crypto';
import {
  AuthError,
  type AuthErrorCode,
  type AuthErrorReason,
  type Verifier,
  type VerifierOptions,
} from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer, type TestIssuerAlgorithm } from '@gatehousejs/core/testing';
import {
  type Behavior,
  hang,
  hangAfterHeaders,
  huge,
  issuerKeys,
  json,
  redirect,
  startKeyServer,
  status,
} from './keys-servers.js';
import { b64, type Listening, nowSeconds, serveJson } from './verifier-fixtures.js';

export const AUDIENCE = 'https://api.example';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const HS_ISSUER = 'https://hs.example';

/** The verifiers the cases run against: JSON options, so that any runtime can build them. */
export type VerifierName =
  | 'rsaJwks'
  | 'rsaPem'
  | 'rsaDiscovery'
  | 'psJwks'
  | 'ecJwks'
  | 'ec384Jwks'
  | 'ec521Jwks'
  | 'edJwks'
  | 'hs'
  | 'mixedJwks'
  | KeyServerFault;

/** Key servers that misbehave: the same limits must hold on every runtime (platform fetch). */
const KEY_SERVER_FAULTS = {
  hangingJwks: hang,
  stalledBodyJwks: hangAfterHeaders,
  redirectingJwks: undefined, // set up below: a redirect to the issuer's real key set
  failingJwks: status(500, '{}'),
  notJsonJwks: json('{"keys": ['),
  hugeJwks: huge('honest-length', 300 * 1024),
  lyingLengthJwks: huge('lying-length', 300 * 1024),
  chunkedHugeJwks: huge('chunked', 300 * 1024),
  endlessJwks: huge('endless', 0),
  tooManyKeysJwks: undefined, // set up below: 101 copies of a real key
} as const;
type KeyServerFault = keyof typeof KEY_SERVER_FAULTS;

export type Outcome =
  | { readonly ok: true; readonly sub: string }
  | { readonly code: AuthErrorCode; readonly reason: AuthErrorReason };

export interface AttackCase {
  readonly name: string;
  readonly verifier: VerifierName;
  readonly token: string;
  readonly expected: Outcome;
}

export interface AttackFixture {
  /** The RS256 issuer behind `rsaJwks`, for tokens of any claims. */
  readonly issuer: TestIssuer;
  readonly verifiers: Readonly<Record<VerifierName, VerifierOptions>>;
  readonly cases: readonly AttackCase[];
  /** Requests that reached the redirect's target: must stay 0. */
  redirectTargetHits(): number;
  close(): Promise<void>;
}

const ok = (sub = 'user-1'): Outcome => ({ ok: true, sub });
const refused = (reason: AuthErrorReason, code: AuthErrorCode = 'UNAUTHENTICATED'): Outcome => ({ code, reason });
const bytes64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const segments = (token: string) => token.split('.') as [string, string, string];

/** Curve orders, for signatures with r or s out of range. */
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

export async function attackFixture(): Promise<AttackFixture> {
  const issuers: Record<string, TestIssuer> = {};
  const issuerFor = async (algorithm: TestIssuerAlgorithm) => {
    issuers[algorithm] ??= await createTestIssuer({ algorithm, audience: AUDIENCE });
    return issuers[algorithm] as TestIssuer;
  };
  const [rsa, ps, ec, ec384, ec521, ed] = await Promise.all(
    (['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const).map(issuerFor),
  );
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const mixed: Listening = await serveJson({
    keys: [
      { ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' },
      { kty: 'oct', k: Buffer.from(SECRET).toString('base64url'), kid: 'shared', alg: 'HS256' },
      ...(rsa as TestIssuer).jwks().keys,
    ],
  });

  const target = await startKeyServer(issuerKeys(rsa as TestIssuer));
  const faults = await Promise.all(
    (Object.keys(KEY_SERVER_FAULTS) as KeyServerFault[]).map(async (name) => {
      const behavior =
        name === 'redirectingJwks'
          ? redirect(`${target.url}/.well-known/jwks.json`)
          : name === 'tooManyKeysJwks'
            ? json({ keys: Array.from({ length: 101 }, () => (rsa as TestIssuer).jwks().keys[0]) })
            : (KEY_SERVER_FAULTS[name] as Behavior);
      return [name, await startKeyServer(behavior)] as const;
    }),
  );

  const jwks = (issuer: TestIssuer): VerifierOptions => ({
    jwksUri: issuer.jwksUri,
    issuer: issuer.issuer,
    audience: AUDIENCE,
  });
  const r = rsa as TestIssuer;
  const verifiers: Record<VerifierName, VerifierOptions> = {
    rsaJwks: jwks(r),
    rsaPem: { publicKey: r.publicKeyPem(), issuer: r.issuer, audience: AUDIENCE },
    rsaDiscovery: { issuer: r.issuer, audience: AUDIENCE },
    psJwks: jwks(ps as TestIssuer),
    ecJwks: jwks(ec as TestIssuer),
    ec384Jwks: jwks(ec384 as TestIssuer),
    ec521Jwks: jwks(ec521 as TestIssuer),
    edJwks: jwks(ed as TestIssuer),
    hs: { secret: SECRET, issuer: HS_ISSUER, audience: AUDIENCE },
    mixedJwks: { jwksUri: `${mixed.url}/jwks.json`, issuer: r.issuer, audience: AUDIENCE },
    ...(Object.fromEntries(
      faults.map(([name, server]) => [
        name,
        // Limits: 1 s for the whole exchange, 256 KiB of body, 100 keys (the defaults but the timeout).
        { jwksUri: `${server.url}/jwks.json`, issuer: r.issuer, audience: AUDIENCE, keySet: { timeout: 1 } },
      ]),
    ) as Record<KeyServerFault, VerifierOptions>),
  };

  const now = nowSeconds();
  const claims = (issuer: string, extra: Record<string, unknown> = {}) => ({
    iss: issuer,
    sub: 'user-1',
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    roles: ['user'],
    ...extra,
  });
  const signWith = (issuer: TestIssuer, extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    signJwt({
      header: { alg: issuer.algorithm, typ: 'JWT', kid: issuer.currentKid, ...header },
      payload: claims(issuer.issuer, extra),
      key: issuer.privateKey(),
    });
  const hs = (
    extra: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    key: string | Uint8Array = SECRET,
  ) => signJwt({ header: { alg: 'HS256', typ: 'JWT', ...header }, payload: claims(HS_ISSUER, extra), key });
  /** Any bytes as the signature of an otherwise well-formed token. */
  const withSignature = (token: string, signature: Uint8Array) => {
    const [h, p] = segments(token);
    return `${h}.${p}.${bytes64(signature)}`;
  };
  const rawEcSignature = (token: string, key: KeyObject, digest: string) => {
    const [h, p] = segments(token);
    return signBytes(digest, Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' });
  };

  const byIssuer = (name: VerifierName): TestIssuer =>
    ({ psJwks: ps, ecJwks: ec, ec384Jwks: ec384, ec521Jwks: ec521, edJwks: ed })[name as 'psJwks'] as TestIssuer;
  const good = signWith(r);
  const [goodHeader, goodPayload, goodSignature] = segments(good);
  const goodSigBytes = Buffer.from(goodSignature, 'base64url');
  const pem = r.publicKeyPem();
  const jwkText = JSON.stringify(r.jwks().keys[0]);
  const ecGood = signWith(ec as TestIssuer);
  const ecSig = rawEcSignature(ecGood, (ec as TestIssuer).privateKey(), 'sha256');
  const ecDer = (() => {
    const [h, p] = segments(ecGood);
    return signBytes('sha256', Buffer.from(`${h}.${p}`), { key: (ec as TestIssuer).privateKey(), dsaEncoding: 'der' });
  })();
  const otherCurve = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const anotherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const cases: AttackCase[] = [];
  const add = (name: string, verifier: VerifierName, token: string, expected: Outcome) =>
    cases.push({ name, verifier, token, expected });

  // Valid tokens, one per key source and algorithm: each refusal below is the attack being caught.
  add('RS256 via JWKS', 'rsaJwks', good, ok());
  add('RS256 via PEM', 'rsaPem', good, ok());
  add('RS256 via OIDC discovery', 'rsaDiscovery', good, ok());
  add('PS256 via JWKS', 'psJwks', signWith(ps as TestIssuer), ok());
  add('ES256 via JWKS', 'ecJwks', ecGood, ok());
  add('ES384 via JWKS', 'ec384Jwks', signWith(ec384 as TestIssuer), ok());
  add('ES512 via JWKS', 'ec521Jwks', signWith(ec521 as TestIssuer), ok());
  add('EdDSA via JWKS', 'edJwks', signWith(ed as TestIssuer), ok());
  add('HS256 with the shared secret', 'hs', hs(), ok());
  add('RS256 from a key set that also holds weak and symmetric keys', 'mixedJwks', good, ok());

  // alg none, in several spellings, with and without a signature.
  for (const alg of ['none', 'None', 'NONE', 'none ']) {
    const unsigned = `${b64({ alg, typ: 'JWT' })}.${goodPayload}.`;
    add(`alg ${JSON.stringify(alg)} unsigned`, 'rsaJwks', unsigned, refused('ALGORITHM_NOT_ALLOWED'));
    add(
      `alg ${JSON.stringify(alg)} with a signature`,
      'rsaPem',
      `${unsigned}${goodSignature}`,
      refused('ALGORITHM_NOT_ALLOWED'),
    );
    add(
      `alg ${JSON.stringify(alg)} against a secret`,
      'hs',
      `${b64({ alg })}.${segments(hs())[1]}.`,
      refused('ALGORITHM_NOT_ALLOWED'),
    );
  }

  // RS → HS confusion: the public key (PEM, JWK text, DER) as the HMAC secret.
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  for (const [label, secret] of [
    ['PEM', pem],
    ['JWK', jwkText],
    ['DER', der],
  ] as const) {
    for (const alg of ['HS256', 'HS512']) {
      const forged = signJwt({
        header: { alg, typ: 'JWT', kid: r.currentKid },
        payload: claims(r.issuer, { roles: ['admin'] }),
        key: secret,
      });
      for (const verifier of ['rsaJwks', 'rsaPem', 'rsaDiscovery'] as const) {
        add(
          `${alg} signed with the ${label} public key (${verifier})`,
          verifier,
          forged,
          refused('ALGORITHM_NOT_ALLOWED'),
        );
      }
    }
  }
  add(
    'HS256 signed with a symmetric key published in the key set',
    'mixedJwks',
    signJwt({
      header: { alg: 'HS256', kid: 'shared' },
      payload: claims(r.issuer, { roles: ['admin'] }),
      key: SECRET,
    }),
    refused('ALGORITHM_NOT_ALLOWED'),
  );

  // Tampering.
  add('stripped signature', 'rsaJwks', `${goodHeader}.${goodPayload}.`, refused('SIGNATURE_INVALID'));
  for (const [what, extra] of [
    ['roles', { roles: ['admin'] }],
    ['sub', { sub: 'someone-else' }],
    ['exp', { exp: now + 3000 }],
  ] as const) {
    const tampered = `${goodHeader}.${b64(claims(r.issuer, extra))}.${goodSignature}`;
    add(`payload ${what} changed (JWKS)`, 'rsaJwks', tampered, refused('SIGNATURE_INVALID'));
    add(`payload ${what} changed (PEM)`, 'rsaPem', tampered, refused('SIGNATURE_INVALID'));
  }
  // Every algorithm, tampered with after signing: the signature has the right shape, only the crypto refuses it.
  const byAlgorithm: [VerifierName, string][] = [
    ['psJwks', signWith(ps as TestIssuer)],
    ['ecJwks', ecGood],
    ['ec384Jwks', signWith(ec384 as TestIssuer)],
    ['ec521Jwks', signWith(ec521 as TestIssuer)],
    ['edJwks', signWith(ed as TestIssuer)],
    ['hs', hs()],
  ];
  for (const [verifier, token] of byAlgorithm) {
    const [h, p, sig] = segments(token);
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    add(
      `${verifier}: payload changed, signature kept`,
      verifier,
      `${h}.${b64({ ...payload, roles: ['admin'] })}.${sig}`,
      refused('SIGNATURE_INVALID'),
    );
    const other = verifier === 'hs' ? hs({ sub: 'other' }) : signWith(byIssuer(verifier), { sub: 'other' });
    add(
      `${verifier}: signature of another token`,
      verifier,
      `${h}.${p}.${segments(other)[2]}`,
      refused('SIGNATURE_INVALID'),
    );
  }
  add(
    'header changed, signature kept',
    'rsaJwks',
    `${b64({ alg: 'RS256', typ: 'at+jwt', kid: r.currentKid })}.${goodPayload}.${goodSignature}`,
    refused('SIGNATURE_INVALID'),
  );
  add(
    'signature of another token',
    'rsaJwks',
    `${goodHeader}.${goodPayload}.${segments(signWith(r, { sub: 'other' }))[2]}`,
    refused('SIGNATURE_INVALID'),
  );
  const flipped = Buffer.from(goodSigBytes);
  flipped[100] = (flipped[100] as number) ^ 1;
  add('one signature bit flipped', 'rsaJwks', withSignature(good, flipped), refused('SIGNATURE_INVALID'));
  add(
    'RSA signature one byte short',
    'rsaPem',
    withSignature(good, goodSigBytes.subarray(1)),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'RSA signature with a leading zero byte',
    'rsaPem',
    withSignature(good, Buffer.concat([Buffer.alloc(1), goodSigBytes])),
    refused('SIGNATURE_INVALID'),
  );
  add('RSA signature of zeros', 'rsaJwks', withSignature(good, Buffer.alloc(256)), refused('SIGNATURE_INVALID'));
  add(
    'RS256 signed by another RSA key with the right kid',
    'rsaJwks',
    signJwt({ header: { alg: 'RS256', kid: r.currentKid }, payload: claims(r.issuer), key: anotherRsa.privateKey }),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'PS256 header for a key published for RS256',
    'rsaJwks',
    signJwt({ header: { alg: 'PS256', kid: r.currentKid }, payload: claims(r.issuer), key: r.privateKey() }),
    refused('ALGORITHM_NOT_ALLOWED'),
  );
  add(
    'RS256 signature relabelled PS256',
    'rsaPem',
    `${b64({ alg: 'PS256', kid: r.currentKid })}.${goodPayload}.${goodSignature}`,
    refused('SIGNATURE_INVALID'),
  );
  add(
    'HS256 with the wrong secret',
    'hs',
    hs({}, {}, 'another-shared-secret-of-32-bytes!!'),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'HS256 signature truncated',
    'hs',
    withSignature(hs(), Buffer.from(segments(hs())[2], 'base64url').subarray(0, 16)),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'HS384 header over an HS256 signature',
    'hs',
    `${b64({ alg: 'HS384' })}.${segments(hs())[1]}.${segments(hs())[2]}`,
    refused('SIGNATURE_INVALID'),
  );

  // ECDSA signature shapes.
  add(
    'ECDSA zero signature (r = s = 0)',
    'ecJwks',
    withSignature(ecGood, Buffer.alloc(64)),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'ECDSA zero signature in DER',
    'ecJwks',
    withSignature(ecGood, Buffer.from('3006020100020100', 'hex')),
    refused('SIGNATURE_INVALID'),
  );
  add('ECDSA one zero byte', 'ecJwks', withSignature(ecGood, Buffer.alloc(1)), refused('SIGNATURE_INVALID'));
  add(
    'ECDSA signature one byte short',
    'ecJwks',
    withSignature(ecGood, ecSig.subarray(0, 63)),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'ECDSA signature one byte long',
    'ecJwks',
    withSignature(ecGood, Buffer.concat([ecSig, Buffer.alloc(1)])),
    refused('SIGNATURE_INVALID'),
  );
  add('ECDSA valid signature in DER form', 'ecJwks', withSignature(ecGood, ecDer), refused('SIGNATURE_INVALID'));
  add(
    'ECDSA with s = 0',
    'ecJwks',
    withSignature(ecGood, Buffer.concat([ecSig.subarray(0, 32), Buffer.alloc(32)])),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'ECDSA with r = n',
    'ecJwks',
    withSignature(ecGood, Buffer.concat([P256_ORDER, ecSig.subarray(32)])),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'ECDSA with r + n (overflowing the order)',
    'ecJwks',
    withSignature(ecGood, Buffer.concat([Buffer.alloc(32, 0xff), ecSig.subarray(32)])),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'ES256 header over a P-384 signature',
    'ecJwks',
    signJwt({
      header: { alg: 'ES256', kid: (ec as TestIssuer).currentKid },
      payload: claims((ec as TestIssuer).issuer),
      key: otherCurve.privateKey,
    }),
    refused('SIGNATURE_INVALID'),
  );
  add(
    'ES384 header for a P-256 key',
    'ecJwks',
    `${b64({ alg: 'ES384', kid: (ec as TestIssuer).currentKid })}.${segments(ecGood)[1]}.${bytes64(Buffer.alloc(96, 1))}`,
    refused('ALGORITHM_NOT_ALLOWED'),
  );
  add(
    'EdDSA zero signature',
    'edJwks',
    withSignature(signWith(ed as TestIssuer), Buffer.alloc(64)),
    refused('SIGNATURE_INVALID'),
  );

  // Keys: weak, unknown.
  add(
    'RS256 signed by a 1024-bit key published in the key set',
    'mixedJwks',
    signJwt({ header: { alg: 'RS256', kid: 'weak' }, payload: claims(r.issuer), key: weak.privateKey }),
    refused('KEY_NOT_FOUND'),
  );
  add('unknown kid', 'rsaJwks', signWith(r, {}, { kid: 'no-such-key' }), refused('KEY_NOT_FOUND'));

  // Claims.
  add('wrong issuer', 'rsaJwks', signWith(r, { iss: 'https://evil.example' }), refused('ISSUER_MISMATCH'));
  add('issuer with a trailing slash', 'rsaJwks', signWith(r, { iss: `${r.issuer}/` }), refused('ISSUER_MISMATCH'));
  add('wrong audience', 'rsaJwks', signWith(r, { aud: 'https://other.example' }), refused('AUDIENCE_MISMATCH'));
  add('expired', 'rsaJwks', signWith(r, { iat: now - 7200, exp: now - 3600 }), refused('TOKEN_EXPIRED'));
  add('not yet valid', 'rsaJwks', signWith(r, { nbf: now + 3600 }), refused('TOKEN_NOT_YET_VALID'));
  add(
    'issued in the future',
    'rsaJwks',
    signWith(r, { iat: now + 3600, exp: now + 7200 }),
    refused('ISSUED_IN_FUTURE'),
  );
  add('no exp', 'rsaJwks', signWith(r, { exp: undefined }), refused('EXPIRATION_MISSING'));
  add('lifetime of a year', 'rsaJwks', signWith(r, { exp: now + 365 * 86_400 }), refused('LIFETIME_TOO_LONG'));
  for (const [claim, value] of [
    ['exp', String(now + 600)],
    ['iss', 42],
    ['aud', 42],
    ['aud', [AUDIENCE, 42]],
    ['roles', 'admin'],
    ['roles', [['admin']]],
    ['permissions', 'reports:read'],
  ] as const) {
    add(
      `${claim} of the wrong type (${JSON.stringify(value)})`,
      'rsaJwks',
      signWith(r, { [claim]: value }),
      refused('CLAIMS_INVALID'),
    );
  }

  // Shape and encoding.
  add('two segments', 'rsaJwks', `${goodHeader}.${goodPayload}`, refused('TOKEN_MALFORMED'));
  add('four segments', 'rsaJwks', `${good}.${goodSignature}`, refused('TOKEN_MALFORMED'));
  add('padded base64', 'rsaJwks', `${goodHeader}.${goodPayload}=.${goodSignature}`, refused('TOKEN_MALFORMED'));
  add(
    'base64 alphabet',
    'rsaJwks',
    `${goodHeader}.${goodPayload}.${goodSignature.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(goodSignature) ? '' : '+'}`,
    refused('TOKEN_MALFORMED'),
  );
  add(
    'non-zero trailing bits',
    'rsaJwks',
    `${goodHeader}.${goodPayload}.${goodSignature.slice(0, -1)}${String.fromCharCode(goodSignature.charCodeAt(goodSignature.length - 1) ^ 1)}`,
    refused('TOKEN_MALFORMED'),
  );
  const notUtf8 = Buffer.concat([
    Buffer.from('{"sub":"'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(`","exp":${now + 60}}`),
  ]);
  add(
    'payload that is not UTF-8',
    'rsaPem',
    signRawPayload(r, goodHeader, bytes64(notUtf8)),
    refused('TOKEN_MALFORMED'),
  );
  add(
    'duplicate payload members',
    'rsaPem',
    signRawPayload(
      r,
      goodHeader,
      b64(`{"sub":"user-1","sub":"admin","iss":"${r.issuer}","aud":"${AUDIENCE}","exp":${now + 600}}`),
    ),
    refused('TOKEN_MALFORMED'),
  );
  add('crit header', 'rsaJwks', signWith(r, {}, { crit: ['exp'] }), refused('CRITICAL_HEADER'));
  add('b64 header', 'rsaJwks', signWith(r, {}, { b64: false }), refused('CRITICAL_HEADER'));
  add('kid of 300 characters', 'rsaJwks', signWith(r, {}, { kid: 'k'.repeat(300) }), refused('HEADER_INVALID'));
  add('typ JOSE+JSON', 'rsaJwks', signWith(r, {}, { typ: 'JOSE+JSON' }), refused('TYPE_NOT_ALLOWED'));
  add(
    'token of 100 KB',
    'rsaJwks',
    `${goodHeader}.${'A'.repeat(100_000)}.${goodSignature}`,
    refused('TOKEN_TOO_LARGE'),
  );

  // Key servers that break the limits: the token is fine, the keys cannot be had (503), on every runtime.
  for (const [name] of faults) add(`key server: ${name}`, name, good, refused('KEYS_UNAVAILABLE', 'KEYS_UNAVAILABLE'));

  return {
    issuer: r,
    redirectTargetHits: () => target.requests.length,
    verifiers,
    cases,
    close: async () => {
      await Promise.all([
        ...Object.values(issuers).map((i) => i.close()),
        mixed.close(),
        target.close(),
        ...faults.map(([, server]) => server.close()),
      ]);
    },
  };
}

/** What a verification ends in, in the table's terms (the runtimes' test app answers the same shape). */
export async function outcomeOf(verifier: Verifier, token: string): Promise<Outcome> {
  try {
    const user = await verifier.verify(token);
    return { ok: true, sub: user.id };
  } catch (error) {
    if (error instanceof AuthError) return { code: error.code, reason: error.reason };
    throw error;
  }
}

/** An RS256 token over an exact payload segment (duplicate members, broken UTF-8...). */
function signRawPayload(issuer: TestIssuer, header: string, payload: string): string {
  const signature = signBytes('sha256', Buffer.from(`${header}.${payload}`), issuer.privateKey());
  return `${header}.${payload}.${bytes64(signature)}`;
}
