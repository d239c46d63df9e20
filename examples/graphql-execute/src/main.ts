import { verifierFromEnv } from '@gatehousejs/core';
import { createRunner } from './run.js';
import { createInventory } from './schema.js';

// TOKEN=$(gatehouse token --permission inventory:write) node dist/main.js 'mutation { restock(sku: "sku-1", quantity: 2) }'
// Keys from the environment: GATEHOUSE_JWKS_URI + GATEHOUSE_AUDIENCE (+ GATEHOUSE_ISSUER), or FRONTEGG_*.
const run = createRunner(createInventory().schema, verifierFromEnv());
const token = process.env.TOKEN;
const result = await run(
  { authorization: token ? `Bearer ${token}` : undefined },
  process.argv[2] ?? '{ stock(sku: "sku-1") }',
);
console.log(JSON.stringify(result, null, 2));
