// Keys and tokens for the verification benchmark: one key pair per algorithm, tokens shaped like
// Frontegg access tokens (sub, roles, permissions, tenantId, iss, aud, iat, exp).
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { signJwt } from '@gatehousejs/core/testing';

export const ISSUER = 'https://auth.example.com/';
export const AUDIENCE = 'gatehouse-bench';

const GENERATE = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => generateKeyPairSync('ed25519'),
};

export function claims(i) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: `user-${i}`,
    roles: ['admin', 'read-only'],
    permissions: ['reports:read', 'uploadFile'],
    tenantId: 'tenant-1',
    iat: now,
    exp: now + 3600,
  };
}

/** A key pair and `count` distinct tokens signed with it. */
export function keyAndTokens(alg, count) {
  const { privateKey, publicKey } = GENERATE[alg]();
  const kid = randomUUID();
  const tokens = Array.from({ length: count }, (_, i) =>
    signJwt({ header: { alg, typ: 'JWT', kid }, payload: claims(i), key: privateKey }),
  );
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, publicKey, pem, jwk, tokens };
}

/** A fast HS256 signer, for the memory measurement's 100,000 distinct tokens; `padding` adds a claim that long. */
export function hs256Signer(secret, padding = 0) {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const extra = padding > 0 ? { profile: 'p'.repeat(padding) } : {};
  return (i) => {
    const input = `${header}.${Buffer.from(JSON.stringify({ ...claims(i), ...extra })).toString('base64url')}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
}

/** Cycles through the tokens so that every call sees another one. */
export function ring(tokens) {
  let i = 0;
  return () => {
    const token = tokens[i];
    i = (i + 1) % tokens.length;
    return token;
  };
}
