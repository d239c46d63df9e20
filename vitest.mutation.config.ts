import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The core test files that exercise the mutated modules (claims, jws, credentials, authorize, json,
 * requirement), for `npm run mutation` (stryker.config.mjs). The other core test files exercise key
 * sources, shared state and operations, and would triple the run time without reaching these modules
 * in new ways: a mutant they alone would kill counts as surviving, so the score is a lower bound.
 */
export const MUTATION_TEST_FILES = [
  'attack-table',
  'attacks',
  'authorize',
  'backchannel-logout',
  'claims',
  'config',
  'connection-params',
  'credentials',
  'decisions',
  'frontegg-access-tokens',
  'issuer-shapes',
  'json-members',
  'limits',
  'middleware',
  'secure-defaults',
  'token-cache',
].map((name) => `packages/core/test/${name}.test.ts`);

// `include` and `typecheck` replace the base config's (mergeConfig would concatenate the lists).
// Instrumented code is several times slower: the timeouts are longer.
const merged = mergeConfig(base, { test: { testTimeout: 120_000, hookTimeout: 120_000 } });
merged.test = { ...merged.test, include: MUTATION_TEST_FILES, typecheck: { enabled: false } };
export default defineConfig(merged);
