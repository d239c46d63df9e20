import { verifierFromEnv } from '@gatehousejs/core';
import { createGraphQLServer } from './server.js';

// Keys from the environment: GATEHOUSE_JWKS_URI + GATEHOUSE_AUDIENCE (+ GATEHOUSE_ISSUER), or FRONTEGG_*.
const port = Number(process.env.PORT ?? 3000);
createGraphQLServer(verifierFromEnv()).listen(port, () => console.log(`GraphQL on http://localhost:${port}/graphql`));
