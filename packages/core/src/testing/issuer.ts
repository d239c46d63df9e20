import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signJwt } from './sign.js';

export type TestIssuerAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface TestIssuerOptions {
  /** Signing algorithm of the issuer's keys. Default RS256. */
  algorithm?: TestIssuerAlgorithm;
  /** `aud` put in every token unless a token says otherwise. */
  audience?: string | string[];
  /** `iss` of the tokens; default: the issuer's own URL (`http://127.0.0.1:<port>`). */
  issuer?: string;
  /** Default lifetime of a token, in seconds. Default 3600. */
  expiresIn?: number;
  /** Port on 127.0.0.1; default a free one. `false`: serve nothing (mount `handler` yourself). */
  port?: number | false;
}

export interface SignOptions {
  /** Seconds from now; `null` signs a token with no `exp`. Default: the issuer's `expiresIn`. */
  expiresIn?: number | null;
  /** `iat` in seconds since the epoch; `null` leaves it out. Default now. */
  issuedAt?: number | null;
  /** `nbf` in seconds since the epoch. */
  notBefore?: number;
  /** Header members to add or override (`typ`, `kid`, `alg`, `crit`...), for hostile tokens. */
  header?: Record<string, unknown>;
  /** Sign with this key id (current key by default); any key the issuer still holds. */
  kid?: string;
}

export interface TestIssuer {
  /** The `iss` of its tokens. */
  readonly issuer: string;
  /** Where its JWKS is served. */
  readonly jwksUri: string;
  readonly algorithm: TestIssuerAlgorithm;
  /** The id of the key new tokens are signed with. */
  readonly currentKid: string;
  /** How many times its JWKS was fetched. */
  readonly jwksRequests: number;
  /** Signs a token: `sub` defaults to `test-user`; `iss`, `aud`, `iat` and `exp` are filled in. */
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** The JWKS it publishes (public keys only). */
  jwks(): { keys: Record<string, unknown>[] };
  /** PEM of the current public key. */
  publicKeyPem(): string;
  /** The current private key, for tests that craft tokens by hand. */
  privateKey(kid?: string): KeyObject;
  /** Makes a new current key; the old one stays published until `retire()`. Returns the new kid. */
  rotate(): string;
  /** Stops publishing a key. */
  retire(kid: string): void;
  /** Serves `/.well-known/jwks.json` and `/.well-known/openid-configuration`; false for other paths. */
  handler(req: IncomingMessage, res: ServerResponse): boolean;
  close(): Promise<void>;
}

interface IssuerKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const JWKS_PATH = '/.well-known/jwks.json';
const DISCOVERY_PATH = '/.well-known/openid-configuration';

/**
 * A real issuer for tests and demos: holds its own keys, serves its JWKS on 127.0.0.1, rotates
 * keys, and signs tokens with node:crypto.
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const algorithm = options.algorithm ?? 'RS256';
  const keys: IssuerKey[] = [newKey(algorithm)];
  let current = keys[0] as IssuerKey;
  let jwksRequests = 0;
  let origin = 'http://127.0.0.1';

  const server =
    options.port === false
      ? undefined
      : createServer((req, res) => {
          if (!handler(req, res)) {
            res.statusCode = 404;
            res.end();
          }
        });
  if (server) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen((options.port as number | undefined) ?? 0, '127.0.0.1', () => resolve());
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const issuer = options.issuer ?? origin;
  const jwksUri = `${origin}${JWKS_PATH}`;

  function jwks() {
    return {
      keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: algorithm, use: 'sig' })),
    };
  }

  function handler(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0];
    let body: unknown;
    if (path === JWKS_PATH) {
      jwksRequests++;
      body = jwks();
    } else if (path === DISCOVERY_PATH) {
      body = { issuer, jwks_uri: jwksUri, id_token_signing_alg_values_supported: [algorithm] };
    } else {
      return false;
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify(body));
    return true;
  }

  const find = (kid: string) => {
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`test issuer holds no key ${kid}`);
    return key;
  };

  return {
    issuer,
    jwksUri,
    algorithm,
    get currentKid() {
      return current.kid;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    async sign(claims = {}, signOptions = {}) {
      const key = signOptions.kid ? find(signOptions.kid) : current;
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { iss: issuer, sub: 'test-user' };
      if (options.audience !== undefined) payload.aud = options.audience;
      if (signOptions.issuedAt !== null) payload.iat = signOptions.issuedAt ?? now;
      if (signOptions.notBefore !== undefined) payload.nbf = signOptions.notBefore;
      const expiresIn = signOptions.expiresIn === undefined ? (options.expiresIn ?? 3600) : signOptions.expiresIn;
      if (expiresIn !== null) payload.exp = now + expiresIn;
      Object.assign(payload, claims);
      const header = { alg: algorithm, typ: 'JWT', kid: key.kid, ...signOptions.header };
      return signJwt({ header, payload, key: key.privateKey });
    },
    jwks,
    publicKeyPem: () => current.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateKey: (kid) => (kid ? find(kid) : current).privateKey,
    rotate() {
      current = newKey(algorithm);
      keys.push(current);
      return current.kid;
    },
    retire(kid) {
      const index = keys.findIndex((k) => k.kid === kid);
      if (index === -1) return;
      if (keys[index] === current) throw new Error('rotate() before retiring the current key');
      keys.splice(index, 1);
    },
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function newKey(algorithm: TestIssuerAlgorithm): IssuerKey {
  const { privateKey, publicKey } = generate(algorithm);
  return { kid: randomUUID(), privateKey, publicKey };
}

function generate(algorithm: TestIssuerAlgorithm) {
  switch (algorithm) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'ES512':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
    default:
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
  }
}
