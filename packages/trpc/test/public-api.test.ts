import { createVerifier, GatehouseConfigError } from '@gatehousejs/core';
import * as trpc from '@gatehousejs/trpc';
import { describe, expect, test } from 'vitest';

describe('the public API of @gatehousejs/trpc', () => {
  test('the root entry exports the public API only', () => {
    expect(Object.keys(trpc).sort()).toEqual([
      'assertAccessDecisions',
      'authResponseMeta',
      'createGatehouseContext',
      'gatehouse',
      'gatehousePlugin',
      'listProcedures',
      'toTRPCError',
    ]);
  });

  test('configuration mistakes are GatehouseConfigError, not TypeError', () => {
    const verifier = createVerifier({ audience: 'api', secret: 'a'.repeat(32) });
    expect(() =>
      trpc.createGatehouseContext(verifier, { connectionParams: 'url' as unknown as trpc.ConnectionParamsPolicy }),
    ).toThrow(GatehouseConfigError);
    expect(() => trpc.gatehouse({} as unknown as Parameters<typeof trpc.gatehouse>[0])).toThrow(GatehouseConfigError);
  });
});
