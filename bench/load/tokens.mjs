// Tokens for the load bench: valid ones per persona, many distinct ones, and the invalid kinds.
import { randomUUID } from 'node:crypto';
import { signJwt } from '@gatehousejs/core/testing';
import { AUDIENCE, ISSUER, PERSONAS } from './traffic.mjs';

/** One token per persona, signed by `issuer`. */
export async function personaTokens(issuer, count = 1) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    for (const [name, claims] of Object.entries(PERSONAS)) {
      tokens.push({ persona: name, claims, token: await issuer.sign({ ...claims, jti: randomUUID() }) });
    }
  }
  return tokens;
}

/** `count` distinct tokens (distinct `jti`), round-robin over the personas. */
export async function distinctTokens(issuer, count) {
  const personas = Object.values(PERSONAS);
  const tokens = new Array(count);
  for (let i = 0; i < count; i++) {
    tokens[i] = await issuer.sign({ ...personas[i % personas.length], jti: `load-${i}` });
  }
  return tokens;
}

const now = () => Math.floor(Date.now() / 1000);
const claimsFor = (extra = {}) => ({
  ...PERSONAS.reader,
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  exp: now() + 3600,
  ...extra,
});

/**
 * Tokens that must never be accepted, by kind. `trusted` is the issuer the server trusts; `foreign`
 * holds keys the server has never seen.
 */
export async function invalidTokens(trusted, foreign, forgedKids = 1000) {
  const valid = await trusted.sign({ ...PERSONAS.reader });
  const [header, , signature] = valid.split('.');
  const escalated = Buffer.from(JSON.stringify(claimsFor({ roles: ['admin'] }))).toString('base64url');
  return {
    'bad signature': [
      signJwt({
        header: { alg: 'RS256', typ: 'JWT', kid: trusted.currentKid },
        payload: claimsFor(),
        key: foreign.privateKey(),
      }),
    ],
    'forged kid': Array.from({ length: forgedKids }, () =>
      signJwt({
        header: { alg: 'RS256', typ: 'JWT', kid: randomUUID() },
        payload: claimsFor(),
        key: foreign.privateKey(),
      }),
    ),
    'alg none': [signJwt({ header: { alg: 'none', typ: 'JWT', kid: trusted.currentKid }, payload: claimsFor() })],
    tampered: [`${header}.${escalated}.${signature}`],
    expired: [await trusted.sign({ ...PERSONAS.admin }, { issuedAt: now() - 7200, expiresIn: -3600 })],
    'wrong issuer': [
      signJwt({
        header: { alg: 'RS256', typ: 'JWT', kid: trusted.currentKid },
        payload: claimsFor({ iss: 'https://issuer.gatehouse.test.evil.example' }),
        key: trusted.privateKey(),
      }),
    ],
    'wrong audience': [
      signJwt({
        header: { alg: 'RS256', typ: 'JWT', kid: trusted.currentKid },
        payload: claimsFor({ aud: 'another-api' }),
        key: trusted.privateKey(),
      }),
    ],
    'roles as a string': [await trusted.sign({ ...PERSONAS.reader, roles: 'admin' })],
  };
}
