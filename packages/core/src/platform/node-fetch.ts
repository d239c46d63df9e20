import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { describeFetchError as describe, type FetchJsonOptions, KeyFetchError, type LoopHold } from './contract.js';

/** Holds the sockets of one key fetch: unref'd until a caller waits on them. */
export class EventLoopHold implements LoopHold {
  private readonly sockets = new Set<Socket>();

  constructor(private held: boolean) {}

  /** A caller now waits on these requests: keep the process alive until they end. */
  hold(): void {
    if (this.held) return;
    this.held = true;
    for (const socket of this.sockets) socket.ref();
  }

  track(socket: Socket): () => void {
    this.sockets.add(socket);
    if (!this.held) socket.unref();
    return () => this.sockets.delete(socket);
  }
}

/**
 * One bounded request: a timeout over the whole exchange (connect, headers and body), no
 * redirects, a capped body, JSON only. node:http rather than fetch, so that a background refresh
 * can let the process exit (fetch gives no hold on its socket).
 */
export function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    let release: (() => void) | undefined;
    const finish = (error: KeyFetchError | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      release?.();
      if (error) {
        req.destroy();
        reject(error);
      } else {
        resolve(value);
      }
    };
    // The socket decides whether the process stays alive; the timer never does.
    const timer = setTimeout(() => finish(new KeyFetchError('timed out')), options.timeoutMs);
    timer.unref();

    let req: ClientRequest;
    try {
      req = send(url, { method: options.method ?? 'GET', headers, agent: false });
    } catch (error) {
      clearTimeout(timer);
      reject(new KeyFetchError(`request failed: ${describe(error)}`));
      return;
    }
    req.on('socket', (socket: Socket) => {
      release = (options.hold as EventLoopHold | undefined)?.track(socket);
    });
    req.on('error', (error) => finish(new KeyFetchError(`request failed: ${describe(error)}`)));
    req.on('response', (response) => {
      readResponse(response, options.maxBytes).then(
        (value) => finish(undefined, value),
        (error: KeyFetchError) => finish(error),
      );
    });
    req.end(payload);
  });
}

function readResponse(response: IncomingMessage, maxBytes: number): Promise<unknown> {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.resume();
    return Promise.reject(new KeyFetchError(`answered ${status}`, status));
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new KeyFetchError('answer too large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new KeyFetchError('answer too large'));
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.on('aborted', () => reject(new KeyFetchError('answer broken off')));
    response.on('error', () => reject(new KeyFetchError('answer broken off')));
    response.on('end', () => {
      if (!response.complete) return reject(new KeyFetchError('answer broken off'));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new KeyFetchError('answered with invalid JSON'));
      }
    });
  });
}
