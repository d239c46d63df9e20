import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, GatehouseConfigError } from '@gatehousejs/core';
import { createAuthExecutor } from '@gatehousejs/graphql';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { type ExecutionResult, parse } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { buildTestSchema } from './support/schema.js';
import { type Issued, startIssuer } from './support/server.js';
import { openSse } from './support/sse.js';

let issued: Issued;
let server: Server;
let wss: WebSocketServer;
let httpUrl: string;
let wsUrl: string;
const app = buildTestSchema();
const clients: Client[] = [];
type Engine = Pick<ReturnType<ReturnType<typeof createYoga>['getEnveloped']>, 'execute' | 'subscribe'>;

beforeAll(async () => {
  issued = await startIssuer();
  const yoga = createYoga({
    schema: app.schema,
    plugins: [useGatehouse({ verifier: issued.verifier })],
    logging: false,
  });
  server = createServer(yoga);
  wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  // graphql-yoga's documented graphql-ws setup: the enveloped pipeline (and so Gatehouse) runs per operation.
  useServer(
    {
      execute: (args) => (args.rootValue as Engine).execute(args),
      subscribe: (args) => (args.rootValue as Engine).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  httpUrl = `http://127.0.0.1:${port}/graphql`;
  wsUrl = `ws://127.0.0.1:${port}/graphql`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await new Promise<void>((resolve) => wss?.close(() => resolve()));
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    server?.closeAllConnections();
  });
  await issued?.issuer.close();
});

/** Publishes ticks until `received` settles: a subscriber attaches lazily, so the first ticks may find nobody. */
async function publishUntil<T>(received: Promise<T>): Promise<T> {
  let done = false;
  let n = 0;
  const pump = (async () => {
    while (!done) {
      app.pubsub.publish('tick', { n: ++n });
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    return await received;
  } finally {
    done = true;
    await pump;
  }
}

describe('yoga SSE subscriptions', () => {
  test('an authenticated caller receives events', async () => {
    const stream = await openSse(httpUrl, 'subscription { ticks { n } }', await issued.token({ sub: 'u' }));
    try {
      expect(stream.status).toBe(200);
      const event = await publishUntil(stream.next());
      expect(event).toMatchObject({ data: { ticks: { n: expect.any(Number) } } });
    } finally {
      await stream.close();
    }
  });

  test('an anonymous caller is refused at subscribe with 401', async () => {
    const stream = await openSse(httpUrl, 'subscription { ticks { n } }');
    try {
      expect(stream.status).toBe(401);
      expect(stream.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
      expect(await stream.next()).toEqual({
        errors: [
          {
            message: 'Authentication required',
            path: ['ticks'],
            locations: [{ line: 1, column: 16 }],
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    } finally {
      await stream.close();
    }
  });

  test('a caller without the role is refused with 403, also for a protected field of the event', async () => {
    const token = await issued.token({ sub: 'u' });
    for (const query of ['subscription { adminTicks { n } }', 'subscription { ticks { n secretNote } }']) {
      const stream = await openSse(httpUrl, query, token);
      try {
        expect(stream.status).toBe(403);
        expect(await stream.next()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
      } finally {
        await stream.close();
      }
    }
  });

  test('the stream ends when the token expires', async () => {
    const token = await issued.token({ sub: 'short', roles: ['admin'] }, 2);
    const stream = await openSse(httpUrl, 'subscription { adminTicks { n secretNote } }', token);
    try {
      expect(stream.status).toBe(200);
      expect(await publishUntil(stream.next())).toMatchObject({ data: { adminTicks: { secretNote: 'for admins' } } });
      // No further events are published: the timer alone must end it (at exp plus the verifier's
      // clock tolerance). Ticks the pump sent before it stopped may still be on their way.
      let next = await stream.next();
      while (typeof next === 'object' && 'data' in next) next = await stream.next();
      expect(next).toEqual({
        errors: [{ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(await stream.next()).toBe('complete');
    } finally {
      await stream.close();
    }
  });
});

function wsClient(connectionParams: Record<string, unknown> = {}): Client {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
  clients.push(client);
  return client;
}

async function first(client: Client, query: string) {
  const iterator = client.iterate({ query });
  const step = await publishUntil(iterator.next());
  await iterator.return?.();
  return step.value;
}

describe('graphql-ws subscriptions', () => {
  test('the token in connectionParams authenticates the socket', async () => {
    const client = wsClient({ authorization: `Bearer ${await issued.token({ sub: 'ws-user' })}` });
    expect(await first(client, 'subscription { ticks { n } }')).toMatchObject({
      data: { ticks: { n: expect.any(Number) } },
    });
  });

  test('missing, bad and insufficient credentials are refused at subscribe', async () => {
    expect(await first(wsClient(), 'subscription { ticks { n } }')).toEqual({
      errors: [
        {
          message: 'Authentication required',
          path: ['ticks'],
          locations: [{ line: 1, column: 16 }],
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    expect(await first(wsClient({ authorization: 'Bearer forged' }), 'subscription { ticks { n } }')).toEqual({
      errors: [{ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    const user = wsClient({ Authorization: `Bearer ${await issued.token({ sub: 'u' })}` });
    expect(await first(user, 'subscription { adminTicks { n } }')).toEqual({
      errors: [
        {
          message: 'Insufficient permissions',
          path: ['adminTicks'],
          locations: [{ line: 1, column: 16 }],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  test('two credentials (connectionParams and the upgrade request) are a bad request', async () => {
    const token = await issued.token({ sub: 'u' });
    const client = createClient({
      url: wsUrl,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { authorization: `Bearer ${token}` } });
        }
      },
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    expect(await first(client, 'subscription { ticks { n } }')).toMatchObject({
      errors: [{ extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  test('the subscription ends when the token expires', async () => {
    const client = wsClient({ authorization: `Bearer ${await issued.token({ sub: 'short' }, 2)}` });
    const iterator = client.iterate({ query: 'subscription { ticks { n } }' });
    expect((await publishUntil(iterator.next())).value).toMatchObject({ data: { ticks: {} } });
    const last = await iterator.next();
    expect(last.value).toEqual({
      errors: [{ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect((await iterator.next()).done).toBe(true);
  });
});

describe('plain subscribe (createAuthExecutor)', () => {
  const document = parse('subscription { ticks { n } }');

  test('a subscription needs the verifier: refused before anything runs without it', async () => {
    const user = await issued.verifier.verify(await issued.token({ sub: 'u' }));
    const calls = app.effects.calls.length;
    expect(() => createAuthExecutor().subscribe({ schema: app.schema, document, contextValue: { user } })).toThrow(
      GatehouseConfigError,
    );
    expect(app.effects.calls.length).toBe(calls);
  });

  test('it ends when the verifier stops accepting the token: exp plus clock tolerance, on its clock', async () => {
    let clock = Date.now();
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: issued.issuer.jwksUri,
      issuer: issued.issuer.issuer,
      clockTolerance: 30,
      now: () => clock,
    });
    const user = await verifier.verify(await issued.token({ sub: 'tolerant' }, 60));
    const exp = user.claims.exp as number;
    const stream = (await createAuthExecutor({ verifier }).subscribe({
      schema: app.schema,
      document,
      contextValue: { user },
    })) as AsyncGenerator<ExecutionResult>;
    try {
      clock = (exp + 10) * 1000; // past exp, within the tolerance: the verifier still accepts the token
      expect((await publishUntil(stream.next())).value).toMatchObject({ data: { ticks: { n: expect.any(Number) } } });
      clock = (exp + 31) * 1000;
      expect((await publishUntil(stream.next())).value).toEqual({
        errors: [
          expect.objectContaining({ message: 'Invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }),
        ],
      });
      expect((await stream.next()).done).toBe(true);
    } finally {
      await stream.return(undefined);
    }
  });
});
