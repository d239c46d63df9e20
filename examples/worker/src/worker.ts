import { verifierFromEnv } from '@gatehousejs/core';
import { createApp } from './app.js';

/** The Worker's bindings: GATEHOUSE_JWKS_URI, GATEHOUSE_ISSUER, GATEHOUSE_AUDIENCE (or FRONTEGG_*). */
type Env = Record<string, string | undefined>;

let app: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    // One verifier per isolate, made on the first request (bindings arrive with it): keys and
    // verified tokens are cached across the requests the isolate serves.
    app ??= createApp(verifierFromEnv(env));
    return app(request);
  },
};
