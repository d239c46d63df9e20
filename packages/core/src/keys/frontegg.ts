import { createPublicKey } from 'node:crypto';
import { fetchJson, KeyFetchError } from './fetch-json.js';
import { type VerificationKey, verificationKey } from './key.js';
import { createKeyStore, type KeyStore, type ResolvedKeySetPolicy } from './key-store.js';
import { keyServerUrl } from './url.js';

export interface FronteggOptions {
  clientId: string;
  apiKey: string;
  /** Frontegg's API gateway; default `https://api.frontegg.com/` (EU). US: `https://api.us.frontegg.com/`. */
  gatewayUrl?: string;
}

export const DEFAULT_FRONTEGG_GATEWAY = 'https://api.frontegg.com/';
/** A vendor token is renewed this long before it expires. */
const VENDOR_TOKEN_MARGIN_MS = 60_000;

/**
 * Frontegg's public-key flow: `POST {gateway}/auth/vendor` with `{ clientId, secret }` gives a vendor
 * token; `GET {gateway}/identity/resources/configurations/v1` with `x-access-token` gives the
 * RS256 public key (PEM). Concurrent first requests share one fetch; the vendor token is renewed
 * before it expires whenever the key is fetched again.
 */
export function fronteggKeySource(
  options: FronteggOptions,
  policy: ResolvedKeySetPolicy,
  clock: { now?: () => number; fetch?: typeof fetch } = {},
): KeyStore {
  const now = clock.now ?? Date.now;
  const gateway = keyServerUrl(options.gatewayUrl ?? DEFAULT_FRONTEGG_GATEWAY, 'Frontegg gateway URL');
  const base = gateway.href.endsWith('/') ? gateway.href : `${gateway.href}/`;
  const request = { timeoutMs: policy.timeout * 1000, maxBytes: policy.maxBodyBytes, fetch: clock.fetch };
  let vendor: { token: string; expiresAt: number } | undefined;

  async function vendorToken(): Promise<string> {
    if (vendor && now() < vendor.expiresAt - VENDOR_TOKEN_MARGIN_MS) return vendor.token;
    vendor = undefined;
    const answer = (await fetchJson(new URL('auth/vendor', base), {
      ...request,
      method: 'POST',
      body: { clientId: options.clientId, secret: options.apiKey },
    }).catch((error: unknown) => {
      if (error instanceof KeyFetchError && (error.status === 401 || error.status === 403)) {
        throw new KeyFetchError('Frontegg refused the client id and API key', error.status);
      }
      throw error;
    })) as { token?: unknown; expiresIn?: unknown } | null;
    if (typeof answer?.token !== 'string' || answer.token === '') throw new KeyFetchError('no vendor token');
    const expiresIn = typeof answer.expiresIn === 'number' && answer.expiresIn > 0 ? answer.expiresIn : 300;
    vendor = { token: answer.token, expiresAt: now() + expiresIn * 1000 };
    return vendor.token;
  }

  async function load(): Promise<VerificationKey[]> {
    const token = await vendorToken();
    const answer = (await fetchJson(new URL('identity/resources/configurations/v1', base), {
      ...request,
      headers: { 'x-access-token': token },
    }).catch((error: unknown) => {
      // A vendor token revoked early: the next fetch signs in again.
      if (error instanceof KeyFetchError && error.status === 401) vendor = undefined;
      throw error;
    })) as { publicKey?: unknown } | null;
    if (typeof answer?.publicKey !== 'string') throw new KeyFetchError('no public key');
    let key: VerificationKey | undefined;
    try {
      key = verificationKey(createPublicKey(answer.publicKey), undefined, 'RS256');
    } catch {
      throw new KeyFetchError('unusable public key');
    }
    if (!key) throw new KeyFetchError('unusable public key');
    return [key];
  }

  return createKeyStore(load, ['RS256'], policy, now);
}
