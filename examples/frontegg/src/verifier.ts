import { createVerifier, type Env, type Verifier } from '@gatehousejs/core';

/**
 * A verifier for Frontegg access tokens. The public key comes from Frontegg's vendor API with the
 * client id and API key of your Frontegg workspace (Administration → API tokens):
 * `POST {gateway}/auth/vendor`, then `GET {gateway}/identity/resources/configurations/v1`.
 * Frontegg's claims (`sub`, `roles`, `permissions`, `tenantId`, `type`) are read by default.
 *
 * `verifierFromEnv()` does the same from these variables; this spells the options out.
 */
export function fronteggVerifier(env: Env = process.env): Verifier {
  return createVerifier({
    frontegg: {
      clientId: env.FRONTEGG_CLIENT_ID ?? '',
      apiKey: env.FRONTEGG_API_KEY ?? '',
      // EU by default; https://api.us.frontegg.com/ for the US region.
      gatewayUrl: env.FRONTEGG_API_GATEWAY_URL || undefined,
    },
  });
}
