import { createVerifier } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRunner } from '../src/run.js';
import { createInventory } from '../src/schema.js';

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
});

afterAll(async () => {
  await issuer?.close();
});

function setup() {
  const inventory = createInventory();
  const verifier = createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer });
  const run = createRunner(inventory.schema, verifier);
  const as = (token?: string) => (source: string) =>
    run({ authorization: token ? `Bearer ${token}` : undefined }, source);
  return { inventory, as };
}

const codes = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  result.errors?.map((e) => e.extensions?.code);

test('a denied mutation runs no resolver; an allowed one does', async () => {
  const { inventory, as } = setup();
  const restock = 'mutation { restock(sku: "sku-1", quantity: 2) }';
  expect(codes(await as()(restock))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await as(await issuer.sign({ permissions: ['inventory:read'] }))(restock))).toEqual(['FORBIDDEN']);
  expect(inventory.restocks()).toBe(0);
  const writer = await issuer.sign({ permissions: ['inventory:write'] });
  expect(await as(writer)(restock)).toEqual({ data: { restock: 5 } });
  expect(inventory.restocks()).toBe(1);
});

test('roles AND permissions; public fields stay public', async () => {
  const { as } = setup();
  expect(await as()('{ stock(sku: "sku-1") }')).toEqual({ data: { stock: 3 } });
  const adminOnly = await issuer.sign({ roles: ['admin'] });
  const both = await issuer.sign({ roles: ['admin'], permissions: ['prices:read'] });
  expect(codes(await as(adminOnly)('{ costPrice(sku: "sku-1") }'))).toEqual(['FORBIDDEN']);
  expect(await as(both)('{ price: costPrice(sku: "sku-1") }')).toEqual({ data: { price: 12.5 } });
});

test('a bad token is an error even for a public field', async () => {
  const { as } = setup();
  expect(codes(await as('garbage')('{ stock(sku: "sku-1") }'))).toEqual(['UNAUTHENTICATED']);
});

test('executing the transformed schema without Gatehouse fails closed', async () => {
  const { inventory } = setup();
  const result = await execute({
    schema: inventory.schema,
    document: parse('mutation { restock(sku: "sku-1", quantity: 2) }'),
    contextValue: { user: { id: 'x', roles: [], permissions: ['inventory:write'], claims: {} } },
  });
  expect(result.data).toBeNull();
  expect(codes(result)).toEqual(['UNAUTHENTICATED']);
  expect(inventory.restocks()).toBe(0);
});
