import { type Algorithm, algorithmsForKey, isSupportedAlgorithm } from '../algorithms.js';
import { GatehouseConfigError } from '../errors.js';
import { loggableUrl } from '../logger.js';
import type { Operations } from '../operations.js';
import { warnIfPlainHttp } from '../warnings.js';
import { discoveryKeySource } from './discovery.js';
import { DEFAULT_FRONTEGG_GATEWAY, type FronteggOptions, fronteggKeySource } from './frontegg.js';
import { jwksKeySource } from './jwks.js';
import { importPublicKey, importSecret, type JsonWebKey, type KeySource } from './key.js';
import type { KeySetOrigin } from './key-set-reporter.js';
import type { KeyStoreOptions, ResolvedKeySetPolicy } from './key-store.js';
import { staticKey, staticKeySource } from './static.js';
import { keyServerUrl } from './url.js';

/** The key-source options of a verifier: exactly one of them (or a single issuer, for discovery). */
export interface KeySourceOptions {
  issuer?: string | string[];
  jwksUri?: string;
  publicKey?: string | JsonWebKey;
  secret?: string | Uint8Array;
  frontegg?: FronteggOptions;
}

/**
 * The one key source the options name, checked: a remote set (JWKS, Frontegg, OIDC discovery) kept
 * by `policy`, or a static key whose content is sniffed so that a private key, a key passed as a
 * secret or a weak key is a GatehouseConfigError.
 */
export function selectKeySource(
  options: KeySourceOptions,
  policy: ResolvedKeySetPolicy,
  now: () => number,
  operations?: Pick<Operations, 'keySet' | 'warn'>,
): KeySource {
  const given = (['jwksUri', 'publicKey', 'secret', 'frontegg'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) {
    throw new GatehouseConfigError(
      `give one key source, not ${given.join(' and ')}: mixing them invites algorithm confusion`,
    );
  }
  /** A remote source's clock, and where its events go (logs, metrics, spans). */
  const remote = (source: KeySetOrigin['source'], option: string, url: URL): KeyStoreOptions => {
    if (!operations) return { now };
    warnIfPlainHttp(option, url, operations.warn);
    return { now, events: operations.keySet({ source, url: loggableUrl(url) }) };
  };
  if (options.jwksUri !== undefined) {
    const url = keyServerUrl(options.jwksUri, 'jwksUri');
    return jwksKeySource(url, policy, remote('jwks', 'jwksUri', url));
  }
  if (options.frontegg !== undefined) {
    const { clientId, apiKey } = options.frontegg;
    if (typeof clientId !== 'string' || clientId === '') throw new GatehouseConfigError('frontegg.clientId is missing');
    if (typeof apiKey !== 'string' || apiKey === '') throw new GatehouseConfigError('frontegg.apiKey is missing');
    const gateway = keyServerUrl(options.frontegg.gatewayUrl ?? DEFAULT_FRONTEGG_GATEWAY, 'Frontegg gateway URL');
    return fronteggKeySource(options.frontegg, policy, remote('frontegg', 'frontegg.gatewayUrl', gateway));
  }
  if (options.publicKey !== undefined) return staticKeySource(publicKeyOf(options.publicKey));
  if (options.secret !== undefined) return staticKeySource(secretKeyOf(options.secret));
  if (typeof options.issuer === 'string') {
    const url = keyServerUrl(options.issuer, 'issuer');
    return discoveryKeySource(options.issuer, policy, remote('discovery', 'issuer', url));
  }
  throw new GatehouseConfigError(
    'no key source: give jwksUri, publicKey, secret, frontegg, or a single issuer URL for OIDC discovery',
  );
}

/** The algorithm allowlist: `requested`, checked against what the key source can verify, or all of that. */
export function allowedAlgorithms(requested: unknown, available: readonly Algorithm[]): Algorithm[] {
  if (requested === undefined) return [...available];
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new GatehouseConfigError('algorithms must be a non-empty list');
  }
  for (const alg of requested) {
    if (typeof alg === 'string' && alg.trim().toLowerCase() === 'none') {
      throw new GatehouseConfigError('algorithm "none" is never accepted: unsigned tokens prove nothing');
    }
    if (!isSupportedAlgorithm(alg)) throw new GatehouseConfigError(`algorithm "${String(alg)}" is not supported`);
    if (!available.includes(alg)) throw new GatehouseConfigError(`algorithm "${alg}" does not fit the key source`);
  }
  return requested as Algorithm[];
}

function publicKeyOf(input: string | JsonWebKey) {
  if (holdsPrivateKey(input)) {
    throw new GatehouseConfigError('publicKey holds a private key: give the public key only');
  }
  let key: ReturnType<typeof importPublicKey>;
  try {
    key = importPublicKey(input);
  } catch {
    throw new GatehouseConfigError('publicKey is not a usable public key (PEM or JWK)');
  }
  const algorithms = algorithmsForJwkAlg(input, algorithmsForKey(key));
  if (algorithms.length === 0) throw new GatehouseConfigError('publicKey is too weak or of an unsupported type');
  return staticKey(key, algorithms);
}

function secretKeyOf(input: unknown) {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new GatehouseConfigError('secret must be a string or a Uint8Array');
  }
  if (looksLikeKey(typeof input === 'string' ? input : Array.from(input, (b) => String.fromCharCode(b)).join(''))) {
    throw new GatehouseConfigError(
      'secret looks like a PEM, JWK or SSH key: pass a public key as publicKey, never as an HMAC secret',
    );
  }
  const key = importSecret(input);
  const algorithms = algorithmsForKey(key);
  if (algorithms.length === 0) throw new GatehouseConfigError('secret must be at least 32 bytes');
  return staticKey(key, algorithms);
}

function holdsPrivateKey(input: unknown): boolean {
  if (typeof input === 'string') return input.includes('PRIVATE KEY');
  return typeof input === 'object' && input !== null && 'd' in input;
}

/** A JWK that names its `alg` is bound to it. */
function algorithmsForJwkAlg(input: unknown, fitting: Algorithm[]): Algorithm[] {
  const alg = typeof input === 'object' && input !== null ? (input as { alg?: unknown }).alg : undefined;
  if (alg === undefined) return fitting;
  return fitting.filter((a) => a === alg);
}

function looksLikeKey(text: string): boolean {
  return text.includes('-----BEGIN') || /^\s*\{[\s\S]*"kty"/.test(text) || /^\s*(ssh|ecdsa-sha2)-/.test(text);
}
