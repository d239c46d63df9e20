import { randomUUID } from 'node:crypto';
import {
  type AuthUser,
  auth0Claims,
  authorize,
  type ClaimMapping,
  claimAt,
  combineLists,
  createVerifier,
  FRONTEGG_CLAIMS,
  GatehouseConfigError,
  isAuthorized,
  keycloakClaims,
  spaceDelimited,
} from '@gatehousejs/core';
import { createTestIssuer, signJwt, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const invalidClaims = { code: 'UNAUTHENTICATED', status: 401, reason: 'CLAIMS_INVALID' };

/** An issuer named like a hosted one, whose JWKS is served on loopback. */
async function issuerLike(iss: string, audience: string | string[]) {
  const issuer = await createTestIssuer({ issuer: iss, audience });
  const verifierWith = (claims?: ClaimMapping) =>
    createVerifier({ jwksUri: issuer.jwksUri, issuer: iss, audience, claims });
  return { issuer, verifierWith };
}

/** Signs a payload given as JSON text, so that member names such as `__proto__` reach the token as they are. */
function signRaw(issuer: TestIssuer, json: string): string {
  return signJwt({
    header: { alg: 'RS256', typ: 'JWT', kid: issuer.currentKid },
    payload: json,
    key: issuer.privateKey(),
  });
}

function rawClaims(issuer: TestIssuer, audience: string, body: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `{"iss":${JSON.stringify(issuer.issuer)},"aud":${JSON.stringify(audience)},"iat":${now},"exp":${now + 300},${body}}`;
}

describe('Frontegg tokens (the default mapping)', () => {
  const clientId = randomUUID(); // the environment's client id: `aud` of Frontegg tokens
  let issuer: TestIssuer;
  let verify: (token: string) => Promise<AuthUser>;

  beforeAll(async () => {
    const made = await issuerLike('https://app-acme.frontegg.com', clientId);
    issuer = made.issuer;
    const verifier = made.verifierWith();
    verify = (token) => verifier.verify(token);
  });
  afterAll(() => issuer.close());

  const tenantId = randomUUID();
  const userId = randomUUID();
  const apiClientId = randomUUID();

  test('userToken: the user is `sub`', async () => {
    const user = await verify(
      await issuer.sign({
        sub: userId,
        name: 'Ada Admin',
        email: 'ada@example.com',
        email_verified: true,
        metadata: {},
        roles: ['admin'],
        permissions: ['fe.secure.read.*', 'reports:read'],
        tenantId,
        tenantIds: [tenantId, randomUUID()],
        profilePictureUrl: 'https://example.com/ada.png',
        sid: randomUUID(),
        type: 'userToken',
      }),
    );
    expect(user).toMatchObject({
      id: userId,
      roles: ['admin'],
      permissions: ['fe.secure.read.*', 'reports:read'],
      tenantId,
      type: 'userToken',
    });
    expect(user.claims.email).toBe('ada@example.com');
    expect(Object.isFrozen(user) && Object.isFrozen(user.roles) && Object.isFrozen(user.claims)).toBe(true);
  });

  test('userApiToken: `sub` is the API client id, the user is `userId`', async () => {
    const user = await verify(
      await issuer.sign({
        sub: apiClientId,
        tenantId,
        roles: ['read-only'],
        permissions: ['reports:read'],
        metadata: { purpose: 'ci' },
        createdByUserId: userId,
        type: 'userApiToken',
        userId,
        email: 'ada@example.com',
        userMetadata: {},
      }),
    );
    expect(user).toMatchObject({
      id: userId,
      roles: ['read-only'],
      permissions: ['reports:read'],
      tenantId,
      type: 'userApiToken',
    });
    expect(user.claims.sub).toBe(apiClientId);
  });

  test('tenantApiToken: no user; the caller is the API client (`sub`), the creator stays in the claims', async () => {
    const user = await verify(
      await issuer.sign({
        sub: apiClientId,
        tenantId,
        roles: ['admin'],
        permissions: ['uploadFile'],
        metadata: {},
        createdByUserId: userId,
        type: 'tenantApiToken',
      }),
    );
    expect(user).toMatchObject({
      id: apiClientId,
      roles: ['admin'],
      permissions: ['uploadFile'],
      tenantId,
      type: 'tenantApiToken',
    });
    expect(user.claims.createdByUserId).toBe(userId);
    expect(isAuthorized(user, { roles: ['admin'], permissions: ['uploadFile'] })).toBe(true);
  });

  test('a token with no type (any issuer using Frontegg claim names): the user is `sub`', async () => {
    const user = await verify(await issuer.sign({ sub: 'plain-user', roles: ['read-only'] }));
    expect(user).toMatchObject({ id: 'plain-user', roles: ['read-only'], permissions: [] });
    expect(user.type).toBeUndefined();
    expect(user.tenantId).toBeUndefined();
  });

  test('a userApiToken without a usable `userId` is invalid, never read as its client id', async () => {
    for (const extra of [{}, { userId: 42 }, { userId: '' }, { userId: [userId] }, { userId: null }]) {
      const token = await issuer.sign({ sub: apiClientId, tenantId, type: 'userApiToken', ...extra });
      await expect(verify(token)).rejects.toMatchObject(invalidClaims);
    }
  });

  test('access-token types, which Frontegg must confirm online, are refused', async () => {
    for (const type of ['userAccessToken', 'tenantAccessToken']) {
      const token = await issuer.sign({ sub: randomUUID(), tenantId, userId, type, roles: ['admin'] });
      await expect(verify(token)).rejects.toMatchObject(invalidClaims);
    }
  });

  test.each([
    ['roles as a string', { roles: 'admin' }],
    ['roles with a number', { roles: ['admin', 1] }],
    ['roles with an empty name', { roles: [''] }],
    ['roles as an object', { roles: { 0: 'admin', length: 1 } }],
    ['permissions as a string', { permissions: 'reports:read' }],
    ['tenantId as a number', { tenantId: 7 }],
    ['tenantId as an object', { tenantId: { id: 'x' } }],
    ['type as a list', { type: ['userToken'] }],
    ['sub as a number', { sub: 1234 }],
  ])('wrong type is an invalid token: %s', async (_name, claims) => {
    const token = await issuer.sign({ sub: userId, type: 'userToken', ...claims });
    await expect(verify(token)).rejects.toMatchObject(invalidClaims);
  });

  test('`roles: "admin"` never satisfies a requirement of role admin', async () => {
    const verifier = createVerifier({ jwksUri: issuer.jwksUri, issuer: issuer.issuer, audience: clientId });
    const request = new Request('http://127.0.0.1/', {
      headers: { authorization: `Bearer ${await issuer.sign({ sub: userId, roles: 'admin' })}` },
    });
    await expect(verifier.authenticate(request)).rejects.toMatchObject(invalidClaims);
  });

  test('`__proto__` and `constructor` members grant nothing and pollute nothing', async () => {
    const token = signRaw(
      issuer,
      rawClaims(
        issuer,
        clientId,
        `"sub":"mallory","type":"userToken","__proto__":{"roles":["admin"],"permissions":["billing:read"]},"constructor":{"prototype":{"roles":["admin"]}}`,
      ),
    );
    const user = await verify(token);
    expect(user).toMatchObject({ id: 'mallory', roles: [], permissions: [] });
    expect(() => authorize(user, { roles: ['admin'] })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const plain: Record<string, unknown> = {};
    expect(plain.roles).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('roles');
  });

  test('a userApiToken whose `userId` hides behind `__proto__` is invalid', async () => {
    const token = signRaw(
      issuer,
      rawClaims(issuer, clientId, `"sub":"client","type":"userApiToken","__proto__":{"userId":"victim"}`),
    );
    await expect(verify(token)).rejects.toMatchObject(invalidClaims);
  });

  test('FRONTEGG_CLAIMS is the default and is frozen', () => {
    expect(Object.isFrozen(FRONTEGG_CLAIMS)).toBe(true);
    expect(FRONTEGG_CLAIMS).toMatchObject({ roles: 'roles', permissions: 'permissions', tenantId: 'tenantId' });
  });
});

describe('Auth0 tokens', () => {
  const domain = 'https://acme.eu.auth0.com/';
  const api = 'https://api.acme.example';
  const rolesClaim = 'https://acme.example/roles';
  let issuer: TestIssuer;
  let verifierWith: (claims?: ClaimMapping) => ReturnType<typeof createVerifier>;

  beforeAll(async () => {
    ({ issuer, verifierWith } = await issuerLike(domain, api));
  });
  afterAll(() => issuer.close());

  const userToken = (extra: Record<string, unknown> = {}) =>
    issuer.sign({
      sub: 'auth0|65f0c1d2e3',
      aud: [api, `${domain}userinfo`],
      azp: 'spa-client-id',
      scope: 'openid profile email reports:read',
      permissions: ['reports:read', 'uploadFile'],
      [rolesClaim]: ['admin', 'read-only'],
      org_id: 'org_9F3kq',
      ...extra,
    });

  test('user token: roles from the namespaced claim, permissions from `permissions` and `scope`, tenant from org_id', async () => {
    const user = await verifierWith(auth0Claims({ rolesClaim })).verify(await userToken());
    expect(user).toMatchObject({
      id: 'auth0|65f0c1d2e3',
      roles: ['admin', 'read-only'],
      tenantId: 'org_9F3kq',
    });
    expect([...user.permissions].sort()).toEqual(['email', 'openid', 'profile', 'reports:read', 'uploadFile']);
    expect(new Set(user.permissions).size).toBe(user.permissions.length);
    expect(user.type).toBeUndefined();
  });

  test('machine-to-machine token: `scope` alone carries the permissions', async () => {
    const user = await verifierWith(auth0Claims({ rolesClaim })).verify(
      await issuer.sign({ sub: 'Xk2mNq@clients', azp: 'Xk2mNq', gty: 'client-credentials', scope: 'reports:read' }),
    );
    expect(user).toMatchObject({ id: 'Xk2mNq@clients', roles: [], permissions: ['reports:read'] });
    expect(user.tenantId).toBeUndefined();
  });

  test('`scope: false` reads only the RBAC `permissions` array', async () => {
    const user = await verifierWith(auth0Claims({ scope: false })).verify(await userToken());
    expect(user.permissions).toEqual(['reports:read', 'uploadFile']);
    expect(user.roles).toEqual([]);
  });

  test('extra spaces in `scope` are ignored', async () => {
    const user = await verifierWith(auth0Claims()).verify(
      await issuer.sign({ sub: 'm@clients', scope: ' reports:read  uploadFile ' }),
    );
    expect(user.permissions).toEqual(['reports:read', 'uploadFile']);
  });

  test('the roles claim name is read as one name: its dots are not a path', async () => {
    const token = await issuer.sign({
      sub: 'auth0|nested',
      'https://acme': { 'example/roles': ['admin'] },
      'https://acme.example': { roles: ['admin'] },
    });
    const user = await verifierWith(auth0Claims({ rolesClaim })).verify(token);
    expect(user.roles).toEqual([]);
  });

  test.each([
    ['permissions as a string', { permissions: 'reports:read' }],
    ['scope as a list', { scope: ['reports:read'] }],
    ['scope with a tab', { scope: 'reports:read\tadmin' }],
    ['scope with a quote', { scope: 'reports:"read"' }],
    ['roles claim as a string', { [rolesClaim]: 'admin' }],
    ['roles claim with a number', { [rolesClaim]: ['admin', 0] }],
    ['org_id as a number', { org_id: 12 }],
  ])('wrong type is an invalid token: %s', async (_name, extra) => {
    await expect(verifierWith(auth0Claims({ rolesClaim })).verify(await userToken(extra))).rejects.toMatchObject(
      invalidClaims,
    );
  });

  test('the roles claim of another namespace grants nothing', async () => {
    const token = await issuer.sign({ sub: 'auth0|x', 'https://evil.example/roles': ['admin'] });
    const user = await verifierWith(auth0Claims({ rolesClaim })).verify(token);
    expect(isAuthorized(user, { roles: ['admin'] })).toBe(false);
  });

  test('a bad rolesClaim fails at configuration', () => {
    expect(() => auth0Claims({ rolesClaim: '' })).toThrow(GatehouseConfigError);
  });
});

describe('Keycloak tokens', () => {
  const realm = 'https://sso.acme.example/realms/acme';
  let issuer: TestIssuer;
  let verifierWith: (claims?: ClaimMapping) => ReturnType<typeof createVerifier>;

  beforeAll(async () => {
    ({ issuer, verifierWith } = await issuerLike(realm, 'api'));
  });
  afterAll(() => issuer.close());

  const keycloakToken = (extra: Record<string, unknown> = {}) =>
    issuer.sign({
      sub: 'f1d0c8a2-3b4e-4a5f-9c6d-7e8f9a0b1c2d',
      typ: 'Bearer',
      azp: 'web',
      sid: randomUUID(),
      scope: 'openid email profile',
      preferred_username: 'ada',
      realm_access: { roles: ['offline_access', 'uma_authorization', 'admin'] },
      resource_access: {
        api: { roles: ['reports:read', 'admin'] },
        account: { roles: ['manage-account', 'view-profile'] },
      },
      ...extra,
    });

  test('realm roles and the chosen client roles, deduplicated; other clients ignored', async () => {
    const user = await verifierWith(keycloakClaims({ client: 'api' })).verify(await keycloakToken());
    expect(user).toMatchObject({
      id: 'f1d0c8a2-3b4e-4a5f-9c6d-7e8f9a0b1c2d',
      roles: ['offline_access', 'uma_authorization', 'admin', 'reports:read'],
      permissions: ['openid', 'email', 'profile'],
    });
    expect(user.roles).not.toContain('manage-account');
    expect(user.tenantId).toBeUndefined();
    expect(user.type).toBeUndefined();
  });

  test('realm roles only by default; client roles only with `realmRoles: false`', async () => {
    const token = await keycloakToken();
    expect((await verifierWith(keycloakClaims()).verify(token)).roles).toEqual([
      'offline_access',
      'uma_authorization',
      'admin',
    ]);
    expect((await verifierWith(keycloakClaims({ client: 'api', realmRoles: false })).verify(token)).roles).toEqual([
      'reports:read',
      'admin',
    ]);
  });

  test('a client id with dots is one member name', async () => {
    const token = await keycloakToken({
      resource_access: { 'acme.api': { roles: ['uploadFile'] }, acme: { api: { roles: ['admin'] } } },
    });
    const user = await verifierWith(keycloakClaims({ client: 'acme.api', realmRoles: false })).verify(token);
    expect(user.roles).toEqual(['uploadFile']);
  });

  test('a token without realm_access or resource_access has no roles', async () => {
    const user = await verifierWith(keycloakClaims({ client: 'api' })).verify(
      await issuer.sign({ sub: 'service-account', scope: 'profile' }),
    );
    expect(user).toMatchObject({ roles: [], permissions: ['profile'] });
  });

  test.each([
    ['realm_access.roles as a string', { realm_access: { roles: 'admin' } }],
    ['realm_access as a string', { realm_access: 'admin' }],
    ['realm_access as a list', { realm_access: ['admin'] }],
    ['realm_access.roles with a number', { realm_access: { roles: ['admin', 7] } }],
    ['client roles as a string', { resource_access: { api: { roles: 'admin' } } }],
    ['client entry as a string', { resource_access: { api: 'admin' } }],
    ['resource_access as a number', { resource_access: 5 }],
    ['scope as a list', { scope: ['openid'] }],
  ])('wrong type is an invalid token: %s', async (_name, extra) => {
    await expect(
      verifierWith(keycloakClaims({ client: 'api' })).verify(await keycloakToken(extra)),
    ).rejects.toMatchObject(invalidClaims);
  });

  test('`realm_access.roles: "admin"` never satisfies role admin, even through the default paths', async () => {
    const verifier = verifierWith({ roles: 'realm_access.roles' });
    await expect(verifier.verify(await keycloakToken({ realm_access: { roles: 'admin' } }))).rejects.toMatchObject(
      invalidClaims,
    );
  });

  test('`__proto__` and `constructor` inside realm_access and resource_access grant nothing', async () => {
    const token = signRaw(
      issuer,
      rawClaims(
        issuer,
        'api',
        `"sub":"mallory","realm_access":{"__proto__":{"roles":["admin"]}},` +
          `"resource_access":{"__proto__":{"api":{"roles":["admin"]}},"constructor":{"roles":["admin"]}}`,
      ),
    );
    const user = await verifierWith(keycloakClaims({ client: 'api' })).verify(token);
    expect(user.roles).toEqual([]);
    const viaConstructor = await verifierWith(keycloakClaims({ client: 'constructor', realmRoles: false })).verify(
      await keycloakToken(),
    );
    expect(viaConstructor.roles).toEqual([]);
  });

  test('a bad client fails at configuration', () => {
    expect(() => keycloakClaims({ client: '' })).toThrow(GatehouseConfigError);
  });
});

describe('claim paths and building blocks', () => {
  const secret = 'c'.repeat(32);
  /** The user a token with `claims` becomes under `mapping`. */
  const userOf = (claims: Record<string, unknown>, mapping: ClaimMapping) =>
    createVerifier({ secret, audience: false, claims: mapping }).verify(
      signJwt({
        header: { alg: 'HS256' },
        payload: { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60, ...claims },
        key: secret,
      }),
    );

  test('paths follow own properties only', async () => {
    const claims = { a: {}, s: 'text', n: null };
    for (const path of ['constructor', 'a.constructor.name', '__proto__', 'a.toString', 'a.hasOwnProperty']) {
      expect((await userOf(claims, { tenantId: path })).tenantId).toBeUndefined();
    }
    expect((await userOf(claims, { roles: 'n.roles' })).roles).toEqual([]);
  });

  test('stepping through a value that is not an object is malformed, not absent', async () => {
    await expect(userOf({ s: 'text' }, { tenantId: 's.length' })).rejects.toMatchObject(invalidClaims);
    await expect(userOf({ list: ['admin'] }, { roles: 'list.0' })).rejects.toMatchObject(invalidClaims);
    await expect(userOf({ s: 1 }, { tenantId: claimAt('s', 'x') })).rejects.toMatchObject(invalidClaims);
  });

  test('building blocks reject wrong types', async () => {
    const scopes = { permissions: spaceDelimited('scope') };
    expect((await userOf({ scope: 'a b' }, scopes)).permissions).toEqual(['a', 'b']);
    await expect(userOf({ scope: 3 }, scopes)).rejects.toMatchObject(invalidClaims);
    expect((await userOf({}, scopes)).permissions).toEqual([]);
    const joined = { roles: combineLists('a', 'b') };
    expect((await userOf({ a: ['x'], b: ['x', 'y'] }, joined)).roles).toEqual(['x', 'y']);
    await expect(userOf({ a: ['x'], b: 'y' }, joined)).rejects.toMatchObject(invalidClaims);
    expect((await userOf({}, joined)).roles).toEqual([]);
    expect(() => claimAt()).toThrow(GatehouseConfigError);
    expect(() => claimAt('a', '')).toThrow(GatehouseConfigError);
  });

  test('a custom function rejects a token by throwing', async () => {
    const mapping: ClaimMapping = {
      tenantId: (claims) => {
        if (claims.tid === 'banned') throw new Error('banned tenant');
        return claims.tid;
      },
    };
    expect((await userOf({ tid: 't1' }, mapping)).tenantId).toBe('t1');
    await expect(userOf({ tid: 'banned' }, mapping)).rejects.toMatchObject(invalidClaims);
  });
});
