import { GatehouseConfigError } from './errors.js';
import { DEFAULT_FRONTEGG_GATEWAY } from './keys/frontegg.js';
import { keyServerUrl } from './keys/url.js';
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The verifier options the environment describes, in this order:
 * - `FRONTEGG_CLIENT_ID` + `FRONTEGG_API_KEY` (+ `FRONTEGG_API_GATEWAY_URL`, default EU): Frontegg mode;
 * - `GATEHOUSE_JWKS_URI` (+ `GATEHOUSE_ISSUER`, `GATEHOUSE_AUDIENCE`, comma-separated): any OIDC/OAuth issuer;
 * - `GATEHOUSE_ISSUER` alone: the issuer's keys by OIDC discovery.
 * Optional in every mode: `GATEHOUSE_CLOCK_TOLERANCE` and `GATEHOUSE_MAX_TOKEN_AGE` (seconds);
 * in Frontegg mode `FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS` (default 10).
 * Anything else is a GatehouseConfigError that names the variables to set.
 *
 * `GATEHOUSE_REDIS_URL` names the shared state store, which core cannot build (it does not depend
 * on `@gatehousejs/redis`): {@link verifierFromEnv} refuses to start without the `store` it names.
 */
export function optionsFromEnv(env: Env = processEnv()): VerifierOptions {
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  const clientId = value('FRONTEGG_CLIENT_ID');
  const apiKey = value('FRONTEGG_API_KEY');
  const issuer = csv(value('GATEHOUSE_ISSUER'));
  const audience = csv(value('GATEHOUSE_AUDIENCE'));
  const common: VerifierOptions = {};
  if (issuer) common.issuer = issuer.length === 1 ? (issuer[0] as string) : issuer;
  if (audience) common.audience = audience;
  const clockTolerance = seconds(value('GATEHOUSE_CLOCK_TOLERANCE'), 'GATEHOUSE_CLOCK_TOLERANCE', true);
  if (clockTolerance !== undefined) common.clockTolerance = clockTolerance;
  const maxTokenAge = seconds(value('GATEHOUSE_MAX_TOKEN_AGE'), 'GATEHOUSE_MAX_TOKEN_AGE', false);
  if (maxTokenAge !== undefined) common.maxTokenAge = maxTokenAge;

  if (clientId !== undefined || apiKey !== undefined) {
    if (clientId === undefined)
      throw new GatehouseConfigError('FRONTEGG_API_KEY is set but FRONTEGG_CLIENT_ID is missing');
    if (apiKey === undefined)
      throw new GatehouseConfigError('FRONTEGG_CLIENT_ID is set but FRONTEGG_API_KEY is missing');
    const gatewayUrl = value('FRONTEGG_API_GATEWAY_URL') ?? DEFAULT_FRONTEGG_GATEWAY;
    keyServerUrl(gatewayUrl, 'FRONTEGG_API_GATEWAY_URL');
    const cacheSeconds = seconds(
      value('FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS'),
      'FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS',
      true,
    );
    const frontegg: VerifierOptions = { ...common, frontegg: { clientId, apiKey, gatewayUrl } };
    return cacheSeconds === undefined ? frontegg : { ...frontegg, accessTokenCacheSeconds: cacheSeconds };
  }
  const jwksUri = value('GATEHOUSE_JWKS_URI');
  if (jwksUri !== undefined) {
    keyServerUrl(jwksUri, 'GATEHOUSE_JWKS_URI');
    return { ...common, jwksUri };
  }
  if (typeof common.issuer === 'string') return common;
  if (issuer) {
    throw new GatehouseConfigError(
      'GATEHOUSE_ISSUER lists several issuers, so their keys cannot be discovered: set GATEHOUSE_JWKS_URI too',
    );
  }
  throw new GatehouseConfigError(
    'no key source configured: set FRONTEGG_CLIENT_ID and FRONTEGG_API_KEY (optionally FRONTEGG_API_GATEWAY_URL) ' +
      'for Frontegg, or GATEHOUSE_JWKS_URI (optionally GATEHOUSE_ISSUER and GATEHOUSE_AUDIENCE) for any OIDC issuer',
  );
}

/**
 * A verifier configured from the environment; see {@link optionsFromEnv}. With `GATEHOUSE_REDIS_URL`
 * set, give the store it names: `verifierFromEnv(process.env, { store: redisStore({ url }) })`
 * (or `storeFromEnv()` from `@gatehousejs/redis`); without it this throws rather than keep
 * revocations in one process while the operator expects them shared.
 */
export function verifierFromEnv(env: Env = processEnv(), overrides: Partial<VerifierOptions> = {}): Verifier {
  const redisUrl = env.GATEHOUSE_REDIS_URL;
  if (redisUrl !== undefined && redisUrl.trim() === '') {
    throw new GatehouseConfigError('GATEHOUSE_REDIS_URL is set but blank');
  }
  if (redisUrl !== undefined && overrides.store === undefined) {
    throw new GatehouseConfigError(
      'GATEHOUSE_REDIS_URL is set: pass the store, verifierFromEnv(env, { store: storeFromEnv(env) }) with storeFromEnv from @gatehousejs/redis',
    );
  }
  return createVerifier({ ...optionsFromEnv(env), ...overrides });
}

function seconds(text: string | undefined, name: string, zeroAllowed: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || (!zeroAllowed && n === 0)) {
    throw new GatehouseConfigError(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of seconds`);
  }
  return n;
}

function csv(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.length > 0 ? parts : undefined;
}

/** `process.env` where there is one; Workers and browsers have none (pass their `env` explicitly). */
function processEnv(): Env {
  return typeof process === 'undefined' ? {} : process.env;
}
