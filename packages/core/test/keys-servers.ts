// Real HTTP servers on 127.0.0.1 that serve key material and misbehave on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestIssuer } from '@gatehousejs/core/testing';

export type Behavior = (req: IncomingMessage, res: ServerResponse) => void;

export interface KeyServer {
  readonly url: string;
  /** Requests received, in order (path only). */
  readonly requests: string[];
  /** Replaces what the server does from the next request on. */
  behave(behavior: Behavior): void;
  close(): Promise<void>;
}

export async function startKeyServer(behavior: Behavior): Promise<KeyServer> {
  let current = behavior;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    current(req, res);
  });
  const url = await listen(server);
  return {
    url,
    requests,
    behave(next) {
      current = next;
    },
    close: () => close(server),
  };
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// Behaviours ---------------------------------------------------------------------------------------

export const json =
  (body: unknown, status = 200): Behavior =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

/** The issuer's JWKS and discovery document, as the issuer serves them. */
export const issuerKeys =
  (issuer: TestIssuer): Behavior =>
  (req, res) => {
    if (!issuer.handler(req, res)) {
      res.statusCode = 404;
      res.end();
    }
  };

export const status =
  (code: number, body = ''): Behavior =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(body);
  };

/** Accepts the request and never answers. */
export const hang: Behavior = () => {};

/** Sends the headers, then never finishes the body. */
export const hangAfterHeaders: Behavior = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"keys":[');
};

/** Drops the connection without an answer, like a crashed server. */
export const reset: Behavior = (req) => {
  req.socket.destroy();
};

export const redirect =
  (location: string, code = 302): Behavior =>
  (_req, res) => {
    res.writeHead(code, { location });
    res.end();
  };

export type HugeMode = 'honest-length' | 'lying-length' | 'no-length' | 'chunked' | 'endless';

/**
 * An answer larger than `bytes` (valid JSON when complete). `honest-length` declares its size;
 * `lying-length` declares a small size and sends more; `no-length` sends until it closes;
 * `chunked` uses chunked encoding; `endless` streams chunks forever.
 */
export const huge =
  (mode: HugeMode, bytes: number): Behavior =>
  (_req, res) => {
    const padding = 'x'.repeat(bytes);
    const body = `{"keys":[],"padding":"${padding}"}`;
    if (mode === 'honest-length') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else if (mode === 'lying-length') {
      // Raw bytes: node:http would refuse to send more than the declared length.
      res.socket?.end(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 64\r\nconnection: close\r\n\r\n${body}`,
      );
    } else if (mode === 'no-length') {
      res.socket?.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${body}`);
    } else if (mode === 'chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < body.length; i += 16 * 1024) res.write(body.slice(i, i + 16 * 1024));
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[],"padding":"');
      const chunk = 'x'.repeat(16 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          /* fill the buffer */
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    }
  };

// A Frontegg-compatible gateway ----------------------------------------------------------------------

export interface FronteggGatewayOptions {
  clientId: string;
  apiKey: string;
  /** PEM served as `publicKey`; read on every request, so it can change. */
  publicKeyPem: () => string;
  /** `expiresIn` of vendor tokens, in seconds. */
  expiresIn?: number;
  /** Serve under this path prefix (`/frontegg`), as behind a reverse proxy. */
  prefix?: string;
}

export interface FronteggGateway {
  readonly url: string;
  readonly vendorCalls: number;
  readonly keyCalls: number;
  /** Vendor tokens issued, in order. */
  readonly vendorTokens: string[];
  /** Every request body received by `/auth/vendor`, raw. */
  readonly vendorBodies: string[];
  /** Makes the gateway answer every request with this status (or `undefined` to work again). */
  failWith(code: number | 'reset' | undefined): void;
  /** Withdraws every vendor token issued so far (as if they had expired at the gateway). */
  revokeTokens(): void;
  /**
   * Access tokens Frontegg knows, by `tenants/<id>` or `users/<id>`: the body of
   * `GET /identity/resources/vendor-only/{tenants|users}/access-tokens/v1/<id>` (404 when absent).
   */
  readonly accessTokens: Map<string, unknown>;
  /** Requests to the access-token endpoints, by `tenants/<id>` or `users/<id>`. */
  readonly accessTokenCalls: string[];
  /** Makes the access-token endpoints accept requests and never answer (`true`), or answer again. */
  hangAccessTokens(hang: boolean): void;
  close(): Promise<void>;
}

/**
 * `POST /auth/vendor` with `{ clientId, secret }` → `{ token, expiresIn }` (401 for wrong
 * credentials); `GET /identity/resources/configurations/v1` with a valid `x-access-token` →
 * `{ publicKey }` (401 otherwise). Everything else: 404.
 */
export async function startFronteggGateway(options: FronteggGatewayOptions): Promise<FronteggGateway> {
  let vendorCalls = 0;
  let keyCalls = 0;
  let failure: number | 'reset' | undefined;
  const vendorTokens: string[] = [];
  const vendorBodies: string[] = [];
  const valid = new Set<string>();
  const accessTokens = new Map<string, unknown>();
  const accessTokenCalls: string[] = [];
  let hangAccessTokens = false;
  const accessTokenPath = /^\/identity\/resources\/vendor-only\/(tenants|users)\/access-tokens\/v1\/([^/]+)$/;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const full = (req.url ?? '').split('?')[0] ?? '';
    const prefix = options.prefix ?? '';
    const path = full.startsWith(prefix) ? full.slice(prefix.length) : '';
    if (path === '/auth/vendor') vendorCalls++;
    if (path === '/identity/resources/configurations/v1') keyCalls++;
    if (failure === 'reset') return req.socket.destroy();
    if (failure !== undefined) return send(res, failure, { message: 'unavailable' });

    if (req.method === 'POST' && path === '/auth/vendor') {
      vendorBodies.push(body);
      let credentials: { clientId?: unknown; secret?: unknown } = {};
      try {
        credentials = JSON.parse(body);
      } catch {
        return send(res, 400, { message: 'bad request' });
      }
      if (credentials.clientId !== options.clientId || credentials.secret !== options.apiKey) {
        return send(res, 401, { statusCode: 401, message: 'Unauthorized' });
      }
      const token = `vendor-token-${vendorTokens.length + 1}`;
      vendorTokens.push(token);
      valid.add(token);
      return send(res, 200, { token, expiresIn: options.expiresIn ?? 86_400 });
    }
    if (req.method === 'GET' && path === '/identity/resources/configurations/v1') {
      const token = req.headers['x-access-token'];
      if (typeof token !== 'string' || !valid.has(token)) return send(res, 401, { message: 'Unauthorized' });
      return send(res, 200, { publicKey: options.publicKeyPem() });
    }
    const accessToken = req.method === 'GET' ? accessTokenPath.exec(path) : null;
    if (accessToken) {
      const key = `${accessToken[1]}/${decodeURIComponent(accessToken[2] as string)}`;
      accessTokenCalls.push(key);
      const token = req.headers['x-access-token'];
      if (typeof token !== 'string' || !valid.has(token)) return send(res, 401, { message: 'Unauthorized' });
      if (hangAccessTokens) return;
      const body = accessTokens.get(key);
      return body === undefined ? send(res, 404, { message: 'not found' }) : send(res, 200, body);
    }
    send(res, 404, { message: 'not found' });
  });
  const url = (await listen(server)) + (options.prefix ?? '');
  return {
    url,
    get vendorCalls() {
      return vendorCalls;
    },
    get keyCalls() {
      return keyCalls;
    },
    vendorTokens,
    vendorBodies,
    failWith(code) {
      failure = code;
    },
    revokeTokens() {
      valid.clear();
    },
    accessTokens,
    accessTokenCalls,
    hangAccessTokens(hang) {
      hangAccessTokens = hang;
    },
    close: () => close(server),
  };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A clock the verifier reads (`now` option) that tests move by hand. */
export function manualClock(start = Date.now()) {
  let t = start;
  return {
    now: () => t,
    advance(seconds: number) {
      t += seconds * 1000;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
