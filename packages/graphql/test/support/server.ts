import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, type Verifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { type UseGatehouseOptions, useGatehouse } from '@gatehousejs/graphql/yoga';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerOptions } from 'graphql-yoga';

export interface Issued {
  issuer: TestIssuer;
  verifier: Verifier;
  token(claims?: Record<string, unknown>, expiresIn?: number): Promise<string>;
}

export async function startIssuer(): Promise<Issued> {
  const issuer = await createTestIssuer({ audience: 'api' });
  const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  return {
    issuer,
    verifier,
    token: (claims = {}, expiresIn) => issuer.sign(claims, expiresIn === undefined ? {} : { expiresIn }),
  };
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
  text: string;
}

export interface TestServer {
  url: string;
  server: Server;
  request(
    body: unknown,
    init?: { token?: string; authorization?: string | string[]; accept?: string },
  ): Promise<{ status: number; headers: Headers; json: unknown; text: string }>;
  query(
    query: string,
    options?: { token?: string; variables?: Record<string, unknown>; operationName?: string; authorization?: string },
  ): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export async function startYoga(
  schema: GraphQLSchema,
  verifier: Verifier,
  options: Omit<UseGatehouseOptions, 'verifier'> & { yoga?: Partial<YogaServerOptions<object, object>> } = {},
): Promise<TestServer> {
  const { yoga: yogaOptions, ...gatehouse } = options;
  const yoga = createYoga({
    schema,
    logging: false,
    ...yogaOptions,
    plugins: [useGatehouse({ verifier, ...gatehouse }), ...(yogaOptions?.plugins ?? [])],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  const request: TestServer['request'] = async (body, init = {}) => {
    const headers = new Headers({ 'content-type': 'application/json', accept: init.accept ?? 'application/json' });
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (typeof init.authorization === 'string') headers.set('authorization', init.authorization);
    if (Array.isArray(init.authorization))
      for (const value of init.authorization) headers.append('authorization', value);
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };

  return {
    url,
    server,
    request,
    async query(query, opts = {}) {
      const { status, headers, json, text } = await request(
        { query, variables: opts.variables, operationName: opts.operationName },
        { token: opts.token, authorization: opts.authorization },
      );
      return { status, headers, body: json as GraphQLResponse['body'], text };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
