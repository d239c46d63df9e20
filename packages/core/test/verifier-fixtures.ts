import { createSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import {
  AUTH_ERROR_MESSAGES,
  AuthError,
  type AuthErrorCode,
  type AuthErrorReason,
  GatehouseConfigError,
} from '@gatehousejs/core';
import { expect } from 'vitest';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** base64url of a JSON value or of exact text. */
export const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An RS256 token over exact header and payload text (duplicate members, odd escapes...). */
export function signRawRs256(headerJson: string, payloadJson: string, key: KeyObject): string {
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  const signature = createSign('sha256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

/** Resolves to the AuthError the promise rejects with; fails the test when it resolves or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if ('resolved' in outcome) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.error).toBeInstanceOf(AuthError);
  return outcome.error as AuthError;
}

/** The GatehouseConfigError `fn` throws; fails the test when it throws anything else or nothing. */
export function configError(fn: () => unknown): GatehouseConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GatehouseConfigError);
    expect((error as GatehouseConfigError).code).toBe('INVALID_CONFIGURATION');
    return error as GatehouseConfigError;
  }
  throw new Error('expected a GatehouseConfigError');
}

export async function expectRejected(
  promise: Promise<unknown>,
  code: AuthErrorCode,
  reason?: AuthErrorReason | readonly AuthErrorReason[],
): Promise<AuthError> {
  const error = await rejection(promise);
  expect(error.code).toBe(code);
  if (typeof reason === 'string') expect(error.reason).toBe(reason);
  else if (reason) expect(reason).toContain(error.reason);
  return error;
}

/** What a client may see of an error: one of the fixed messages, none of the secrets, one line of "stack". */
export function expectClientSafe(error: AuthError, secrets: readonly string[]): void {
  expect(Object.values(AUTH_ERROR_MESSAGES)).toContain(error.message);
  expect(error.stack?.split('\n')).toHaveLength(1);
  const visible = [error.message, JSON.stringify(error), String(error.stack), error.wwwAuthenticate ?? ''].join('\n');
  for (const secret of secrets) if (secret) expect(visible).not.toContain(secret);
  expect(JSON.parse(JSON.stringify(error))).toEqual({ error: error.code, message: error.message });
}

export interface Listening {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1, port 0 (headers up to 64 KiB, so that size caps are Gatehouse's). */
export async function listenHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server = createServer({ maxHeaderSize: 64 * 1024 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Serves one JSON document at every path. */
export const serveJson = (body: unknown) =>
  listenHttp((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });

/** A bare TCP listener that counts the connections made to it: proof that nothing was fetched. */
export async function connectionCounter(): Promise<Listening & { readonly connections: number }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends exact request bytes over a socket (duplicate headers and all) and reads the whole answer. */
export function rawHttp(port: number, lines: readonly string[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end(`${[...lines, 'Connection: close', '', ''].join('\r\n')}`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: decodeChunked(rest.join('\r\n\r\n'), headers),
      });
    });
  });
}

function decodeChunked(body: string, headers: Record<string, string>): string {
  if (headers['transfer-encoding'] !== 'chunked') return body;
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
