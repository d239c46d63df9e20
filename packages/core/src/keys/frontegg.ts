import { platform } from '#platform';
import { type EventLoopHold, fetchJson, KeyFetchError } from './fetch-json.js';
import { importPublicKey, type VerificationKey, verificationKey } from './key.js';
import {
  createKeyStore,
  type KeyStore,
  type KeyStoreOptions,
  type ResolvedKeySetPolicy,
  requestLimits,
} from './key-store.js';
import { keyServerUrl } from './url.js';

export interface FronteggOptions {
  clientId: string;
  apiKey: string;
  /** Frontegg's API gateway; default `https://api.frontegg.com/` (EU). US: `https://api.us.frontegg.com/`. */
  gatewayUrl?: string;
}

export const DEFAULT_FRONTEGG_GATEWAY = 'https://api.frontegg.com/';
/** A vendor token is renewed this long before it expires (at most half its lifetime). */
const VENDOR_TOKEN_MARGIN_MS = 60_000;
/** Lifetime assumed when the gateway does not say. */
const DEFAULT_VENDOR_TOKEN_SECONDS = 300;

/**
 * Frontegg's public-key flow: `POST {gateway}/auth/vendor` with `{ clientId, secret }` gives a vendor
 * token; `GET {gateway}/identity/resources/configurations/v1` with `x-access-token` gives the
 * RS256 public key (PEM). It is kept like a remote key set: concurrent first requests share one
 * sign-in and one key fetch, and the vendor token is renewed before it expires whenever the key is
 * fetched again. The API key goes to the gateway only: no error or status ever carries it.
 */
export function fronteggKeySource(
  options: FronteggOptions,
  policy: ResolvedKeySetPolicy,
  clock: KeyStoreOptions = {},
): FronteggKeyStore {
  const vendor = fronteggVendor(options, policy, clock);
  const configurationUrl = new URL('identity/resources/configurations/v1', vendor.base);
  const request = requestLimits(policy);

  async function load(hold: EventLoopHold): Promise<VerificationKey[]> {
    const token = await vendor.token(hold);
    let answer: { publicKey?: unknown } | null;
    try {
      answer = (await fetchJson(configurationUrl, {
        ...request,
        hold,
        headers: { 'x-access-token': token },
      })) as typeof answer;
    } catch (error) {
      // A vendor token revoked early: the next fetch signs in again.
      if (isRefusal(error)) vendor.forget();
      throw error;
    }
    if (typeof answer?.publicKey !== 'string') throw new KeyFetchError('no public key');
    let key: VerificationKey | undefined;
    try {
      key = verificationKey(importPublicKey(answer.publicKey), undefined, 'RS256');
    } catch {
      throw new KeyFetchError('unusable public key');
    }
    if (!key || !(await platform.prepare(key.key, key.algorithms))) throw new KeyFetchError('unusable public key');
    return [key];
  }

  return Object.assign(createKeyStore(load, ['RS256'], policy, clock.now ?? Date.now, clock.events), { vendor });
}

/** Frontegg's vendor sign-in, shared by the key fetch and the access-token lookups. */
export interface FronteggVendor {
  /** The gateway's base URL, ending in `/`. */
  readonly base: string;
  /** A vendor token, signing in when there is none or it is due for renewal. */
  token(hold: EventLoopHold): Promise<string>;
  /** Drops the vendor token (the gateway refused it): the next call signs in again. */
  forget(): void;
}

/** Frontegg's key source, with the vendor sign-in it uses. */
export type FronteggKeyStore = KeyStore & { readonly vendor: FronteggVendor };

export function fronteggVendor(
  options: FronteggOptions,
  policy: ResolvedKeySetPolicy,
  clock: { now?: () => number } = {},
): FronteggVendor {
  const now = clock.now ?? Date.now;
  const gateway = keyServerUrl(options.gatewayUrl ?? DEFAULT_FRONTEGG_GATEWAY, 'Frontegg gateway URL');
  const base = gateway.href.endsWith('/') ? gateway.href : `${gateway.href}/`;
  const vendorUrl = new URL('auth/vendor', base);
  const request = requestLimits(policy);
  let vendor: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function signIn(hold: EventLoopHold): Promise<string> {
    vendor = undefined;
    let answer: { token?: unknown; expiresIn?: unknown } | null;
    try {
      answer = (await fetchJson(vendorUrl, {
        ...request,
        hold,
        method: 'POST',
        body: { clientId: options.clientId, secret: options.apiKey },
      })) as typeof answer;
    } catch (error) {
      if (isRefusal(error)) {
        throw new KeyFetchError('Frontegg refused the client id and API key', error.status, true);
      }
      throw error;
    }
    if (typeof answer?.token !== 'string' || answer.token === '') throw new KeyFetchError('no vendor token');
    const seconds = Number(answer.expiresIn);
    const lifetime = (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_VENDOR_TOKEN_SECONDS) * 1000;
    vendor = { token: answer.token, renewAt: now() + lifetime - Math.min(VENDOR_TOKEN_MARGIN_MS, lifetime / 2) };
    return vendor.token;
  }

  return {
    base,
    token(hold) {
      if (vendor && now() < vendor.renewAt) return Promise.resolve(vendor.token);
      // Concurrent callers share one sign-in.
      pending ??= signIn(hold).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    forget() {
      vendor = undefined;
    },
  };
}

/** The gateway answered 401 or 403: the credentials (or the vendor token) are not accepted. */
export function isRefusal(error: unknown): error is KeyFetchError {
  return error instanceof KeyFetchError && (error.status === 401 || error.status === 403);
}
