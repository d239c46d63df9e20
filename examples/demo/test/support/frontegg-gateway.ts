import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FronteggGateway {
  /** The gateway's base URL, for `FRONTEGG_API_GATEWAY_URL`. */
  readonly url: string;
  /** How many times the public key was fetched. */
  readonly keyRequests: number;
  close(): Promise<void>;
}

/**
 * A Frontegg-compatible vendor API on 127.0.0.1: `POST /auth/vendor` with `{ clientId, secret }` gives
 * `{ token, expiresIn }`; `GET /identity/resources/configurations/v1` with `x-access-token` gives
 * `{ publicKey }`. Wrong credentials get 401, as Frontegg answers.
 */
export async function startFronteggGateway(options: {
  clientId: string;
  apiKey: string;
  publicKeyPem: () => string;
}): Promise<FronteggGateway> {
  const tokens = new Set<string>();
  let keyRequests = 0;
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/auth/vendor') {
      let body: { clientId?: unknown; secret?: unknown } = {};
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { errors: ['bad request'] });
      }
      if (body.clientId !== options.clientId || body.secret !== options.apiKey) {
        return send(401, { errors: ['unauthorized'] });
      }
      const token = randomUUID();
      tokens.add(token);
      return send(200, { token, expiresIn: 3600 });
    }
    if (req.method === 'GET' && req.url === '/identity/resources/configurations/v1') {
      const token = req.headers['x-access-token'];
      if (typeof token !== 'string' || !tokens.has(token)) return send(401, { errors: ['unauthorized'] });
      keyRequests++;
      return send(200, { publicKey: options.publicKeyPem() });
    }
    send(404, { errors: ['not found'] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get keyRequests() {
      return keyRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
