import { createVerifier, optionsFromEnv, verifierFromEnv } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configError as configErrorOf, expectRejected } from './verifier-fixtures.js';

const SECRET = 's'.repeat(32);
let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders' });
});
afterAll(() => issuer.close());

const configError = (fn: () => unknown): string => configErrorOf(fn).message;

describe('an issuer URL with a query or a fragment is a configuration error (OIDC Discovery, RFC 8414)', () => {
  const bad = [
    'https://issuer.example/?tenant=a',
    'https://issuer.example?',
    'https://issuer.example/#',
    'https://issuer.example/realms/a#x',
  ];

  test.each(bad)('issuer %j', (url) => {
    expect(configError(() => createVerifier({ issuer: url, audience: 'orders' }))).toMatch(/query or fragment/);
    expect(configError(() => createVerifier({ issuer: url, jwksUri: issuer.jwksUri, audience: 'orders' }))).toMatch(
      /issuer/,
    );
    expect(
      configError(() => createVerifier({ issuer: ['https://ok.example', url], secret: SECRET, audience: 'a' })),
    ).toMatch(/query or fragment/);
    const fromEnv = configError(() => optionsFromEnv({ GATEHOUSE_ISSUER: url, GATEHOUSE_AUDIENCE: 'orders' }));
    expect(fromEnv).toContain('GATEHOUSE_ISSUER');
    expect(fromEnv).toMatch(/query or fragment/);
  });

  test('issuers without them, and identifiers that are not URLs, are accepted as they are', () => {
    for (const iss of [
      'https://issuer.example',
      'https://issuer.example/realms/a/',
      'urn:example:issuer',
      'issuer-1',
    ]) {
      expect(() => createVerifier({ issuer: iss, secret: SECRET, audience: 'orders' })).not.toThrow();
    }
  });
});

describe('audience is required (RFC 9068 §4), `false` is the explicit opt-out', () => {
  test('jwksUri, discovery, publicKey and secret without audience are configuration errors', () => {
    const sources = [
      { jwksUri: issuer.jwksUri },
      { issuer: issuer.issuer },
      { publicKey: issuer.publicKeyPem() },
      { secret: SECRET },
    ];
    for (const source of sources) {
      const message = configError(() => createVerifier(source));
      expect(message).toContain('audience');
      expect(message).toContain('audience: false');
    }
  });

  test('audience: false accepts any audience, and none', async () => {
    const any = createVerifier({ jwksUri: issuer.jwksUri, issuer: issuer.issuer, audience: false });
    await expect(any.verify(await issuer.sign({ aud: 'billing' }))).resolves.toBeDefined();
    await expect(any.verify(await issuer.sign({ aud: undefined }))).resolves.toBeDefined();
    // Still type-checked.
    await expectRejected(any.verify(await issuer.sign({ aud: 7 })), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
  });

  test('with an audience, a token for another API of the same issuer is refused', async () => {
    const orders = createVerifier({ jwksUri: issuer.jwksUri, issuer: issuer.issuer, audience: 'orders' });
    await expect(orders.verify(await issuer.sign())).resolves.toBeDefined();
    await expectRejected(orders.verify(await issuer.sign({ aud: 'billing' })), 'UNAUTHENTICATED', 'AUDIENCE_MISMATCH');
    await expectRejected(orders.verify(await issuer.sign({ aud: undefined })), 'UNAUTHENTICATED', 'AUDIENCE_MISMATCH');
  });

  test('true, an empty string or an empty list is not an audience', () => {
    for (const audience of [true, '', [], 0]) {
      expect(configError(() => createVerifier({ secret: SECRET, audience: audience as never }))).toMatch(/audience/);
    }
  });

  test('Frontegg mode keeps its SDK behaviour: audience optional', () => {
    expect(() => createVerifier({ frontegg: { clientId: 'c', apiKey: 'k' } })).not.toThrow();
  });

  test('GATEHOUSE_AUDIENCE is required with GATEHOUSE_JWKS_URI or GATEHOUSE_ISSUER; * means any audience', async () => {
    for (const env of [{ GATEHOUSE_JWKS_URI: issuer.jwksUri }, { GATEHOUSE_ISSUER: issuer.issuer }]) {
      const message = configError(() => optionsFromEnv(env));
      expect(message).toContain('GATEHOUSE_AUDIENCE');
      expect(message).toContain('*');
    }
    expect(optionsFromEnv({ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_AUDIENCE: '*' }).audience).toBe(false);
    expect(
      configError(() => optionsFromEnv({ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_AUDIENCE: 'a,*' })),
    ).toContain('GATEHOUSE_AUDIENCE');
    const any = verifierFromEnv({ GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_AUDIENCE: ' * ' });
    await expect(any.verify(await issuer.sign({ aud: 'billing' }))).resolves.toBeDefined();
    // An audience given in code stands in for the variable.
    const given = verifierFromEnv({ GATEHOUSE_JWKS_URI: issuer.jwksUri }, { audience: 'orders' });
    await expect(given.verify(await issuer.sign())).resolves.toBeDefined();
    await expectRejected(given.verify(await issuer.sign({ aud: 'billing' })), 'UNAUTHENTICATED', 'AUDIENCE_MISMATCH');
  });
});

describe('configuration from the environment fails closed', () => {
  const variables = [
    'FRONTEGG_CLIENT_ID',
    'FRONTEGG_API_KEY',
    'FRONTEGG_API_GATEWAY_URL',
    'GATEHOUSE_JWKS_URI',
    'GATEHOUSE_ISSUER',
    'GATEHOUSE_AUDIENCE',
    'GATEHOUSE_CLOCK_TOLERANCE',
    'GATEHOUSE_MAX_TOKEN_AGE',
  ];

  test.each(variables)('%s set but blank is an error naming it, never "unset"', (name) => {
    for (const blank of ['', ' ', '\t \n']) {
      const jwks = { GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_AUDIENCE: 'orders' };
      const message = configError(() => optionsFromEnv({ ...jwks, [name]: blank }));
      expect(message).toContain(name);
      expect(message).toMatch(/blank/);
    }
  });

  test('a blank variable alone is an error naming it, not the "nothing set" error', () => {
    expect(configError(() => optionsFromEnv({ FRONTEGG_CLIENT_ID: '' }))).toMatch(/^FRONTEGG_CLIENT_ID .*blank/);
    expect(configError(() => optionsFromEnv({ GATEHOUSE_JWKS_URI: ' ' }))).toMatch(/^GATEHOUSE_JWKS_URI .*blank/);
    expect(configError(() => optionsFromEnv({ GATEHOUSE_AUDIENCE: ',' }))).toContain('GATEHOUSE_AUDIENCE');
  });

  test('Frontegg and JWKS variables together are an error: neither silently wins', () => {
    const both = [
      { FRONTEGG_CLIENT_ID: 'c', FRONTEGG_API_KEY: 'k', GATEHOUSE_JWKS_URI: issuer.jwksUri },
      { FRONTEGG_CLIENT_ID: 'c', GATEHOUSE_JWKS_URI: issuer.jwksUri, GATEHOUSE_AUDIENCE: 'orders' },
      { FRONTEGG_API_GATEWAY_URL: 'https://api.us.frontegg.com/', GATEHOUSE_JWKS_URI: issuer.jwksUri },
    ];
    for (const env of both) {
      const message = configError(() => optionsFromEnv(env));
      expect(message).toContain('FRONTEGG_');
      expect(message).toContain('GATEHOUSE_JWKS_URI');
    }
  });

  test('a scheme typo gets a message about the scheme, not about plain http', () => {
    const cases: Record<string, string>[] = [
      { GATEHOUSE_JWKS_URI: 'htps://issuer.example/jwks', GATEHOUSE_AUDIENCE: 'orders' },
      { FRONTEGG_CLIENT_ID: 'c', FRONTEGG_API_KEY: 'k', FRONTEGG_API_GATEWAY_URL: 'htps://api.frontegg.com/' },
    ];
    for (const env of cases) {
      const message = configError(() => optionsFromEnv(env));
      expect(message).toContain('"htps"');
      expect(message).toContain('https');
      expect(message).not.toMatch(/plain http|loopback/);
    }
    expect(configError(() => createVerifier({ jwksUri: 'ftp://issuer.example/jwks', audience: 'a' }))).toContain(
      '"ftp"',
    );
    // Plain http off this machine keeps its own message.
    expect(configError(() => createVerifier({ jwksUri: 'http://issuer.example/jwks', audience: 'a' }))).toMatch(
      /plain http/,
    );
  });
});
