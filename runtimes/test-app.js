// The app every runtime serves in the runtime tests: the Worker example's tRPC + Yoga app, plus
// `POST /verify`, which runs the shared verification cases through the runtime's own verifiers.
import * as core from '@gatehousejs/core';
import { createApp } from '@gatehousejs/example-worker/app';

/**
 * @param {{ verifiers: Record<string, import('@gatehousejs/core').VerifierOptions>, app: import('@gatehousejs/core').VerifierOptions }} config
 * @returns {(request: Request) => Promise<Response>}
 */
export function createTestApp(config) {
  /** @type {Map<string, import('@gatehousejs/core').Verifier>} */
  const verifiers = new Map();
  const verifierFor = (/** @type {string} */ name) => {
    let verifier = verifiers.get(name);
    if (!verifier) {
      verifier = core.createVerifier(config.verifiers[name] ?? {});
      verifiers.set(name, verifier);
    }
    return verifier;
  };
  const app = createApp(core.createVerifier(config.app));

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/entry') {
      // The runtime-neutral entry has no node:http middleware: proof of which build was loaded.
      return Response.json({ neutral: !('withAuthentication' in core) });
    }
    if (pathname === '/verify' && request.method === 'POST') {
      const { cases } = /** @type {{ cases: { verifier: string, token: string }[] }} */ (await request.json());
      const outcomes = [];
      for (const { verifier, token } of cases) outcomes.push(await outcomeOf(verifierFor(verifier), token));
      return Response.json(outcomes);
    }
    return app(request);
  };
}

/** @param {import('@gatehousejs/core').Verifier} verifier @param {string} token */
async function outcomeOf(verifier, token) {
  try {
    const user = await verifier.verify(token);
    return { ok: true, sub: user.id };
  } catch (error) {
    if (error instanceof core.AuthError) return { code: error.code, reason: error.reason };
    return { crash: String(error) };
  }
}
