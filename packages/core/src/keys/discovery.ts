import { fetchJson, KeyFetchError } from './fetch-json.js';
import { loadJwks, REMOTE_ALGORITHMS } from './jwks.js';
import type { VerificationKey } from './key.js';
import { createKeyStore, type KeyStore, type ResolvedKeySetPolicy } from './key-store.js';
import { keyServerUrl } from './url.js';

/**
 * Finds the issuer's key set through OpenID Connect discovery (`/.well-known/openid-configuration`),
 * then keeps it like any remote JWKS. The document must name the same issuer, exactly.
 */
export function discoveryKeySource(
  issuer: string,
  policy: ResolvedKeySetPolicy,
  options: { now?: () => number; fetch?: typeof fetch } = {},
): KeyStore {
  const base = keyServerUrl(issuer, 'issuer');
  const configUrl = new URL(`${base.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
  let jwksUrl: URL | undefined;

  async function load(): Promise<VerificationKey[]> {
    if (!jwksUrl) {
      const doc = (await fetchJson(configUrl, {
        timeoutMs: policy.timeout * 1000,
        maxBytes: policy.maxBodyBytes,
        fetch: options.fetch,
      })) as { issuer?: unknown; jwks_uri?: unknown } | null;
      if (doc?.issuer !== issuer) throw new KeyFetchError('discovery document names another issuer');
      if (typeof doc.jwks_uri !== 'string') throw new KeyFetchError('discovery document has no jwks_uri');
      try {
        jwksUrl = keyServerUrl(doc.jwks_uri, 'jwks_uri');
      } catch {
        throw new KeyFetchError('discovery document has an unusable jwks_uri');
      }
    }
    return loadJwks(jwksUrl, policy, options.fetch);
  }

  return createKeyStore(load, REMOTE_ALGORITHMS, policy, options.now);
}
