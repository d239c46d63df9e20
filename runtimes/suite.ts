// The same checks in every runtime: the shared verification cases (attacks included) end exactly as
// on Node, and a protected tRPC procedure (fetch adapter) and GraphQL field (yoga) answer real requests.
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AttackFixture, AUDIENCE, attackFixture } from '../packages/core/test/attack-cases.js';
import { appTokens, expectGraphqlProtected, expectTrpcProtected } from './app-checks.js';
import { type Runtime, type RuntimeServer, startRuntime } from './harness.js';

const ENTRIES: Readonly<Record<Runtime, string>> = {
  bun: 'runtimes/serve.js',
  deno: 'runtimes/serve.js',
  workerd: 'runtimes/worker.js',
};

export function describeRuntime(runtime: Runtime): void {
  describe(runtime, () => {
    let fixture: AttackFixture;
    let rotating: TestIssuer;
    let server: RuntimeServer;

    beforeAll(async () => {
      fixture = await attackFixture();
      rotating = await createTestIssuer({ audience: AUDIENCE });
      const verifiers = {
        ...fixture.verifiers,
        // Refreshed after 1 s; a token with an unknown kid may fetch at once.
        rotating: {
          jwksUri: rotating.jwksUri,
          issuer: rotating.issuer,
          audience: AUDIENCE,
          keySet: { maxAge: 1, cooldown: 0 },
        },
      };
      const config = { verifiers, app: fixture.verifiers.rsaJwks };
      server = await startRuntime(runtime, {
        entry: ENTRIES[runtime],
        env: { GATEHOUSE_TEST_CONFIG: JSON.stringify(config) },
      });
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await fixture?.close();
      await rotating?.close();
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
      // A key server's redirect is an answer, never followed.
      expect(fixture.redirectTargetHits()).toBe(0);
    });

    // On Workers, I/O ends with the request that started it: a refresh or a fetch begun by one request
    // must not be left for (or awaited by) the next one. Each step below is its own request.
    test('a key set is refreshed and follows a rotation, request after request', async () => {
      const verify = async (token: string) => {
        const response = await fetch(`${server.url}/verify`, {
          method: 'POST',
          body: JSON.stringify({ cases: [{ verifier: 'rotating', token }] }),
        });
        return ((await response.json()) as unknown[])[0];
      };
      const pause = () => new Promise((resolve) => setTimeout(resolve, 1200));
      const first = await rotating.sign({ sub: 'first' });
      expect(await verify(first)).toEqual({ ok: true, sub: 'first' });
      await pause(); // the key set is now due for a refresh
      expect(await verify(await rotating.sign({ sub: 'due' }))).toEqual({ ok: true, sub: 'due' });
      const oldKid = rotating.currentKid;
      rotating.rotate();
      expect(await verify(await rotating.sign({ sub: 'rotated' }))).toEqual({ ok: true, sub: 'rotated' });
      rotating.retire(oldKid);
      await pause();
      expect(await verify(await rotating.sign({ sub: 'again' }))).toEqual({ ok: true, sub: 'again' });
      expect(await verify(await rotating.sign({ sub: 'old' }, { kid: rotating.currentKid }))).toEqual({
        ok: true,
        sub: 'old',
      });
    });

    test('a protected tRPC procedure, through the fetch adapter', async () => {
      await expectTrpcProtected(server.url, await appTokens(fixture.issuer, AUDIENCE));
    });

    test('a protected GraphQL field, through graphql-yoga', async () => {
      await expectGraphqlProtected(server.url, await appTokens(fixture.issuer, AUDIENCE));
    });
  });
}
