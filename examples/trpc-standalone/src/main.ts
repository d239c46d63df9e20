import type { AddressInfo } from 'node:net';
import { verifierFromEnv } from '@gatehousejs/core';
import { startServer } from './server.js';

// Keys from the environment: GATEHOUSE_JWKS_URI + GATEHOUSE_AUDIENCE (+ GATEHOUSE_ISSUER), or FRONTEGG_*.
const server = await startServer(verifierFromEnv(), Number(process.env.PORT ?? 3000));
console.log(`tRPC on http://localhost:${(server.address() as AddressInfo).port}`);
