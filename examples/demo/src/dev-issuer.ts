import type { IncomingMessage, ServerResponse } from 'node:http';
import { createVerifier, type Logger, type Verifier, type VerifierOptions } from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { z } from 'zod';
import { readValidBody, sendJson } from './http.js';
import type { Persona } from './personas.js';

export const DEV_AUDIENCE = 'gatehouse-demo';
const MAX_DEV_TOKEN_TTL = 24 * 3600;

const name = z.string().min(1).max(256);

/** The body of `POST /dev/token`. */
export const devTokenRequest = z.strictObject({
  sub: name.default('demo-user'),
  roles: z.array(name).max(64).default([]),
  permissions: z.array(name).max(64).default([]),
  tenantId: name.nullish(),
  name: name.nullish(),
  email: z.email().max(256).nullish(),
  /** Lifetime in seconds. */
  expiresIn: z.int().min(1).max(MAX_DEV_TOKEN_TTL).default(3600),
});

export type DevTokenRequest = z.input<typeof devTokenRequest>;

export interface DevIssuer {
  readonly issuer: TestIssuer;
  /** A verifier that trusts this issuer through the demo's own JWKS endpoint. */
  readonly verifier: Verifier;
  mint(request: DevTokenRequest): Promise<string>;
  /** A token with a persona's claims; undefined for the anonymous caller. */
  mintFor(persona: Persona): Promise<string | undefined>;
  /** Serves `/.well-known/jwks.json` and `/.well-known/openid-configuration`; false for other paths. */
  serveKeys(req: IncomingMessage, res: ServerResponse): boolean;
  /** `POST /dev/token`. */
  handleTokenRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The embedded development issuer: keys made at start, published at `{origin}/.well-known/jwks.json`,
 * and tokens for any caller who asks. For local development only.
 */
export async function createDevIssuer(
  origin: string,
  jwksOrigin = origin,
  operations: Pick<VerifierOptions, 'logger' | 'meterProvider' | 'store'> = {},
): Promise<DevIssuer> {
  const issuer = await createTestIssuer({ port: false, issuer: origin, audience: DEV_AUDIENCE });
  const verifier = createVerifier({
    jwksUri: `${jwksOrigin}/.well-known/jwks.json`,
    issuer: origin,
    audience: DEV_AUDIENCE,
    ...operations,
    logger: operations.logger && withoutOwnHttpWarning(operations.logger),
  });

  async function mint(request: DevTokenRequest): Promise<string> {
    const { expiresIn, ...claims } = devTokenRequest.parse(request);
    // An absent claim stays absent: a null tenantId is no tenant, not a claim of the wrong type.
    const present = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== null));
    return issuer.sign({ ...present, type: 'userToken' }, { expiresIn });
  }

  return {
    issuer,
    verifier,
    mint,
    mintFor: async ({ claims }) =>
      claims && mint({ ...claims, roles: [...claims.roles], permissions: [...claims.permissions] }),
    serveKeys: (req, res) => issuer.handler(req, res),
    async handleTokenRequest(req, res) {
      const request = await readValidBody(req, res, devTokenRequest, (issues) => {
        const fields = [...new Set(issues.map((issue) => issue.path.map(String).join('.') || '(body)'))];
        return `Invalid token request: ${fields.join(', ')}`;
      });
      if (!request) return;
      const accessToken = await mint(request);
      sendJson(res, 200, { accessToken, tokenType: 'Bearer', expiresIn: request.expiresIn });
    },
  };
}

/**
 * The dev issuer serves its keys over plain http on loopback by design; the verifier's startup warning
 * about plain http (meant for production configurations) would only be noise here.
 */
function withoutOwnHttpWarning(logger: Logger): Logger {
  const probe = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return {
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => {
      if (fields.event !== 'gatehouse.config.plain_http_keys') logger.warn(fields, message);
    },
    error: (fields, message) => logger.error(fields, message),
    ...(probe && { isLevelEnabled: (level: string) => probe.call(logger, level) }),
  };
}
