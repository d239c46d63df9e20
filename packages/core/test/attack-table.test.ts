import { createVerifier, type Verifier } from '@gatehousejs/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type AttackFixture, attackFixture, outcomeOf, type VerifierName } from './attack-cases.js';

let fixture: AttackFixture;

beforeAll(async () => {
  fixture = await attackFixture();
});

afterAll(async () => {
  await fixture?.close();
});

test('every case of the shared table ends as expected on Node, first and cached', async () => {
  const verifiers = new Map<VerifierName, Verifier>();
  const verifierFor = (name: VerifierName) => {
    let verifier = verifiers.get(name);
    if (!verifier) {
      verifier = createVerifier(fixture.verifiers[name]);
      verifiers.set(name, verifier);
    }
    return verifier;
  };
  expect(fixture.cases.length).toBeGreaterThan(80);
  for (const pass of ['first', 'cached']) {
    const mismatches = [];
    for (const c of fixture.cases) {
      const outcome = await outcomeOf(verifierFor(c.verifier), c.token);
      if (JSON.stringify(outcome) !== JSON.stringify(c.expected))
        mismatches.push({ pass, name: c.name, outcome, expected: c.expected });
    }
    expect(mismatches).toEqual([]);
  }
  expect(fixture.redirectTargetHits()).toBe(0);
});
