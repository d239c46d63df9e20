import type { Algorithm } from '../algorithms.js';

/**
 * What the rest of core needs from the platform: raw signature checks, key import, base64url,
 * strict UTF-8 and bounded JSON requests. `#platform` resolves to one of two implementations
 * through package.json `imports` conditions: `node.ts` (node:crypto, node:http; synchronous
 * signature checks) on Node, `web.ts` (WebCrypto, fetch) everywhere else. Every policy (which
 * algorithm fits which key, weak keys, signature shapes) is decided in shared code, never here.
 */
export interface Platform {
  readonly name: 'node' | 'web';
  /**
   * I/O belongs to the request that started it (Cloudflare Workers): a fetch started for one request
   * is cancelled when that request ends, and cannot be awaited by another one. Key sets are then
   * refreshed in the foreground, and each request that must wait for keys fetches them itself.
   */
  readonly requestScopedIo: boolean;
  decodeBase64url(input: string): Uint8Array | undefined;
  /** The text of strict UTF-8 bytes; undefined for anything else. */
  decodeUtf8(bytes: Uint8Array): string | undefined;
  /** Bytes of a string whose characters are all below U+0100 (a compact JWS is ASCII). */
  latin1Bytes(text: string): Uint8Array;
  /** A public key from its public JWK members. Throws on anything unusable. */
  importPublicJwk(jwk: PublicJwk): PlatformKey;
  /** A public key from PEM text: SPKI, PKCS#1 or a certificate. Throws on anything else. */
  importPublicPem(pem: string): PlatformKey;
  importSecret(bytes: Uint8Array): PlatformKey;
  /**
   * Readies a key for these algorithms now (WebCrypto imports it), so that a key set is refused
   * or kept before any token needs it. False: the platform cannot use the key for all of them.
   */
  prepare(key: PlatformKey, algorithms: Iterable<Algorithm>): boolean | Promise<boolean>;
  /** Same key material. */
  sameKey(a: PlatformKey, b: PlatformKey): boolean;
  /** The raw cryptographic check, after the shared checks passed; never throws. */
  verify(alg: Algorithm, key: PlatformKey, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
  /** One bounded request: a timeout over the whole exchange, no redirects, a capped body, JSON only. */
  fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown>;
  /** `held`: whether the requests made with it keep the process alive from the start. */
  createLoopHold(held: boolean): LoopHold;
}

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'secret';

/** What the algorithm policy needs to know of a key, the same on every platform. */
export interface KeyInfo {
  readonly type: KeyType;
  /** RSA modulus length in bits. */
  readonly modulusBits?: number;
  /** EC curve, by its JWK name (`P-256`, `P-384`, `P-521`). */
  readonly curve?: string;
  /** Length of a secret in bytes. */
  readonly secretBytes?: number;
}

/** A key as the platform holds it: opaque to shared code except for its description. */
export interface PlatformKey {
  readonly info: KeyInfo;
}

/** The public members of a JWK, as far as signature keys go. */
export interface PublicJwk {
  kty: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/**
 * Whether the requests of one key fetch keep the process alive (Node). A background refresh nobody
 * waits for must not delay the exit of a process that is done; once a caller waits on it, it must.
 * Runtimes without that notion ignore it.
 */
export interface LoopHold {
  /** A caller now waits on these requests. */
  hold(): void;
}

export interface FetchJsonOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly hold?: LoopHold;
}

/** Why a key server's answer could not be used. Internal: never reaches a client. */
export class KeyFetchError extends Error {
  override readonly name = 'KeyFetchError';
  constructor(
    message: string,
    readonly status?: number,
    /** The server refused our credentials (not a transient failure: a configuration to fix). */
    readonly refused = false,
  ) {
    super(message);
  }
}

/** A short, secret-free description of a network error. */
export function describeFetchError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
