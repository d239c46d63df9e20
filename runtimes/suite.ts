// The same checks in every runtime: the shared verification cases (attacks included) end exactly as
// on Node, and a protected tRPC procedure (fetch adapter) and GraphQL field (yoga) answer real requests.
import type { AppRouter } from '@gatehousejs/example-worker/app';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AttackFixture, attackFixture } from '../packages/core/test/attack-cases.js';
import { ROOT, type Runtime, type RuntimeServer, startRuntime } from './harness.js';

const ENTRIES: Readonly<Record<Runtime, string>> = {
  bun: 'runtimes/serve.js',
  deno: 'runtimes/serve.js',
  workerd: 'runtimes/worker.js',
};

export function describeRuntime(runtime: Runtime): void {
  describe(runtime, () => {
    let fixture: AttackFixture;
    let server: RuntimeServer;

    beforeAll(async () => {
      fixture = await attackFixture();
      const config = { verifiers: fixture.verifiers, app: fixture.verifiers.rsaJwks };
      server = await startRuntime(runtime, {
        entry: ENTRIES[runtime],
        env: { GATEHOUSE_TEST_CONFIG: JSON.stringify(config) },
      });
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await fixture?.close();
    });

    test('loads the runtime-neutral build of @gatehousejs/core', async () => {
      const response = await fetch(`${server.url}/entry`);
      expect(await response.json()).toEqual({ neutral: true });
    });

    test('every case of the shared table ends exactly as expected, first and cached', async () => {
      const body = JSON.stringify({ cases: fixture.cases.map(({ verifier, token }) => ({ verifier, token })) });
      for (const pass of ['first', 'cached']) {
        const response = await fetch(`${server.url}/verify`, { method: 'POST', body });
        expect(response.status, server.output()).toBe(200);
        const outcomes = (await response.json()) as unknown[];
        const mismatches = fixture.cases
          .map((c, i) => ({ pass, name: c.name, outcome: outcomes[i], expected: c.expected }))
          .filter((m) => JSON.stringify(m.outcome) !== JSON.stringify(m.expected));
        expect(mismatches).toEqual([]);
      }
    });

    test('a protected tRPC procedure, through the fetch adapter', async () => {
      const client = (token?: string) =>
        createTRPCClient<AppRouter>({
          links: [
            httpLink({ url: `${server.url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) }),
          ],
        });
      const codeOf = (promise: Promise<unknown>) =>
        promise.then(
          () => 'OK',
          (error: unknown) =>
            error instanceof TRPCClientError ? (error.data as { code?: string })?.code : String(error),
        );
      const user = await fixture.issuer.sign({
        sub: 'user-1',
        aud: fixture.verifiers.rsaJwks.audience,
        roles: ['user'],
      });
      const admin = await fixture.issuer.sign({
        sub: 'admin-1',
        aud: fixture.verifiers.rsaJwks.audience,
        roles: ['admin'],
      });
      const forged = fixture.cases.find((c) => c.name.startsWith('HS256 signed with the PEM'))?.token as string;

      expect(await client().health.query()).toBe('ok');
      expect(await codeOf(client().me.query())).toBe('UNAUTHORIZED');
      expect(await client(user).me.query()).toBe('user-1');
      expect(await codeOf(client(user).admin.query())).toBe('FORBIDDEN');
      expect(await client(admin).admin.query()).toBe('admin area');
      expect(await codeOf(client(forged).admin.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(client(forged).health.query())).toBe('UNAUTHORIZED');
    });

    test('a protected GraphQL field, through graphql-yoga', async () => {
      const graphql = async (query: string, token?: string) => {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        return { status: response.status, data: body.data ?? null, code: body.errors?.[0]?.extensions?.code };
      };
      const audience = fixture.verifiers.rsaJwks.audience;
      const user = await fixture.issuer.sign({ sub: 'user-1', aud: audience, roles: ['user'] });
      const admin = await fixture.issuer.sign({ sub: 'admin-1', aud: audience, roles: ['admin'] });
      const expired = await fixture.issuer.sign({ aud: audience, roles: ['admin'] }, { expiresIn: -60 });

      expect(await graphql('{ health }')).toMatchObject({ status: 200, data: { health: 'ok' } });
      expect(await graphql('{ me }')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(await graphql('{ me }', user)).toMatchObject({ status: 200, data: { me: 'user-1' } });
      expect(await graphql('{ admin }', user)).toMatchObject({ code: 'FORBIDDEN', data: null });
      expect(await graphql('{ admin }', admin)).toMatchObject({ status: 200, data: { admin: 'admin area' } });
      expect(await graphql('{ health }', expired)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    });
  });
}

export { ROOT };
