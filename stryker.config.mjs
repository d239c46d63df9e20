// Mutation testing of core's security modules: `npm run mutation` (about half an hour on 2 cores; not
// part of `npm test` or CI). Scores and every surviving mutant are explained in docs/mutation-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: [
    'packages/core/src/claims.ts',
    'packages/core/src/jws.ts',
    'packages/core/src/credentials.ts',
    'packages/core/src/authorize.ts',
    'packages/core/src/json.ts',
    'packages/core/src/requirement.ts',
  ],
  // node_modules is linked into the sandbox, not copied; builds and reports stay out of it.
  ignorePatterns: ['dist', 'reports', 'test-results', 'bench', 'runtimes', 'test/packaging', 'examples/*/dist'],
  coverageAnalysis: 'perTest',
  // One mutant at a time by default (the tests start real servers); STRYKER_CONCURRENCY=2 on a quiet machine.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  timeoutMS: 30_000,
  timeoutFactor: 3,
  dryRunTimeoutMinutes: 30,
  checkers: [],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
