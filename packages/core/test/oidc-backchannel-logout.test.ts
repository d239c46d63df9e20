import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backchannelLogout, createVerifier, memoryStore, type Verifier } from '@gatehousejs/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Listening, listenHttp } from './verifier-fixtures.js';

/** The part of `oidc-provider` (which ships no type declarations) that this test uses. */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  Client: { find(id: string): Promise<{ backchannelLogout(sub: string, sid: string): Promise<void> } | undefined> };
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

const API = 'https://api.gatehouse.test';
const secretOf = (clientId: string) => `${clientId}-secret-0123456789abcdef`;

/** Sessions the provider's clients act in: their access tokens carry it, as user tokens do. */
const SESSION_OF: Record<string, string> = { 'session-app': 'sid-0001', 'user-app': 'sid-0002' };

/**
 * A real OpenID Provider (oidc-provider) with Back-Channel Logout enabled, whose clients register
 * Gatehouse's endpoint as their `backchannel_logout_uri`. The provider builds, signs and POSTs the
 * logout tokens itself, as it does when a session ends.
 */
async function startProvider(logoutUri: string) {
  const { default: Provider } = (await import('oidc-provider' as string)) as { default: ProviderClass };
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client = (clientId: string, sessionRequired: boolean) => ({
    client_id: clientId,
    client_secret: secretOf(clientId),
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    backchannel_logout_uri: logoutUri,
    backchannel_logout_session_required: sessionRequired,
  });
  const provider = new Provider(issuer, {
    clients: [client('session-app', true), client('user-app', false)],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['gatehouse-test-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: () => ({
          audience: API,
          scope: 'reports:read',
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId: string }) => ({ sid: SESSION_OF[token.clientId] }),
  });
  const handle = provider.callback();

  return {
    issuer,
    async accessToken(clientId: string) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'reports:read', resource: API }),
      });
      const answer = (await response.json()) as { access_token?: string };
      if (!answer.access_token) throw new Error(`token endpoint answered ${response.status}`);
      return answer.access_token;
    },
    /** What the provider does for each client when a session ends: builds a logout token and POSTs it. */
    async endSession(clientId: string, sub: string, sid: string) {
      const found = await provider.Client.find(clientId);
      if (!found) throw new Error(`no client ${clientId}`);
      await found.backchannelLogout(sub, sid);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('back-channel logout from a real OpenID Provider (oidc-provider)', () => {
  let op: Awaited<ReturnType<typeof startProvider>>;
  let rp: Listening;
  let verifier: Verifier;
  const received: string[] = [];

  beforeAll(async () => {
    let handler: ReturnType<typeof backchannelLogout> | undefined;
    rp = await listenHttp((req, res) => {
      received.push(req.headers['content-type'] ?? '');
      void handler?.(req, res);
    });
    op = await startProvider(`${rp.url}/backchannel-logout`);
    verifier = createVerifier({ issuer: op.issuer, audience: API, store: memoryStore() });
    handler = backchannelLogout(verifier, { audience: ['session-app', 'user-app'] });
  });
  afterAll(async () => {
    await op.close();
    await rp.close();
  });

  test('the provider’s logout token with sid revokes that session’s tokens (the provider sees 200)', async () => {
    const token = await op.accessToken('session-app');
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'session-app' });
    await op.endSession('session-app', 'session-app', 'sid-0001');
    expect(received.at(-1)).toContain('application/x-www-form-urlencoded');
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, reason: 'TOKEN_REVOKED' });
    // Another client's session is untouched.
    await expect(verifier.verify(await op.accessToken('user-app'))).resolves.toMatchObject({ id: 'user-app' });
  });

  test('a logout token with sub only (session not required) revokes every token of that subject', async () => {
    const first = await op.accessToken('user-app');
    const second = await op.accessToken('user-app');
    await op.endSession('user-app', 'user-app', 'sid-unused');
    await expect(verifier.verify(first)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
    await expect(verifier.verify(second)).rejects.toMatchObject({ reason: 'TOKEN_REVOKED' });
  });

  test('a logout token Gatehouse refuses (not for its audience) makes the provider’s delivery fail', async () => {
    let strict: ReturnType<typeof backchannelLogout> | undefined;
    const other = await listenHttp((req, res) => void strict?.(req, res));
    const op2 = await startProvider(`${other.url}/backchannel-logout`);
    const verifier2 = createVerifier({ issuer: op2.issuer, audience: API, store: memoryStore() });
    strict = backchannelLogout(verifier2, { audience: 'some-other-client' });
    try {
      const token = await op2.accessToken('session-app');
      await expect(op2.endSession('session-app', 'session-app', 'sid-0001')).rejects.toThrow(/expected 200 OK/);
      await expect(verifier2.verify(token)).resolves.toMatchObject({ id: 'session-app' });
    } finally {
      await op2.close();
      await other.close();
    }
  });
});
