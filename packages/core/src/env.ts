import { checkIssuerUrls } from './claims-policy.js';
import { GatehouseConfigError } from './errors.js';
import { DEFAULT_FRONTEGG_GATEWAY } from './keys/frontegg.js';
import { keyServerUrl } from './keys/url.js';
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The verifier options the environment describes, in this order:
 * - `FRONTEGG_CLIENT_ID` + `FRONTEGG_API_KEY` (+ `FRONTEGG_API_GATEWAY_URL`, default EU): Frontegg mode;
 * - `GATEHOUSE_JWKS_URI` + `GATEHOUSE_AUDIENCE` (+ `GATEHOUSE_ISSUER`; comma-separated lists): any OIDC/OAuth issuer;
 * - `GATEHOUSE_ISSUER` alone (+ `GATEHOUSE_AUDIENCE`): the issuer's keys by OIDC discovery.
 * `GATEHOUSE_AUDIENCE=*` accepts any audience, on purpose. Optional in every mode:
 * `GATEHOUSE_CLOCK_TOLERANCE` and `GATEHOUSE_MAX_TOKEN_AGE` (seconds); in Frontegg mode
 * `FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS` (default 10).
 * A variable that is set but blank, Frontegg and JWKS variables together, or anything else amiss is a
 * GatehouseConfigError that names the variables.
 *
 * `GATEHOUSE_REDIS_URL` names the shared state store, which core cannot build (it does not depend
 * on `@gatehousejs/redis`): {@link verifierFromEnv} refuses to start without the `store` it names.
 */
export function optionsFromEnv(env: Env = processEnv()): VerifierOptions {
  return readOptions(env, false);
}

/** `audienceGiven`: the caller passes `audience` itself, so `GATEHOUSE_AUDIENCE` may be absent. */
function readOptions(env: Env, audienceGiven: boolean): VerifierOptions {
  const value = (name: string) => {
    const raw = env[name];
    if (raw === undefined) return undefined;
    const v = raw.trim();
    // Set but blank is a mistake (an empty line in a .env file, a missing secret): never "unset".
    if (v === '') throw new GatehouseConfigError(`${name} is set but blank: give it a value or unset it`);
    return v;
  };
  const clientId = value('FRONTEGG_CLIENT_ID');
  const apiKey = value('FRONTEGG_API_KEY');
  const gatewayUrl = value('FRONTEGG_API_GATEWAY_URL');
  const jwksUri = value('GATEHOUSE_JWKS_URI');
  const issuer = checkIssuerUrls(csv(value('GATEHOUSE_ISSUER'), 'GATEHOUSE_ISSUER'), 'GATEHOUSE_ISSUER');
  const audience = csv(value('GATEHOUSE_AUDIENCE'), 'GATEHOUSE_AUDIENCE');
  const common: VerifierOptions = {};
  if (issuer) common.issuer = issuer.length === 1 ? (issuer[0] as string) : issuer;
  if (audience) common.audience = audienceOption(audience);
  const clockTolerance = seconds(value('GATEHOUSE_CLOCK_TOLERANCE'), 'GATEHOUSE_CLOCK_TOLERANCE', true);
  if (clockTolerance !== undefined) common.clockTolerance = clockTolerance;
  const maxTokenAge = seconds(value('GATEHOUSE_MAX_TOKEN_AGE'), 'GATEHOUSE_MAX_TOKEN_AGE', false);
  if (maxTokenAge !== undefined) common.maxTokenAge = maxTokenAge;

  if (clientId !== undefined || apiKey !== undefined || gatewayUrl !== undefined) {
    if (jwksUri !== undefined) {
      throw new GatehouseConfigError(
        'both FRONTEGG_* and GATEHOUSE_JWKS_URI are set: configure one key source, Frontegg or a JWKS',
      );
    }
    const set = apiKey !== undefined ? 'FRONTEGG_API_KEY' : 'FRONTEGG_API_GATEWAY_URL';
    if (clientId === undefined) throw new GatehouseConfigError(`${set} is set but FRONTEGG_CLIENT_ID is missing`);
    if (apiKey === undefined)
      throw new GatehouseConfigError('FRONTEGG_CLIENT_ID is set but FRONTEGG_API_KEY is missing');
    const gateway = gatewayUrl ?? DEFAULT_FRONTEGG_GATEWAY;
    keyServerUrl(gateway, 'FRONTEGG_API_GATEWAY_URL');
    const cacheSeconds = seconds(
      value('FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS'),
      'FRONTEGG_ACCESS_TOKEN_CACHE_SECONDS',
      true,
    );
    const frontegg: VerifierOptions = { ...common, frontegg: { clientId, apiKey, gatewayUrl: gateway } };
    return cacheSeconds === undefined ? frontegg : { ...frontegg, accessTokenCacheSeconds: cacheSeconds };
  }
  if (jwksUri !== undefined) {
    keyServerUrl(jwksUri, 'GATEHOUSE_JWKS_URI');
    requireAudienceVariable(audience !== undefined || audienceGiven, 'GATEHOUSE_JWKS_URI');
    return { ...common, jwksUri };
  }
  if (typeof common.issuer === 'string') {
    requireAudienceVariable(audience !== undefined || audienceGiven, 'GATEHOUSE_ISSUER');
    return common;
  }
  if (issuer) {
    throw new GatehouseConfigError(
      'GATEHOUSE_ISSUER lists several issuers, so their keys cannot be discovered: set GATEHOUSE_JWKS_URI too',
    );
  }
  throw new GatehouseConfigError(
    'no key source configured: set FRONTEGG_CLIENT_ID and FRONTEGG_API_KEY (optionally FRONTEGG_API_GATEWAY_URL) ' +
      'for Frontegg, or GATEHOUSE_JWKS_URI and GATEHOUSE_AUDIENCE (optionally GATEHOUSE_ISSUER) for any OIDC issuer',
  );
}

function requireAudienceVariable(present: boolean, keySource: string): void {
  if (!present) {
    throw new GatehouseConfigError(
      `GATEHOUSE_AUDIENCE is required with ${keySource}: set it to this API's audience (comma-separated for several), ` +
        'or to * to accept tokens meant for any audience on purpose',
    );
  }
}

/** `*` alone: any audience. */
function audienceOption(audience: string[]): string[] | false {
  if (!audience.includes('*')) return audience;
  if (audience.length > 1) throw new GatehouseConfigError('GATEHOUSE_AUDIENCE: * (any audience) stands alone');
  return false;
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
    throw new GatehouseConfigError('GATEHOUSE_REDIS_URL is set but blank: give it a value or unset it');
  }
  if (redisUrl !== undefined && overrides.store === undefined) {
    throw new GatehouseConfigError(
      'GATEHOUSE_REDIS_URL is set: pass the store, verifierFromEnv(env, { store: storeFromEnv(env) }) with storeFromEnv from @gatehousejs/redis',
    );
  }
  return createVerifier({ ...readOptions(env, overrides.audience !== undefined), ...overrides });
}

function seconds(text: string | undefined, name: string, zeroAllowed: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || (!zeroAllowed && n === 0)) {
    throw new GatehouseConfigError(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of seconds`);
  }
  return n;
}

function csv(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new GatehouseConfigError(`${name} is set but lists no value`);
  return parts;
}

/** `process.env` where there is one; Workers and browsers have none (pass their `env` explicitly). */
function processEnv(): Env {
  return typeof process === 'undefined' ? {} : process.env;
}
