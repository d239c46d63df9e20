import { verifierFromEnv } from '@gatehousejs/core';
import { assertAccessDecisions } from '@gatehousejs/trpc';
import { createApp } from './app.js';
import { appRouter } from './router.js';

// Keys from the environment: GATEHOUSE_JWKS_URI + GATEHOUSE_AUDIENCE (+ GATEHOUSE_ISSUER), or FRONTEGG_*.
await assertAccessDecisions(appRouter);
const port = Number(process.env.PORT ?? 3000);
createApp(verifierFromEnv()).listen(port, () => console.log(`tRPC on http://localhost:${port}/trpc`));
