import { fetchJson, KeyFetchError } from './fetch-json.js';
import { loadJwks, REMOTE_ALGORITHMS } from './jwks.js';
import {
  createKeyStore,
  type KeyStore,
  type KeyStoreOptions,
  type ResolvedKeySetPolicy,
  requestLimits,
} from './key-store.js';
import { keyServerUrl } from './url.js';

/**
 * Finds the issuer's key set through OpenID Connect discovery (`/.well-known/openid-configuration`),
 * then keeps it like any remote JWKS. The document must name the same issuer, exactly, and a
 * `jwks_uri` that is https (or http on loopback). The document is read again whenever the key set
 * cannot be fetched, so an issuer that moves its keys is followed.
 */
export function discoveryKeySource(
  issuer: string,
  policy: ResolvedKeySetPolicy,
  options: KeyStoreOptions = {},
): KeyStore {
  const base = keyServerUrl(issuer, 'issuer');
  const configUrl = new URL(`${base.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
  let jwksUrl: URL | undefined;

  return createKeyStore(
    async (hold) => {
      if (!jwksUrl) {
        const doc = (await fetchJson(configUrl, { ...requestLimits(policy), hold })) as {
          issuer?: unknown;
          jwks_uri?: unknown;
        } | null;
        if (doc?.issuer !== issuer) throw new KeyFetchError('discovery document names another issuer');
        if (typeof doc.jwks_uri !== 'string') throw new KeyFetchError('discovery document has no jwks_uri');
        try {
          jwksUrl = keyServerUrl(doc.jwks_uri, 'jwks_uri');
        } catch {
          throw new KeyFetchError('discovery document has an unusable jwks_uri');
        }
      }
      try {
        return await loadJwks(jwksUrl, policy, hold);
      } catch (error) {
        jwksUrl = undefined;
        throw error;
      }
    },
    REMOTE_ALGORITHMS,
    policy,
    options.now,
    options.events,
  );
}
