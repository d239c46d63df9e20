// The same checks in every runtime: the shared verification cases (attacks included) end exactly as
// on Node, and a protected tRPC procedure (fetch adapter) and GraphQL field (yoga) answer real requests.
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
      await expectTrpcProtected(server.url, await appTokens(fixture.issuer, AUDIENCE));
    });

    test('a protected GraphQL field, through graphql-yoga', async () => {
      await expectGraphqlProtected(server.url, await appTokens(fixture.issuer, AUDIENCE));
    });
  });
}
