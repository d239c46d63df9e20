// Gatehouse on Deno: the portable tRPC + GraphQL Yoga app of the Worker example, served by Deno.serve.
// Deno loads Gatehouse's runtime-neutral build (WebCrypto, fetch) through the `deno` export condition.
import { verifierFromEnv } from '@gatehousejs/core';
import { createApp } from '@gatehousejs/example-worker/app';

// Keys from the environment: GATEHOUSE_JWKS_URI (+ GATEHOUSE_ISSUER, GATEHOUSE_AUDIENCE), or FRONTEGG_*.
const env = Deno.env.toObject();
Deno.serve(
  {
    hostname: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 3000),
    onListen: ({ hostname, port }) =>
      console.log(`tRPC at http://${hostname}:${port}/trpc, GraphQL at http://${hostname}:${port}/graphql`),
  },
  createApp(verifierFromEnv(env)),
);
