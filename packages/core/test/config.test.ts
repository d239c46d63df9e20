import { generateKeyPairSync } from 'node:crypto';
import {
  type AuthError,
  authErrorHeaders,
  authorize,
  challenge,
  createVerifier,
  optionsFromEnv,
  type VerifierOptions,
  verifierFromEnv,
} from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configError, expectRejected } from './verifier-fixtures.js';

let issuer: TestIssuer;
let pem: string;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
  pem = issuer.publicKeyPem();
});
afterAll(() => issuer.close());

const SECRET = 's'.repeat(32);

describe('createVerifier refuses unsafe or meaningless configuration', () => {
  test('no key source, or two', () => {
    expect(configError(() => createVerifier({ audience: 'api' })).message).toMatch(
      /jwksUri, publicKey, secret, frontegg/,
    );
    expect(
      configError(() => createVerifier({ audience: 'api', issuer: ['https://a.example', 'https://b.example'] }))
        .message,
    ).toMatch(/key source/);
    const pairs: VerifierOptions[] = [
      { jwksUri: issuer.jwksUri, publicKey: pem },
      { publicKey: pem, secret: SECRET },
      { secret: SECRET, frontegg: { clientId: 'c', apiKey: 'k' } },
      { jwksUri: issuer.jwksUri, frontegg: { clientId: 'c', apiKey: 'k' } },
    ];
    for (const options of pairs) {
      expect(configError(() => createVerifier(options)).message).toMatch(/one key source.* and /);
    }
  });

  test('a public key (PEM, JWK or SSH) passed as the HMAC secret', () => {
    const jwkText = JSON.stringify(issuer.jwks().keys[0]);
    for (const secret of [
      pem,
      Buffer.from(pem),
      new Uint8Array(Buffer.from(pem)),
      jwkText,
      `ssh-rsa AAAAB3NzaC1yc2E${'A'.repeat(40)}`,
    ]) {
      expect(configError(() => createVerifier({ audience: 'api', secret })).message).toMatch(/publicKey/);
    }
  });

  test('a short secret, or one of the wrong type', () => {
    expect(configError(() => createVerifier({ audience: 'api', secret: 's'.repeat(31) })).message).toMatch(/32 bytes/);
    expect(configError(() => createVerifier({ audience: 'api', secret: new Uint8Array(16) })).message).toMatch(
      /32 bytes/,
    );
    expect(configError(() => createVerifier({ audience: 'api', secret: 42 as never })).message).toMatch(
      /string or a Uint8Array/,
    );
    expect(() => createVerifier({ audience: 'api', secret: SECRET })).not.toThrow();
  });

  test('a private key, a weak key or something else as publicKey', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ed = generateKeyPairSync('ed25519');
    expect(
      configError(() =>
        createVerifier({
          audience: 'api',
          publicKey: issuer.privateKey().export({ format: 'pem', type: 'pkcs8' }).toString(),
        }),
      ).message,
    ).toMatch(/private key/);
    expect(
      configError(() => createVerifier({ audience: 'api', publicKey: ed.privateKey.export({ format: 'jwk' }) }))
        .message,
    ).toMatch(/private key/);
    expect(
      configError(() =>
        createVerifier({
          audience: 'api',
          publicKey: rsa1024.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        }),
      ).message,
    ).toMatch(/weak/);
    expect(configError(() => createVerifier({ audience: 'api', publicKey: 'not a key' })).message).toMatch(/publicKey/);
    expect(
      configError(() => createVerifier({ audience: 'api', publicKey: { kty: 'oct', k: 'c2VjcmV0' } })).message,
    ).toMatch(/publicKey/);
    expect(() => createVerifier({ audience: 'api', publicKey: ed.publicKey.export({ format: 'jwk' }) })).not.toThrow();
  });

  test('a JWK publicKey is bound to the alg it names', async () => {
    const jwk = { ...issuer.jwks().keys[0], alg: 'RS256' };
    const verifier = createVerifier({ audience: 'api', publicKey: jwk });
    const ps = signJwt({
      header: { alg: 'PS256' },
      payload: { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 },
      key: issuer.privateKey(),
    });
    await expectRejected(verifier.verify(ps), 'UNAUTHENTICATED', 'ALGORITHM_NOT_ALLOWED');
    expect(
      configError(() => createVerifier({ audience: 'api', publicKey: jwk, algorithms: ['PS256'] })).message,
    ).toMatch(/does not fit/);
  });

  test('plain http to anything but this machine, credentials in URLs, and non-URLs', () => {
    const urls = [
      'http://issuer.example/jwks.json',
      'http://10.0.0.1/jwks',
      'http://127.0.0.1.nip.io/jwks',
      'ftp://127.0.0.1/jwks',
      'not a url',
      'https://user:pass@issuer.example/jwks',
    ];
    for (const url of urls) {
      expect(configError(() => createVerifier({ audience: 'api', jwksUri: url })).message).toMatch(/jwksUri/);
    }
    expect(configError(() => createVerifier({ audience: 'api', issuer: 'http://issuer.example' })).message).toMatch(
      /https/,
    );
    expect(
      configError(() =>
        createVerifier({
          audience: 'api',
          frontegg: { clientId: 'c', apiKey: 'k', gatewayUrl: 'http://api.frontegg.com/' },
        }),
      ).message,
    ).toMatch(/https/);
    for (const ok of [
      'https://issuer.example/jwks',
      'http://127.0.0.1:1/jwks',
      'http://localhost:1/jwks',
      'http://[::1]:1/jwks',
    ]) {
      expect(() => createVerifier({ audience: 'api', jwksUri: ok })).not.toThrow();
    }
  });

  test('algorithms that do not fit the key source, none, unknown names, or an empty list', () => {
    const cases: [VerifierOptions, RegExp][] = [
      [{ publicKey: pem, algorithms: ['ES256'] }, /does not fit/],
      [{ publicKey: pem, algorithms: ['HS256'] }, /does not fit/],
      [{ jwksUri: issuer.jwksUri, algorithms: ['HS512'] }, /does not fit/],
      [{ secret: SECRET, algorithms: ['RS256'] }, /does not fit/],
      [{ frontegg: { clientId: 'c', apiKey: 'k' }, algorithms: ['ES256'] }, /does not fit/],
      [{ secret: SECRET, algorithms: ['none'] }, /never accepted/],
      [{ jwksUri: issuer.jwksUri, algorithms: ['NONE'] }, /never accepted/],
      [{ jwksUri: issuer.jwksUri, algorithms: ['RS1'] }, /not supported/],
      [{ jwksUri: issuer.jwksUri, algorithms: [] }, /non-empty/],
    ];
    for (const [options, message] of cases) expect(configError(() => createVerifier(options)).message).toMatch(message);
  });

  test('empty or padded issuer and audience', () => {
    for (const issuerValue of ['', [], [''], ' https://issuer.example', 'https://issuer.example\n', [1]]) {
      expect(
        configError(() => createVerifier({ audience: 'api', secret: SECRET, issuer: issuerValue as never })).message,
      ).toMatch(/issuer/);
    }
    for (const audience of ['', [], ['api', ''], 'api ']) {
      expect(configError(() => createVerifier({ secret: SECRET, audience })).message).toMatch(/audience/);
    }
  });

  test('invalid numbers', () => {
    const cases: [Partial<VerifierOptions>, RegExp][] = [
      [{ clockTolerance: -1 }, /clockTolerance/],
      [{ clockTolerance: Number.NaN }, /clockTolerance/],
      [{ clockTolerance: '5' as never }, /clockTolerance/],
      [{ maxTokenAge: 0 }, /maxTokenAge/],
      [{ maxTokenAge: Number.POSITIVE_INFINITY }, /maxTokenAge/],
      [{ maxTokenLifetime: -60 }, /maxTokenLifetime/],
      [{ maxTokenLength: 0 }, /maxTokenLength/],
      [{ keySet: { cooldown: -1 } }, /cooldown/],
      [{ keySet: { timeout: Number.NaN } }, /timeout/],
      // Every duration is in seconds: a millisecond option is a mistake, never ignored.
      [{ keySet: { timeoutMs: 5000 } as never }, /keySet\.timeoutMs is not an option.*seconds/],
      [{ cache: { maxEntries: -1 } }, /maxEntries/],
    ];
    for (const [options, message] of cases) {
      expect(
        configError(() => createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, ...options })).message,
      ).toMatch(message);
    }
  });

  test('other options of the wrong shape', () => {
    expect(configError(() => createVerifier({ audience: 'api', secret: SECRET, realm: 'a"b' })).message).toMatch(
      /realm/,
    );
    expect(
      configError(() => createVerifier({ audience: 'api', secret: SECRET, realm: 'a\r\nSet-Cookie: x' })).message,
    ).toMatch(/realm/);
    expect(configError(() => createVerifier({ audience: 'api', secret: SECRET, types: [] })).message).toMatch(/types/);
    expect(
      configError(() => createVerifier({ audience: 'api', secret: SECRET, types: 'JWT' as never })).message,
    ).toMatch(/types/);
    expect(
      configError(() => createVerifier({ audience: 'api', secret: SECRET, onDecision: 'log' as never })).message,
    ).toMatch(/onDecision/);
    expect(configError(() => createVerifier({ audience: 'api', secret: SECRET, now: 0 as never })).message).toMatch(
      /now/,
    );
    expect(
      configError(() => createVerifier({ audience: 'api', frontegg: { clientId: '', apiKey: 'k' } })).message,
    ).toMatch(/clientId/);
    expect(
      configError(() => createVerifier({ audience: 'api', frontegg: { clientId: 'c', apiKey: '' } })).message,
    ).toMatch(/apiKey/);
    expect(configError(() => createVerifier(null as never)).message).toMatch(/options/);
  });

  test('a configured realm is used in every challenge', async () => {
    const verifier = createVerifier({ audience: 'api', secret: SECRET, realm: 'orders-api' });
    const error = await expectRejected(verifier.verify('a.b.c'), 'UNAUTHENTICATED');
    expect(verifier.realm).toBe('orders-api');
    expect(authErrorHeaders(error, verifier.realm)['www-authenticate']).toBe(
      'Bearer realm="orders-api", error="invalid_token"',
    );
    expect(challenge(error, verifier.realm)).toBe('Bearer realm="orders-api", error="invalid_token"');
    let denied: unknown;
    try {
      authorize(null);
    } catch (e) {
      denied = e;
    }
    expect(authErrorHeaders(denied as AuthError, verifier.realm)['www-authenticate']).toBe('Bearer realm="orders-api"');
    // The error itself carries the challenge in the default realm.
    expect(error.wwwAuthenticate).toBe('Bearer realm="gatehouse", error="invalid_token"');
  });
});

describe('configuration from the environment', () => {
  test('nothing set: the error names the variables to set', () => {
    const message = configError(() => verifierFromEnv({})).message;
    for (const name of ['FRONTEGG_CLIENT_ID', 'FRONTEGG_API_KEY', 'GATEHOUSE_JWKS_URI'])
      expect(message).toContain(name);
  });

  test('half-set Frontegg variables name the missing one', () => {
    expect(configError(() => verifierFromEnv({ FRONTEGG_CLIENT_ID: 'client' })).message).toMatch(
      /FRONTEGG_API_KEY is missing/,
    );
    expect(configError(() => verifierFromEnv({ FRONTEGG_API_KEY: 'key' })).message).toMatch(
      /FRONTEGG_CLIENT_ID is missing/,
    );
    expect(
      configError(() =>
        verifierFromEnv({ FRONTEGG_API_GATEWAY_URL: 'https://api.us.frontegg.com/', FRONTEGG_API_KEY: 'k' }),
      ).message,
    ).toMatch(/FRONTEGG_CLIENT_ID/);
  });

  test('Frontegg mode: EU gateway by default, the regional gateway when given', () => {
    expect(optionsFromEnv({ FRONTEGG_CLIENT_ID: 'c', FRONTEGG_API_KEY: 'k' })).toEqual({
      frontegg: { clientId: 'c', apiKey: 'k', gatewayUrl: 'https://api.frontegg.com/' },
    });
    const us = optionsFromEnv({
      FRONTEGG_CLIENT_ID: 'c',
      FRONTEGG_API_KEY: 'k',
      FRONTEGG_API_GATEWAY_URL: 'https://api.us.frontegg.com/',
    });
    expect(us.frontegg?.gatewayUrl).toBe('https://api.us.frontegg.com/');
    expect(verifierFromEnv({ FRONTEGG_CLIENT_ID: 'c', FRONTEGG_API_KEY: 'k' }).keyStatus()).toMatchObject({
      fetches: 0,
    });
  });

  test('bad URLs and numbers name their variable', () => {
    const cases: [Record<string, string>, string][] = [
      [
        { FRONTEGG_CLIENT_ID: 'c', FRONTEGG_API_KEY: 'k', FRONTEGG_API_GATEWAY_URL: 'http://api.frontegg.com/' },
        'FRONTEGG_API_GATEWAY_URL',
      ],
      [{ GATEHOUSE_JWKS_URI: 'not a url', GATEHOUSE_AUDIENCE: 'api' }, 'GATEHOUSE_JWKS_URI'],
      [{ GATEHOUSE_JWKS_URI: 'http://issuer.example/jwks' }, 'GATEHOUSE_JWKS_URI'],
      [{ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_CLOCK_TOLERANCE: 'five' }, 'GATEHOUSE_CLOCK_TOLERANCE'],
      [{ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_CLOCK_TOLERANCE: '-1' }, 'GATEHOUSE_CLOCK_TOLERANCE'],
      [{ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_MAX_TOKEN_AGE: '0' }, 'GATEHOUSE_MAX_TOKEN_AGE'],
      [{ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_MAX_TOKEN_AGE: '1e3' }, 'GATEHOUSE_MAX_TOKEN_AGE'],
      [{ GATEHOUSE_ISSUER: 'https://a.example,https://b.example' }, 'GATEHOUSE_JWKS_URI'],
    ];
    for (const [env, name] of cases) expect(configError(() => verifierFromEnv(env)).message).toContain(name);
  });

  test('GATEHOUSE_* variables configure any OIDC issuer, lists comma-separated', () => {
    expect(
      optionsFromEnv({
        GATEHOUSE_JWKS_URI: ` ${issuer.jwksUri} `,
        GATEHOUSE_ISSUER: 'https://a.example, https://b.example',
        GATEHOUSE_AUDIENCE: 'api',
        GATEHOUSE_CLOCK_TOLERANCE: '0',
        GATEHOUSE_MAX_TOKEN_AGE: '3600',
      }),
    ).toEqual({
      jwksUri: issuer.jwksUri,
      issuer: ['https://a.example', 'https://b.example'],
      audience: ['api'],
      clockTolerance: 0,
      maxTokenAge: 3600,
    });
    expect(optionsFromEnv({ GATEHOUSE_ISSUER: 'https://issuer.example', GATEHOUSE_AUDIENCE: 'api' })).toEqual({
      issuer: 'https://issuer.example',
      audience: ['api'],
    });
  });

  test('a verifier from the environment verifies real tokens', async () => {
    const verifier = verifierFromEnv({
      GATEHOUSE_JWKS_URI: issuer.jwksUri,
      GATEHOUSE_ISSUER: issuer.issuer,
      GATEHOUSE_AUDIENCE: 'api',
    });
    await expect(verifier.verify(await issuer.sign({ sub: 'env-user', aud: 'api' }))).resolves.toMatchObject({
      id: 'env-user',
    });
    await expectRejected(verifier.verify(await issuer.sign({ aud: 'other' })), 'UNAUTHENTICATED', 'AUDIENCE_MISMATCH');
    const discovered = verifierFromEnv({ GATEHOUSE_ISSUER: issuer.issuer, GATEHOUSE_AUDIENCE: 'api' });
    await expect(discovered.verify(await issuer.sign({ sub: 'oidc-user' }))).resolves.toMatchObject({
      id: 'oidc-user',
    });
  });
});
