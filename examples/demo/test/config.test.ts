import { GatehouseConfigError } from '@gatehousejs/core';
import { expect, test } from 'vitest';
import { startDemo } from '../src/demo.js';
import { keyModeFromEnv } from '../src/key-mode.js';

test('the key mode follows the environment', () => {
  expect(keyModeFromEnv({})).toBe('embedded');
  expect(keyModeFromEnv({ GATEHOUSE_JWKS_URI: 'https://issuer.example/jwks', GATEHOUSE_AUDIENCE: 'api' })).toBe('jwks');
  expect(keyModeFromEnv({ FRONTEGG_CLIENT_ID: 'id', FRONTEGG_API_KEY: 'key' })).toBe('frontegg');
  expect(keyModeFromEnv({ GATEHOUSE_ISSUER: 'https://issuer.example', GATEHOUSE_AUDIENCE: '*' })).toBe(
    'oidc-discovery',
  );
});

test.each([
  [{ FRONTEGG_CLIENT_ID: 'id' }, /FRONTEGG_API_KEY/],
  [{ FRONTEGG_API_KEY: 'key' }, /FRONTEGG_CLIENT_ID/],
  [{ FRONTEGG_API_GATEWAY_URL: 'https://api.us.frontegg.com/' }, /FRONTEGG_CLIENT_ID/],
  [{ GATEHOUSE_AUDIENCE: 'api' }, /GATEHOUSE_JWKS_URI/],
  [{ GATEHOUSE_JWKS_URI: 'http://issuer.example/jwks', GATEHOUSE_AUDIENCE: 'api' }, /https/],
  [{ GATEHOUSE_JWKS_URI: 'https://issuer.example/jwks' }, /GATEHOUSE_AUDIENCE is required/],
  // Set but blank is never "unset": the dev issuer, which mints any role, must not start.
  [{ FRONTEGG_CLIENT_ID: '' }, /FRONTEGG_CLIENT_ID is set but blank/],
  [{ GATEHOUSE_JWKS_URI: ' ' }, /GATEHOUSE_JWKS_URI is set but blank/],
  [{ GATEHOUSE_AUDIENCE: '' }, /GATEHOUSE_AUDIENCE is set but blank/],
  [{ GATEHOUSE_LOGOUT_AUDIENCE: ' ' }, /GATEHOUSE_LOGOUT_AUDIENCE is set but blank/],
  [
    { FRONTEGG_CLIENT_ID: 'id', FRONTEGG_API_KEY: 'key', GATEHOUSE_JWKS_URI: 'https://issuer.example/jwks' },
    /FRONTEGG_.*GATEHOUSE_JWKS_URI/,
  ],
  [{ GATEHOUSE_JWKS_URI: 'htps://issuer.example/jwks', GATEHOUSE_AUDIENCE: 'api' }, /scheme "htps"/],
])('a wrong configuration %j stops the demo before it listens, naming what is wrong', async (env, message) => {
  // Port 1 cannot be bound by an unprivileged test: reaching listen() would be an EACCES, not a config error.
  const start = startDemo({ port: 1, env });
  await expect(start).rejects.toBeInstanceOf(GatehouseConfigError);
  await expect(start).rejects.toThrow(message);
});
