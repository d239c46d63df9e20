// The verification benchmark as a fetch handler, so that every runtime runs the same code: `POST /run`
// verifies the tokens it is sent (or one `token` `n` times) and answers when done. Timing is the
// caller's (workerd's clock does not advance while a request computes), less a `noop` run of the
// same size. Configuration: { issuer, audience, keys: { RS256: pem, ES256: pem } }.
import { createVerifier } from '@gatehousejs/core';
import { importSPKI, jwtVerify } from 'jose';

/** @param {{ issuer: string, audience: string, keys: Record<string, string> }} config */
export function createBenchApp(config) {
  const claims = { issuer: config.issuer, audience: config.audience };
  /** @type {Record<string, { cold: import('@gatehousejs/core').Verifier, cached: import('@gatehousejs/core').Verifier, jose: Promise<CryptoKey> }>} */
  const byAlg = {};
  for (const [alg, pem] of Object.entries(config.keys)) {
    byAlg[alg] = {
      cold: createVerifier({ publicKey: pem, ...claims, cache: false }),
      cached: createVerifier({ publicKey: pem, ...claims }),
      // Imported once, like Gatehouse's keys: jose's fastest path.
      jose: /** @type {Promise<CryptoKey>} */ (importSPKI(pem, alg)),
    };
  }
  /** @type {Record<string, (alg: string, token: string) => Promise<unknown>>} */
  const variants = {
    noop: async () => undefined,
    gatehouse: (alg, token) => byAlg[alg].cold.verify(token),
    'gatehouse-cached': (alg, token) => byAlg[alg].cached.verify(token),
    jose: async (alg, token) => jwtVerify(token, await byAlg[alg].jose, { ...claims, algorithms: [alg] }),
  };

  return async (/** @type {Request} */ request) => {
    const body = /** @type {{ variant: string, alg: string, tokens?: string[], token?: string, n?: number }} */ (
      await request.json()
    );
    const run = variants[body.variant];
    if (!run) return new Response('unknown variant', { status: 400 });
    const tokens = body.tokens ?? Array.from({ length: body.n ?? 0 }, () => /** @type {string} */ (body.token));
    for (const token of tokens) await run(body.alg, token);
    return Response.json({ done: tokens.length });
  };
}
