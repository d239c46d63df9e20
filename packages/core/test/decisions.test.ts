import {
  type AuthDecision,
  AuthError,
  type AuthUser,
  createVerifier,
  type DecisionHook,
  type Requirement,
  type Verifier,
} from '@gatehousejs/core';
import { denialOf } from '@gatehousejs/core/adapter';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPort, expectRejected } from './verifier-fixtures.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'api' });
});
afterAll(() => issuer.close());

const make = (onDecision: DecisionHook) =>
  createVerifier({ audience: 'api', jwksUri: issuer.jwksUri, issuer: issuer.issuer, onDecision });

/** Authorizes as the adapters do: core's decision, observed by the verifier. */
function admit(verifier: Verifier, user: AuthUser | null, requirement: Requirement): AuthUser {
  const denial = denialOf(verifier, user, requirement);
  if (denial) throw denial;
  return user as AuthUser;
}

/** Runs the same sequence of calls and returns what each one did. */
async function scenario(verifier: Verifier, tokens: { good: string; expired: string }): Promise<string[]> {
  const outcomes: string[] = [];
  const record = async (fn: () => unknown) => {
    try {
      const value = await fn();
      outcomes.push(`ok:${JSON.stringify(value)}`);
    } catch (error) {
      outcomes.push(error instanceof AuthError ? `${error.status}:${error.reason}` : `crash:${String(error)}`);
    }
  };
  await record(() => verifier.verify(tokens.good));
  await record(() => verifier.verify(tokens.good));
  await record(() => verifier.verify(tokens.expired));
  await record(() => verifier.authenticate({ authorization: 'Bearer a, Bearer b' }));
  await record(() => verifier.authenticate({}));
  const user = await verifier.verify(tokens.good);
  await record(() => admit(verifier, user, { roles: ['admin'] }));
  await record(() => admit(verifier, user, { roles: ['user'], permissions: ['reports:read'] }));
  await record(() => admit(verifier, null, { roles: ['user'] }));
  return outcomes;
}

describe('onDecision', () => {
  test('receives every decision: authenticated, rejected, authorized, forbidden', async () => {
    const decisions: AuthDecision[] = [];
    const verifier = make((d) => decisions.push(d));
    const good = await issuer.sign({ sub: 'u1', roles: ['user'], tenantId: 't1' });
    const expired = await issuer.sign({ sub: 'u2' }, { expiresIn: -60 });
    await scenario(verifier, { good, expired });
    expect(decisions).toEqual([
      { type: 'authenticated', userId: 'u1', tenantId: 't1', cached: false },
      { type: 'authenticated', userId: 'u1', tenantId: 't1', cached: true },
      { type: 'rejected', code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' },
      { type: 'rejected', code: 'BAD_REQUEST', reason: 'MULTIPLE_CREDENTIALS' },
      { type: 'authenticated', userId: 'u1', tenantId: 't1', cached: true },
      { type: 'forbidden', userId: 'u1', requirement: { roles: ['admin'] }, code: 'FORBIDDEN', reason: 'ROLE_MISSING' },
      {
        type: 'forbidden',
        userId: 'u1',
        requirement: { roles: ['user'], permissions: ['reports:read'] },
        code: 'FORBIDDEN',
        reason: 'PERMISSION_MISSING',
      },
      { type: 'rejected', code: 'UNAUTHENTICATED', reason: 'NO_CREDENTIALS', requirement: { roles: ['user'] } },
    ]);
    const admin = await verifier.verify(await issuer.sign({ sub: 'root', roles: ['admin'] }));
    admit(verifier, admin, { roles: ['admin'] });
    expect(decisions.at(-1)).toEqual({ type: 'authorized', userId: 'root', requirement: { roles: ['admin'] } });
    for (const decision of decisions) expect(Object.isFrozen(decision)).toBe(true);
  });

  test('reports key outages as rejections', async () => {
    const decisions: AuthDecision[] = [];
    const verifier = createVerifier({
      audience: 'api',
      jwksUri: `http://127.0.0.1:${await closedPort()}/jwks.json`,
      onDecision: (d) => decisions.push(d),
    });
    await expectRejected(verifier.verify(await issuer.sign()), 'KEYS_UNAVAILABLE');
    expect(decisions).toEqual([{ type: 'rejected', code: 'KEYS_UNAVAILABLE', reason: 'KEYS_UNAVAILABLE' }]);
  });

  test('never receives the token or any part of it', async () => {
    const serialized: string[] = [];
    const verifier = make((d) => serialized.push(JSON.stringify(d)));
    const good = await issuer.sign({ sub: 'u1', roles: ['user'] });
    const expired = await issuer.sign({ sub: 'u1' }, { expiresIn: -60 });
    await scenario(verifier, { good, expired });
    const forged = `${good.split('.').slice(0, 2).join('.')}.${'A'.repeat(342)}`;
    await verifier.verify(forged).catch(() => {});
    await verifier.authenticate({ authorization: `Bearer ${good}x` }).catch(() => {});
    expect(serialized.length).toBeGreaterThanOrEqual(10);
    const all = serialized.join('\n');
    for (const token of [good, expired, forged]) {
      for (const part of token.split('.')) expect(all).not.toContain(part);
    }
    expect(all).not.toContain(issuer.currentKid);
  });

  test('a hook that throws, rejects or mutates what it gets changes nothing', async () => {
    const good = await issuer.sign({ sub: 'u1', roles: ['user'] });
    const expired = await issuer.sign({ sub: 'u1' }, { expiresIn: -60 });
    const baseline = await scenario(
      make(() => {}),
      { good, expired },
    );
    expect(baseline).toContain('403:ROLE_MISSING');
    const hooks: DecisionHook[] = [
      () => {
        throw new Error('audit sink down');
      },
      async () => {
        throw new Error('audit sink down, asynchronously');
      },
      () => Promise.reject(new Error('rejected')),
      (decision) => {
        if ('requirement' in decision && decision.requirement)
          (decision.requirement.roles as string[] | undefined)?.push('admin');
      },
      (decision) => {
        (decision as { type: string }).type = 'authorized';
      },
    ];
    for (const hook of hooks) {
      expect(await scenario(make(hook), { good, expired })).toEqual(baseline);
    }
    // The caller's requirement object is never handed to the hook to mutate.
    const requirement = { roles: ['user'] };
    const verifier = make((decision) => {
      if (decision.type === 'authorized') (decision.requirement.roles as string[]).push('admin');
    });
    const user = await verifier.verify(good);
    admit(verifier, user, requirement);
    expect(requirement).toEqual({ roles: ['user'] });
    // Let any rejected hook promise settle: an unhandled rejection would fail this run.
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
});
