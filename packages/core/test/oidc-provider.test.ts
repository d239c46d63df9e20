import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, createVerifier, type Verifier } from '@gatehousejs/core';
import { authDirective } from '@gatehousejs/graphql';
import { useGatehouse } from '@gatehousejs/graphql/yoga';
import { type AuthMeta, createGatehouseContext, type GatehouseContext, gatehouse } from '@gatehousejs/trpc';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

/** The part of `oidc-provider` (which ships no type declarations) that these tests use. */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  errors: { InvalidTarget: new (description?: string) => Error };
}
interface AccessTokenInfo {
  clientId: string;
  scope?: string;
}
interface SigningKey {
  kid: string;
  jwk: Record<string, unknown>;
}

const API = 'https://api.gatehouse.test';
const OTHER_API = 'https://other.gatehouse.test';

/** Machine clients of the provider: what each may ask for, and the roles it gets. */
const CLIENTS = {
  'reports-service': { scope: 'reports:read', roles: ['read-only'] },
  'admin-service': { scope: 'reports:read uploadFile billing:read', roles: ['admin'] },
} as const;
type ClientId = keyof typeof CLIENTS;
const secretOf = (clientId: string) => `${clientId}-secret-0123456789abcdef`;

/** The provider's storage (issued opaque tokens), kept in memory for the life of one provider. */
class MemoryAdapter {
  private readonly entries = new Map<string, Record<string, unknown>>();
  async upsert(id: string, payload: Record<string, unknown>) {
    this.entries.set(id, payload);
  }
  async find(id: string) {
    return this.entries.get(id);
  }
  async findByUid() {
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const entry = this.entries.get(id);
    if (entry) entry.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    this.entries.delete(id);
  }
  async revokeByGrantId() {}
}

function newSigningKey(): SigningKey {
  const kid = randomUUID();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/**
 * A certified OpenID Provider on 127.0.0.1. It can be reconfigured with other signing keys while
 * its address, and so its issuer, stay the same: a rotation as operators run it.
 */
async function startOpenIdProvider() {
  const { default: Provider, errors } = (await import('oidc-provider' as string)) as OidcProviderModule;
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const requests = { discovery: 0, jwks: 0 };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') requests.discovery++;
    if (path === '/jwks') requests.jwks++;
    handle?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function configure(keys: readonly SigningKey[]): void {
    const provider = new Provider(issuer, {
      clients: [
        ...Object.keys(CLIENTS).map((clientId) => ({
          client_id: clientId,
          client_secret: secretOf(clientId),
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        })),
        {
          client_id: 'other-api-client',
          client_secret: secretOf('other-api-client'),
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        },
      ],
      jwks: { keys: keys.map((key) => key.jwk) },
      cookies: { keys: ['gatehouse-test-cookie-key'] },
      adapter: MemoryAdapter,
      ttl: { ClientCredentials: 3600 },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          getResourceServerInfo(_ctx: unknown, resource: string, client: { clientId: string }) {
            const info = { accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
            if (resource === API && client.clientId in CLIENTS) {
              return { ...info, audience: API, scope: CLIENTS[client.clientId as ClientId].scope };
            }
            if (resource === OTHER_API) return { ...info, audience: OTHER_API, scope: 'reports:read' };
            throw new errors.InvalidTarget();
          },
        },
      },
      extraTokenClaims(_ctx: unknown, token: AccessTokenInfo) {
        const client = CLIENTS[token.clientId as ClientId];
        return {
          roles: client ? [...client.roles] : [],
          permissions: token.scope ? token.scope.split(' ') : [],
        };
      },
    });
    handle = provider.callback();
  }

  /** The client-credentials grant at the token endpoint, with a Resource Indicator (RFC 8707). */
  async function clientCredentials(clientId: string, scope: string, resource: string | null = API) {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope });
    if (resource) body.set('resource', resource);
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const answer = (await response.json()) as { access_token?: string; token_type?: string; error?: string };
    if (!response.ok || !answer.access_token) throw new Error(`token endpoint answered ${response.status}`);
    return answer.access_token;
  }

  return {
    issuer,
    requests,
    configure,
    clientCredentials,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type OpenIdProvider = Awaited<ReturnType<typeof startOpenIdProvider>>;

function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] as string, 'base64url').toString('utf8'));
}

describe('Gatehouse with a real OpenID Provider (oidc-provider)', () => {
  let op: OpenIdProvider;
  let firstKey: SigningKey;

  beforeAll(async () => {
    op = await startOpenIdProvider();
    firstKey = newSigningKey();
    op.configure([firstKey]);
  });
  afterAll(() => op.close());

  test('the provider publishes discovery and a JWKS of public keys', async () => {
    const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.issuer).toBe(op.issuer);
    expect(discovery.jwks_uri).toBe(`${op.issuer}/jwks`);
    expect(discovery.grant_types_supported).toContain('client_credentials');
    const jwks = (await (await fetch(discovery.jwks_uri as string)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([firstKey.kid]);
    for (const key of jwks.keys)
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
  });

  test('issues RFC 9068 JWT access tokens from the client-credentials grant', async () => {
    const token = await op.clientCredentials('admin-service', 'reports:read uploadFile');
    expect(decodeSegment(token, 0)).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: firstKey.kid });
    expect(decodeSegment(token, 1)).toMatchObject({
      iss: op.issuer,
      aud: API,
      sub: 'admin-service',
      client_id: 'admin-service',
      scope: 'reports:read uploadFile',
      roles: ['admin'],
      permissions: ['reports:read', 'uploadFile'],
    });
  });

  test('configured with only the issuer URL, Gatehouse discovers the keys and verifies the tokens', async () => {
    const before = { ...op.requests };
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const user = await verifier.verify(await op.clientCredentials('admin-service', 'reports:read uploadFile'));
    expect(user).toMatchObject({ id: 'admin-service', roles: ['admin'], permissions: ['reports:read', 'uploadFile'] });
    expect(authorize(user, { roles: ['admin'], permissions: ['uploadFile'] })).toBe(user);

    const reader = await verifier.verify(await op.clientCredentials('reports-service', 'reports:read uploadFile'));
    // The provider grants only what the client may have: uploadFile was asked for, not granted.
    expect(reader).toMatchObject({ id: 'reports-service', roles: ['read-only'], permissions: ['reports:read'] });
    expect(() => authorize(reader, { roles: ['admin'] })).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize(reader, { permissions: ['uploadFile'] })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(op.requests.discovery - before.discovery).toBe(1);
    expect(op.requests.jwks - before.jwks).toBe(1);
  });

  test('50 concurrent cold verifications fetch discovery and the JWKS once', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 5 }, () => op.clientCredentials('reports-service', 'reports:read')),
    );
    const before = { ...op.requests };
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => verifier.verify(tokens[i % 5] as string)));
    expect(users.every((u) => u.id === 'reports-service')).toBe(true);
    expect(op.requests.discovery - before.discovery).toBe(1);
    expect(op.requests.jwks - before.jwks).toBe(1);
  });

  test('a token the provider issued for another API is refused', async () => {
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const token = await op.clientCredentials('other-api-client', 'reports:read', OTHER_API);
    expect(decodeSegment(token, 1).aud).toBe(OTHER_API);
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, reason: 'AUDIENCE_MISMATCH' });
  });

  test('an opaque access token (no resource requested) is refused, not looked up', async () => {
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const before = { ...op.requests };
    const opaque = await op.clientCredentials('admin-service', 'reports:read', null);
    expect(opaque.split('.')).toHaveLength(1);
    await expect(verifier.verify(opaque)).rejects.toMatchObject({ status: 401, reason: 'TOKEN_MALFORMED' });
    expect(op.requests.jwks).toBe(before.jwks);
  });

  test('a provider token whose claims were edited is refused', async () => {
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const token = await op.clientCredentials('reports-service', 'reports:read');
    const [header, , signature] = token.split('.');
    const payload = { ...decodeSegment(token, 1), roles: ['admin'] };
    const forged = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ status: 401, reason: 'SIGNATURE_INVALID' });
  });

  test('a look-alike issuer URL finds no keys: the discovery document must name it exactly', async () => {
    const verifier = createVerifier({ issuer: `${op.issuer}/`, audience: API });
    const token = await op.clientCredentials('admin-service', 'reports:read');
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'KEYS_UNAVAILABLE', status: 503 });
  });
});

describe('key rotation at the provider', () => {
  let op: OpenIdProvider;
  beforeAll(async () => {
    op = await startOpenIdProvider();
  });
  afterAll(() => op.close());

  test('new tokens are accepted; old-key tokens keep working until the provider drops the key', async () => {
    const oldKey = newSigningKey();
    const newKey = newSigningKey();
    op.configure([oldKey]);

    // The key set's timing (cooldown 30 s, refresh after 600 s) runs on the verifier's clock.
    let skew = 0;
    const verifier: Verifier = createVerifier({ issuer: op.issuer, audience: API, now: () => Date.now() + skew });
    const oldTokens = await Promise.all(
      Array.from({ length: 3 }, () => op.clientCredentials('admin-service', 'reports:read')),
    );
    const [cachedOld, unseenOld, lastOld] = oldTokens as [string, string, string];
    expect(decodeSegment(cachedOld, 0).kid).toBe(oldKey.kid);
    await expect(verifier.verify(cachedOld)).resolves.toMatchObject({ id: 'admin-service' });
    expect(op.requests.jwks).toBe(1);

    // Rotation: the provider signs with a new key and still publishes the old one.
    op.configure([newKey, oldKey]);
    const rotated = await op.clientCredentials('admin-service', 'reports:read');
    expect(decodeSegment(rotated, 0).kid).toBe(newKey.kid);
    // Within the cooldown an unknown key id is not fetched for: no fetch storm from forged kids.
    await expect(verifier.verify(rotated)).rejects.toMatchObject({ status: 401, reason: 'KEY_NOT_FOUND' });
    expect(op.requests.jwks).toBe(1);
    skew += 31_000;
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ id: 'admin-service', roles: ['admin'] });
    expect(op.requests.jwks).toBe(2);
    // The old key is still published: its tokens, cached or not, are still good.
    await expect(verifier.verify(cachedOld)).resolves.toMatchObject({ id: 'admin-service' });
    await expect(verifier.verify(unseenOld)).resolves.toMatchObject({ id: 'admin-service' });

    // The provider drops the old key. Until the key set is refreshed, the cached keys still apply.
    op.configure([newKey]);
    await expect(verifier.verify(lastOld)).resolves.toMatchObject({ id: 'admin-service' });
    expect(op.requests.jwks).toBe(2);

    // Past maxAge the next request refreshes the set in the background; then the old key is gone.
    skew += 601_000;
    await verifier.verify(rotated);
    await vi.waitFor(() => expect(verifier.keyStatus()).toMatchObject({ fetches: 3, keys: 1 }));
    expect(op.requests.jwks).toBe(3);
    for (const token of oldTokens) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, reason: 'KEY_NOT_FOUND' });
    }
    const fresh = await op.clientCredentials('reports-service', 'reports:read');
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ id: 'reports-service' });
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ id: 'admin-service' });
    expect(op.requests.jwks).toBe(3);
    expect(op.requests.discovery).toBe(1);
  });
});

const t = initTRPC.context<GatehouseContext>().meta<AuthMeta>().create();
const { publicProcedure, protectedProcedure } = gatehouse(t);
const reportsRouter = t.router({
  health: publicProcedure.query(() => 'ok'),
  whoami: protectedProcedure.query(({ ctx }) => ({ id: ctx.user.id, roles: [...ctx.user.roles] })),
  reports: protectedProcedure.meta({ permissions: ['reports:read'] }).query(() => ['q1', 'q2']),
  upload: protectedProcedure.meta({ roles: ['admin'], permissions: ['uploadFile'] }).mutation(() => 'stored'),
});

describe('provider tokens through tRPC', () => {
  let op: OpenIdProvider;
  let api: Server;
  let url: string;

  beforeAll(async () => {
    op = await startOpenIdProvider();
    op.configure([newSigningKey()]);
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const handler = createHTTPHandler({ router: reportsRouter, createContext: createGatehouseContext(verifier) });
    api = createServer(handler);
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      api.close(() => resolve());
      api.closeAllConnections();
    });
    await op.close();
  });

  const client = (token?: string) =>
    createTRPCClient<typeof reportsRouter>({
      links: [httpLink({ url, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
    });
  const codeOf = (error: unknown) => (error instanceof TRPCClientError ? error.data?.code : error);

  test('each client gets what its provider-granted roles and scopes allow', async () => {
    const admin = client(await op.clientCredentials('admin-service', 'reports:read uploadFile'));
    expect(await admin.whoami.query()).toEqual({ id: 'admin-service', roles: ['admin'] });
    expect(await admin.reports.query()).toEqual(['q1', 'q2']);
    expect(await admin.upload.mutate()).toBe('stored');

    const reader = client(await op.clientCredentials('reports-service', 'reports:read'));
    expect(await reader.reports.query()).toEqual(['q1', 'q2']);
    await expect(reader.upload.mutate().catch(codeOf)).resolves.toBe('FORBIDDEN');
    // Scope asked for but not granted by the provider does not count.
    const narrow = client(await op.clientCredentials('admin-service', 'uploadFile'));
    await expect(narrow.reports.query().catch(codeOf)).resolves.toBe('FORBIDDEN');
  });

  test("no token, another API's token, or an edited one: UNAUTHORIZED", async () => {
    await expect(client().whoami.query().catch(codeOf)).resolves.toBe('UNAUTHORIZED');
    expect(await client().health.query()).toBe('ok');
    const foreign = await op.clientCredentials('other-api-client', 'reports:read', OTHER_API);
    await expect(client(foreign).whoami.query().catch(codeOf)).resolves.toBe('UNAUTHORIZED');
    // Present but invalid is an error on public procedures too.
    await expect(client(foreign).health.query().catch(codeOf)).resolves.toBe('UNAUTHORIZED');
  });
});

describe('provider tokens through GraphQL', () => {
  let op: OpenIdProvider;
  let api: Server;
  let url: string;
  let uploads = 0;

  beforeAll(async () => {
    op = await startOpenIdProvider();
    op.configure([newSigningKey()]);
    const verifier = createVerifier({ issuer: op.issuer, audience: API });
    const { authDirectiveTypeDefs, authDirectiveTransformer } = authDirective();
    const schema = authDirectiveTransformer(
      makeExecutableSchema({
        typeDefs: [
          authDirectiveTypeDefs,
          /* GraphQL */ `
            type Client { id: ID!, roles: [String!]! }
            type Query {
              health: String!
              whoami: Client @auth
              reports: [String!] @auth(permissions: ["reports:read"])
            }
            type Mutation { upload: String @auth(roles: ["admin"], permissions: ["uploadFile"]) }
          `,
        ],
        resolvers: {
          Query: {
            health: () => 'ok',
            whoami: (_: unknown, __: unknown, ctx: { user: { id: string; roles: readonly string[] } }) => ctx.user,
            reports: () => ['q1', 'q2'],
          },
          Mutation: {
            upload: () => {
              uploads++;
              return 'stored';
            },
          },
        },
      }),
    );
    const yoga = createYoga({ schema, plugins: [useGatehouse({ verifier })], logging: false });
    api = createServer(yoga);
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      api.close(() => resolve());
      api.closeAllConnections();
    });
    await op.close();
  });

  async function graphql(query: string, token?: string) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    return { status: response.status, body, codes: (body.errors ?? []).map((e) => e.extensions?.code) };
  }

  test('each client reads and writes what its provider-granted roles and scopes allow', async () => {
    const admin = await op.clientCredentials('admin-service', 'reports:read uploadFile');
    expect((await graphql('{ whoami { id roles } reports }', admin)).body).toEqual({
      data: { whoami: { id: 'admin-service', roles: ['admin'] }, reports: ['q1', 'q2'] },
    });
    expect((await graphql('mutation { upload }', admin)).body).toEqual({ data: { upload: 'stored' } });
    expect(uploads).toBe(1);

    const reader = await op.clientCredentials('reports-service', 'reports:read');
    expect((await graphql('{ reports }', reader)).body.data).toEqual({ reports: ['q1', 'q2'] });
    const denied = await graphql('mutation { upload }', reader);
    expect(denied.codes).toEqual(['FORBIDDEN']);
    expect(uploads).toBe(1);
  });

  test("no token, another API's token, or an edited one: UNAUTHENTICATED, even for public fields", async () => {
    expect((await graphql('{ whoami { id } }')).codes).toEqual(['UNAUTHENTICATED']);
    expect((await graphql('{ health }')).body).toEqual({ data: { health: 'ok' } });
    const foreign = await op.clientCredentials('other-api-client', 'reports:read', OTHER_API);
    expect((await graphql('{ health }', foreign)).codes).toEqual(['UNAUTHENTICATED']);
    const genuine = await op.clientCredentials('reports-service', 'reports:read');
    const [header, payload, signature] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
    const edited = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
    const forged = await graphql('mutation { upload }', `${header}.${edited}.${signature}`);
    expect(forged.codes).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(forged.body)).not.toContain('admin');
    expect(uploads).toBe(1);
  });
});
