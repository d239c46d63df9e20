// Token verification: Gatehouse against the raw node:crypto floor and the usual JWT libraries,
// side by side in one run; then the verified-token cache: repeated tokens and its memory bound.
// Build first: `npx tsc -b tsconfig.build.json` (this imports the built @gatehousejs/core).
import { verify } from 'node:crypto';
import { createServer } from 'node:http';
import { createVerifier as createGatehouseVerifier } from '@gatehousejs/core';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { createLocalJWKSet, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { measureCacheMemory } from './memory.mjs';
import { runGroup } from './table.mjs';
import { AUDIENCE, ISSUER, keyAndTokens, ring } from './tokens.mjs';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1200);
const DISTINCT_TOKENS = 2000;

/** The floor: node:crypto's verify of the token's signature, and nothing else. */
function rawVerify({ alg, publicKey }) {
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const key = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey;
  return (token) => {
    const dot = token.lastIndexOf('.');
    if (!verify(digest, Buffer.from(token.slice(0, dot)), key, Buffer.from(token.slice(dot + 1), 'base64url'))) {
      throw new Error('bad signature');
    }
  };
}

async function serveJwks(jwk) {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/jwks.json` };
}

async function coldGroup(alg) {
  const set = keyAndTokens(alg, DISTINCT_TOKENS);
  const claims = { issuer: ISSUER, audience: AUDIENCE };
  const next = ring(set.tokens);
  const { server, url } = await serveJwks(set.jwk);

  const gatehouse = createGatehouseVerifier({ publicKey: set.pem, ...claims, cache: false });
  const gatehouseJwks = createGatehouseVerifier({ jwksUri: url, ...claims, cache: false });
  await gatehouseJwks.verify(set.tokens[0]); // a warm key set: this measures verification, not the fetch
  const joseJwks = createLocalJWKSet({ keys: [set.jwk] });
  const joseOptions = { ...claims, algorithms: [alg] };
  const fastJwt = createFastJwtVerifier({ key: set.pem, algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE });
  const floor = rawVerify(set);

  const tasks = [
    [`node:crypto verify (${alg} floor)`, () => floor(next())],
    ['gatehouse (static key)', () => gatehouse.verify(next())],
    ['gatehouse (JWKS, warm)', () => gatehouseJwks.verify(next())],
    ['jose jwtVerify (KeyObject)', () => jwtVerify(next(), set.publicKey, joseOptions)],
    ['jose jwtVerify (createLocalJWKSet)', () => jwtVerify(next(), joseJwks, joseOptions)],
    ['fast-jwt', () => fastJwt(next())],
  ];
  if (alg !== 'EdDSA') {
    // jsonwebtoken has no EdDSA. It gets the KeyObject, so that it does not parse a PEM per call.
    tasks.push(['jsonwebtoken', () => jsonwebtoken.verify(next(), set.publicKey, { ...claims, algorithms: [alg] })]);
  }
  for (const [, fn] of tasks) await fn(); // fail fast if any variant rejects the tokens
  await runGroup(
    `Cold ${alg} verification (signature, iss, aud, exp; ${DISTINCT_TOKENS} distinct tokens)`,
    tasks,
    TIME_MS,
  );
  server.close();
}

async function cachedGroup() {
  const set = keyAndTokens('RS256', 1);
  const token = set.tokens[0];
  const claims = { issuer: ISSUER, audience: AUDIENCE };
  const gatehouse = createGatehouseVerifier({ publicKey: set.pem, ...claims });
  const fastJwt = createFastJwtVerifier({
    key: set.pem,
    algorithms: ['RS256'],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache: true,
  });
  await gatehouse.verify(token);
  fastJwt(token);
  await runGroup(
    'Repeated RS256 token (verified-token cache hit)',
    [
      ['gatehouse (cache hit, frozen user)', () => gatehouse.verify(token)],
      ['fast-jwt (cache: true, shared mutable payload)', () => fastJwt(token)],
    ],
    TIME_MS,
  );
}

console.log(
  `Node ${process.version}, ${TIME_MS} ms per task in 5 interleaved rounds. Medians; ratio: mean latency / the first row's.\n`,
);
for (const alg of ['RS256', 'ES256', 'EdDSA']) await coldGroup(alg);
await cachedGroup();
await measureCacheMemory();
