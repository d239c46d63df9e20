// Real requests to the example app (tRPC fetch adapter at /trpc, GraphQL Yoga at /graphql) wherever
// it runs: public operations answer anyone, protected ones need a valid token, admin ones the role.

import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import type { AppRouter } from '@gatehousejs/example-worker/app';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RuntimeServer } from './harness.js';

export interface AppTokens {
  readonly user: string;
  readonly admin: string;
  /** RS256 → HS256 confusion: signed with the issuer's public key as an HMAC secret. */
  readonly forged: string;
  readonly expired: string;
}

export async function appTokens(issuer: TestIssuer, audience?: string): Promise<AppTokens> {
  const aud = audience === undefined ? {} : { aud: audience };
  const now = Math.floor(Date.now() / 1000);
  return {
    user: await issuer.sign({ sub: 'user-1', roles: ['user'], ...aud }),
    admin: await issuer.sign({ sub: 'admin-1', roles: ['admin'], ...aud }),
    forged: signJwt({
      header: { alg: 'HS256', kid: issuer.currentKid },
      payload: { iss: issuer.issuer, sub: 'admin-1', roles: ['admin'], iat: now, exp: now + 600, ...aud },
      key: issuer.publicKeyPem(),
    }),
    expired: await issuer.sign({ sub: 'admin-1', roles: ['admin'], ...aud }, { expiresIn: -60 }),
  };
}

export async function expectTrpcProtected(url: string, tokens: AppTokens): Promise<void> {
  const client = (token?: string) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
    });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'OK',
      (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string })?.code : String(error)),
    );
  expect(await client().health.query()).toBe('ok');
  expect(await codeOf(client().me.query())).toBe('UNAUTHORIZED');
  expect(await client(tokens.user).me.query()).toBe('user-1');
  expect(await codeOf(client(tokens.user).admin.query())).toBe('FORBIDDEN');
  expect(await client(tokens.admin).admin.query()).toBe('admin area');
  expect(await codeOf(client(tokens.forged).admin.query())).toBe('UNAUTHORIZED');
  // A bad token is never anonymous, public procedures included.
  expect(await codeOf(client(tokens.expired).health.query())).toBe('UNAUTHORIZED');
}

export async function expectGraphqlProtected(url: string, tokens: AppTokens): Promise<void> {
  const graphql = async (query: string, token?: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, data: body.data ?? null, code: body.errors?.[0]?.extensions?.code };
  };
  expect(await graphql('{ health }')).toMatchObject({ status: 200, data: { health: 'ok' } });
  expect(await graphql('{ me }')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  expect(await graphql('{ me }', tokens.user)).toMatchObject({ status: 200, data: { me: 'user-1' } });
  expect(await graphql('{ admin }', tokens.user)).toMatchObject({ code: 'FORBIDDEN', data: null });
  expect(await graphql('{ admin }', tokens.admin)).toMatchObject({ status: 200, data: { admin: 'admin area' } });
  expect(await graphql('{ admin }', tokens.forged)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  expect(await graphql('{ health }', tokens.expired)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
}

/**
 * The smoke test of a runnable example: started (by `start`) against a real test issuer whose keys
 * it gets from the environment (`GATEHOUSE_JWKS_URI`, `GATEHOUSE_ISSUER`, `GATEHOUSE_AUDIENCE`), it
 * protects its tRPC procedures and GraphQL fields.
 */
export function exampleSmokeTest(name: string, start: (env: Record<string, string>) => Promise<RuntimeServer>): void {
  const audience = 'https://api.example';
  let issuer: TestIssuer;
  let server: RuntimeServer;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience });
    server = await start({
      GATEHOUSE_JWKS_URI: issuer.jwksUri,
      GATEHOUSE_ISSUER: issuer.issuer,
      GATEHOUSE_AUDIENCE: audience,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  test(`the ${name} protects its tRPC procedures and GraphQL fields`, async () => {
    const tokens = await appTokens(issuer);
    await expectTrpcProtected(server.url, tokens);
    await expectGraphqlProtected(server.url, tokens);
  });
}
