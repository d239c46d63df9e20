// Limits and guards that fail closed, pinned at their exact boundaries.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AuthError,
  type AuthUser,
  authorize,
  createVerifier,
  defineCatalog,
  defineRequirement,
  extractBearerToken,
  GatehouseConfigError,
  isAuthorized,
  type Verifier,
} from '@gatehousejs/core';
import { describeRequirement, isOpenRequirement } from '@gatehousejs/core/adapter';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { b64, expectRejected, signRawRs256 } from './verifier-fixtures.js';

const START = 1_700_000_000;
const AUDIENCE = 'api';
let issuer: TestIssuer;
let clock: number;

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false });
});
afterAll(() => issuer.close());

function verifierWith(options: { maxTokenAge?: number; clockTolerance?: number } = {}): Verifier {
  clock = START * 1000;
  return createVerifier({ publicKey: issuer.publicKeyPem(), audience: AUDIENCE, now: () => clock, ...options });
}

/** A signed token over exact header and payload JSON; `extra` is spliced into the payload's text. */
function signed(extra = '', header = '{"alg":"RS256"}'): string {
  const payload = `{"sub":"u","aud":"${AUDIENCE}","iat":${START},"exp":${START + 600}${extra}}`;
  return signRawRs256(header, payload, issuer.privateKey());
}

describe('requirements: anything but an object (or nothing) is a configuration error, never an open requirement', () => {
  test.each([
    ['true', true],
    ['false', false],
    ['a number', 1],
    ['zero', 0],
    ['a string', 'admin'],
    ['a function', () => ({ roles: ['admin'] })],
    ['a list', []],
    ['a list of names', ['admin']],
    ['a symbol', Symbol('admin')],
  ])('%s', (_, value) => {
    expect(() => defineRequirement(value)).toThrow(GatehouseConfigError);
    expect(() => defineRequirement(value, 'extensions.auth')).toThrow(/extensions\.auth/);
  });

  test('nothing is the open requirement; an object with names is not', () => {
    expect(isOpenRequirement(defineRequirement(undefined))).toBe(true);
    expect(isOpenRequirement(defineRequirement(null))).toBe(true);
    expect(isOpenRequirement(defineRequirement({}))).toBe(true);
    expect(isOpenRequirement(defineRequirement({ roles: undefined }))).toBe(true);
    expect(isOpenRequirement({ roles: ['admin'] })).toBe(false);
    expect(isOpenRequirement({ permissions: ['reports:read'] })).toBe(false);
    expect(isOpenRequirement(defineRequirement({ roles: ['admin'] }))).toBe(false);
    expect(isOpenRequirement(defineRequirement({ permissions: ['p'] }))).toBe(false);
  });

  test('names are 1 to 256 characters', () => {
    expect(defineRequirement({ roles: ['r'.repeat(256)] }).roles).toEqual(['r'.repeat(256)]);
    expect(defineRequirement({ permissions: ['p'.repeat(256)] }).permissions).toEqual(['p'.repeat(256)]);
    expect(() => defineRequirement({ roles: ['r'.repeat(257)] })).toThrow(GatehouseConfigError);
    expect(() => defineRequirement({ permissions: ['p'.repeat(257)] })).toThrow(GatehouseConfigError);
    expect(() => defineRequirement({ roles: [''] })).toThrow(GatehouseConfigError);
  });
});

describe('role and permission names in tokens are 1 to 256 characters', () => {
  test.each(['roles', 'permissions'])('%s', async (claim) => {
    const verifier = verifierWith();
    const at256 = await verifier.verify(signed(`,"${claim}":["${'n'.repeat(256)}"]`));
    expect(at256[claim as 'roles']).toEqual(['n'.repeat(256)]);
    await expectRejected(
      verifier.verify(signed(`,"${claim}":["${'n'.repeat(257)}"]`)),
      'UNAUTHENTICATED',
      'CLAIMS_INVALID',
    );
    await expectRejected(verifier.verify(signed(`,"${claim}":["ok",""]`)), 'UNAUTHENTICATED', 'CLAIMS_INVALID');
  });
});

describe('kid is 1 to 256 characters', () => {
  test('256 is accepted, 257 and empty are invalid headers', async () => {
    const verifier = verifierWith();
    const header = (kid: string) => `{"alg":"RS256","kid":"${kid}"}`;
    await expect(verifier.verify(signed('', header('k'.repeat(256))))).resolves.toMatchObject({ id: 'u' });
    await expectRejected(verifier.verify(signed('', header('k'.repeat(257)))), 'UNAUTHENTICATED', 'HEADER_INVALID');
    await expectRejected(verifier.verify(signed('', header(''))), 'UNAUTHENTICATED', 'HEADER_INVALID');
  });
});

describe('JSON nesting is bounded at 32 levels, objects and arrays alike', () => {
  // The payload object is level 1; `n` adds `levels - 1` more.
  const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}`;
  const nestedArrays = (levels: number) => `${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}`;
  const mixed = (levels: number) => `${'[{"a":'.repeat((levels - 1) / 2)}1${'}]'.repeat((levels - 1) / 2)}`;

  test.each([
    ['objects', nestedObjects],
    ['arrays', nestedArrays],
  ])('%s: 32 levels pass, 33 are refused', async (_, nest) => {
    const verifier = verifierWith();
    await expect(verifier.verify(signed(`,"n":${nest(32)}`))).resolves.toBeDefined();
    await expectRejected(verifier.verify(signed(`,"n":${nest(33)}`)), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
  });

  test('objects inside arrays count too; a header is bounded the same way', async () => {
    const verifier = verifierWith();
    await expect(verifier.verify(signed(`,"n":${mixed(31)}`))).resolves.toBeDefined();
    await expectRejected(verifier.verify(signed(`,"n":${mixed(33)}`)), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    const deepHeader = `{"alg":"RS256","x":${nestedObjects(33)}}`;
    await expectRejected(verifier.verify(signed('', deepHeader)), 'UNAUTHENTICATED', 'HEADER_INVALID');
  });

  test('wide is not deep: many siblings at one level pass, and closing brackets end their level', async () => {
    const verifier = verifierWith();
    const siblings = Array.from({ length: 100 }, (_, i) => `"o${i}":{"a":[1,{"b":[]}]}`).join(',');
    await expect(verifier.verify(signed(`,${siblings}`))).resolves.toBeDefined();
    // Brackets inside strings are text, not structure.
    await expect(verifier.verify(signed(`,"s":"${'{['.repeat(40)}"`))).resolves.toBeDefined();
  });
});

describe('maxTokenAge ends exactly at maxTokenAge + clockTolerance', () => {
  test.each([5, 0])('clockTolerance %i', async (tolerance) => {
    const verifier = verifierWith({ maxTokenAge: 60, clockTolerance: tolerance });
    const token = signed();
    clock = (START + 60 + tolerance) * 1000;
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock += 1;
    await expectRejected(verifier.verify(token), 'UNAUTHENTICATED', 'TOKEN_TOO_OLD');
    // Not cached past the bound either: a fresh verifier, warmed just before it.
    const warm = verifierWith({ maxTokenAge: 60, clockTolerance: tolerance });
    clock = (START + 60 + tolerance) * 1000 - 1;
    await expect(warm.verify(token)).resolves.toBeDefined();
    clock += 2;
    await expectRejected(warm.verify(token), 'UNAUTHENTICATED', 'TOKEN_TOO_OLD');
  });
});

describe('only the Authorization header carries credentials, in any case', () => {
  const bearer = (token: string) => `Bearer ${token}`;

  test.each(['authorization', 'Authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn'])('%s', (name) => {
    expect(extractBearerToken({ [name]: bearer('abc') })).toBe('abc');
    expect(extractBearerToken({ headers: {}, rawHeaders: [name, bearer('abc')] } as never)).toBe('abc');
  });

  test('other headers of the same length, or that contain the name, are ignored', () => {
    const sameLength = ['x-authorizati', 'authorizatiom', 'authorizatio_'];
    for (const name of sameLength) expect(name).toHaveLength(13);
    for (const name of [...sameLength, 'authorization-x', 'proxy-authorization', 'authorizatio']) {
      expect(extractBearerToken({ [name]: bearer('stolen') })).toBeNull();
      expect(extractBearerToken({ headers: {}, rawHeaders: [name, bearer('stolen')] } as never)).toBeNull();
      expect(extractBearerToken({ [name]: bearer('x'), authorization: bearer('abc') })).toBe('abc');
    }
  });
});

describe('the decoded-header cache is bounded: unsigned junk does not grow memory', () => {
  test('20,000 distinct unsigned headers leave the heap as it was', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const verifier = verifierWith();
    const payload = b64({ sub: 'x', aud: AUDIENCE, exp: START + 600 });
    const junk = (i: number) => `${b64({ alg: 'RS256', kid: `${i}-${'k'.repeat(240)}` })}.${payload}.AAAA`;
    // Warm-up: everything allocated once (code, the cache itself) is allocated before the measure.
    for (let i = 0; i < 1000; i++) await verifier.verify(junk(i)).catch(() => undefined);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1000; i < 21_000; i++) await verifier.verify(junk(i)).catch(() => undefined);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Kept, 20,000 headers would hold more than 15 MB (each ~600 bytes of text and object).
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    await expectRejected(verifier.verify(junk(0)), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
  });
});

// Outcomes pinned to their exact code, reason or message: each of these was left unpinned by a
// mutation-testing run (docs/mutation-testing.md), where a changed reason or a lost guard went unseen.

/** `CODE:REASON` of the AuthError `fn` throws, or the class and message of anything else. */
function outcomeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthError) return `${error.code}:${error.reason}`;
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('Authorization header: exact outcomes', () => {
  const read = (source: unknown) => outcomeOf(() => extractBearerToken(source as never));

  test('another scheme is refused (401); a Bearer after a comma is a second credential (400)', () => {
    expect(read({ authorization: 'Basic dXNlcjpwYXNz' })).toBe('UNAUTHENTICATED:UNSUPPORTED_SCHEME');
    expect(read({ authorization: 'Basic abc,Bearer t' })).toBe('BAD_REQUEST:MULTIPLE_CREDENTIALS');
    expect(read({ authorization: 'Basic abc, Bearer' })).toBe('BAD_REQUEST:MULTIPLE_CREDENTIALS');
    expect(read({ authorization: 'Bearer' })).toBe('BAD_REQUEST:MALFORMED_CREDENTIALS');
  });

  test('header values that are not strings are malformed, never read or counted', () => {
    expect(read({ authorization: [42] })).toBe('BAD_REQUEST:MALFORMED_CREDENTIALS');
    expect(read({ authorization: ['Bearer a', 42] })).toBe('BAD_REQUEST:MALFORMED_CREDENTIALS');
  });

  test('a header record with a header named "headers" is still a header record', () => {
    expect(extractBearerToken({ headers: 'x', authorization: 'Bearer t' } as never)).toBe('t');
    expect(extractBearerToken({ headers: null, authorization: 'Bearer t' } as never)).toBe('t');
  });

  test('something that is no request at all is a TypeError that says what is expected', () => {
    for (const source of [null, undefined, 'Bearer a', 42]) {
      expect(read(source)).toBe('TypeError: expected a Request, Headers, IncomingMessage or header record');
    }
  });
});

describe('compact serialization: exact reasons', () => {
  const verifier = () => verifierWith();
  const header = b64('{"alg":"RS256"}');

  test('the shape is checked before the header: an empty payload segment is malformed whatever the header says', async () => {
    for (const alg of ['none', 'RS256']) {
      await expectRejected(verifier().verify(`${b64({ alg })}..c2ln`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    }
  });

  test('segments that are not base64url are malformed, in the header and in the signature', async () => {
    const good = signed();
    const [, payload] = good.split('.');
    await expectRejected(verifier().verify(`e*.${payload}.c2ln`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
    await expectRejected(verifier().verify(`${header}.${payload}.c2*n`), 'UNAUTHENTICATED', 'TOKEN_MALFORMED');
  });

  test('a header or payload that is JSON but not an object is refused as such', async () => {
    for (const text of ['1', 'true', 'null', '"text"', '[1]']) {
      await expectRejected(
        verifier().verify(signRawRs256('{"alg":"RS256"}', text, issuer.privateKey())),
        'UNAUTHENTICATED',
        'TOKEN_MALFORMED',
      );
      await expectRejected(
        verifier().verify(`${b64(text)}.${signed().split('.')[1]}.c2ln`),
        'UNAUTHENTICATED',
        'HEADER_INVALID',
      );
    }
  });
});

describe('registered claims: lifetimes', () => {
  test('without iat, the lifetime counts from now, not from an nbf long past', async () => {
    const payload = `{"sub":"u","aud":"${AUDIENCE}","nbf":${START - 8 * 86_400},"exp":${START + 600}}`;
    const user = await verifierWith().verify(signRawRs256('{"alg":"RS256"}', payload, issuer.privateKey()));
    expect(user.id).toBe('u');
  });

  test('validUntil: iat + maxTokenAge + clockTolerance when that comes before exp', async () => {
    const verifier = verifierWith({ maxTokenAge: 300, clockTolerance: 30 });
    const user = await verifier.verify(signed());
    expect(verifier.validUntil(user)).toBe((START + 300 + 30) * 1000);
    expect(verifierWith({ clockTolerance: 30 }).validUntil(user)).toBe((START + 600 + 30) * 1000);
  });
});

describe('requirements and catalogs: exact messages', () => {
  test('defineRequirement names the key and what is wrong with it', () => {
    expect(() => defineRequirement({ roles: 'admin' })).toThrow('requirement.roles: expected a list of names');
    expect(() => defineRequirement({ permissions: [] })).toThrow(
      'requirement.permissions: an empty list can be met by nobody',
    );
    expect(() => defineRequirement({ roles: [''] })).toThrow(
      'requirement.roles: every name must be a non-empty string',
    );
  });

  test('describeRequirement joins alternatives with | and lists with AND', () => {
    expect(describeRequirement({ roles: ['a', 'b'], permissions: ['x', 'y'] })).toBe(
      'roles: a | b AND permissions: x | y',
    );
  });

  test('authorize names the list that is not a list', () => {
    const user: AuthUser = { id: 'u', roles: ['admin'], permissions: ['p'], claims: {} } as never;
    expect(() => authorize(user, { roles: 'admin' } as never)).toThrow('requirement.roles must be a list of names');
    expect(() => authorize(user, { permissions: 'p' } as never)).toThrow(
      'requirement.permissions must be a list of names',
    );
  });

  test('names that are not strings never match, even when the user holds the same value', () => {
    const user = { id: 'u', roles: [1], permissions: [true], claims: {} } as never;
    expect(isAuthorized(user, { roles: [1] } as never)).toBe(false);
    expect(isAuthorized(user, { permissions: [true] } as never)).toBe(false);
  });

  test('a catalog checks each list it is given, and only those', () => {
    const catalog = defineCatalog({ roles: ['admin'], permissions: ['reports:read'] });
    expect(catalog.roles).toEqual(['admin']);
    expect(catalog.permissions).toEqual(['reports:read']);
    expect(catalog.requirement({ roles: ['admin'] })).toEqual({ roles: ['admin'] });
    expect(catalog.requirement({ permissions: ['reports:read'] })).toEqual({ permissions: ['reports:read'] });
    expect(() => catalog.requirement({ permissions: ['nope' as 'reports:read'] })).toThrow(
      'unknown permission "nope": it is not in the catalog',
    );
    expect(() => catalog.requirement({ roles: [] })).toThrow('catalog requirement.roles: an empty list');
  });
});
