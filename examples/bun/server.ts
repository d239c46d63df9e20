// Gatehouse on Bun: the portable tRPC + GraphQL Yoga app of the Worker example, served by Bun.serve.
// Bun loads Gatehouse's runtime-neutral build (WebCrypto, fetch) through the `bun` export condition.
import { verifierFromEnv } from '@gatehousejs/core';
import { createApp } from '@gatehousejs/example-worker/app';

// Keys from the environment: GATEHOUSE_JWKS_URI (+ GATEHOUSE_ISSUER, GATEHOUSE_AUDIENCE), or FRONTEGG_*.
const server = Bun.serve({
  hostname: Bun.env.HOST ?? '127.0.0.1',
  port: Number(Bun.env.PORT ?? 3000),
  fetch: createApp(verifierFromEnv(Bun.env)),
});
console.log(`tRPC at ${server.url}trpc, GraphQL at ${server.url}graphql`);
