import { GatehouseConfigError } from './errors.js';

/**
 * An issuer identifier that is a URL has no query and no fragment (OIDC Discovery 1.0 §3, RFC 8414 §2):
 * discovery would fetch another document than the issuer's, and no conforming issuer puts one in `iss`.
 */
export function checkIssuerUrls<T extends readonly string[] | undefined>(issuers: T, name: string): T {
  for (const issuer of issuers ?? []) {
    if (URL.canParse(issuer) && (issuer.includes('?') || issuer.includes('#'))) {
      throw new GatehouseConfigError(`${name} must be a URL without a query or fragment (OIDC Discovery, RFC 8414)`);
    }
  }
  return issuers;
}

/**
 * A resource server must check `aud` (RFC 9068 §4): without it, a token meant for any other API of the
 * same issuer would be accepted here. Frontegg's tokens carry no audience of the API, as in its SDKs.
 */
export function requireAudience(
  audiences: readonly string[] | undefined,
  optional: boolean,
): readonly string[] | undefined {
  if (audiences === undefined && !optional) {
    throw new GatehouseConfigError(
      'audience is required: pass `audience` (the identifier of this API, as tokens name it in `aud`), ' +
        'or `audience: false` to accept tokens meant for any audience on purpose',
    );
  }
  return audiences;
}
