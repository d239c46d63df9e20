import { type Env, optionsFromEnv } from '@gatehousejs/core';

export type KeyMode = 'embedded' | 'jwks' | 'frontegg' | 'oidc-discovery';

/** Variables that mean "verify tokens from a real issuer": when any is set, the dev issuer stays off. */
const ISSUER_VARIABLES = [
  'FRONTEGG_CLIENT_ID',
  'FRONTEGG_API_KEY',
  'FRONTEGG_API_GATEWAY_URL',
  'GATEHOUSE_JWKS_URI',
  'GATEHOUSE_ISSUER',
  'GATEHOUSE_AUDIENCE',
] as const;

/**
 * Chooses where keys come from. With none of the issuer variables set: the embedded dev issuer. Otherwise
 * exactly what `verifierFromEnv()` reads, so that a half-set configuration (a Frontegg client id without
 * its API key, a variable set but blank) stops the server with a GatehouseConfigError naming what is
 * wrong, and never falls back to a dev issuer that signs tokens for anyone.
 */
export function keyModeFromEnv(env: Env): KeyMode {
  if (!ISSUER_VARIABLES.some((name) => env[name] !== undefined)) return 'embedded';
  const options = optionsFromEnv(env);
  if (options.frontegg) return 'frontegg';
  if (options.jwksUri) return 'jwks';
  return 'oidc-discovery';
}
