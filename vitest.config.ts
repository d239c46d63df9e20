import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      // Core's platform module, as Node resolves it (package.json `imports`, condition `node`), from source.
      { find: /^#platform$/, replacement: src('./packages/core/src/platform/node.ts') },
      { find: /^@gatehousejs\/core\/testing$/, replacement: src('./packages/core/src/testing/index.ts') },
      { find: /^@gatehousejs\/core\/adapter$/, replacement: src('./packages/core/src/adapter.ts') },
      { find: /^@gatehousejs\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@gatehousejs\/trpc$/, replacement: src('./packages/trpc/src/index.ts') },
      { find: /^@gatehousejs\/graphql$/, replacement: src('./packages/graphql/src/index.ts') },
      { find: /^@gatehousejs\/redis$/, replacement: src('./packages/redis/src/index.ts') },
      // Source must load the graphql build Node loads for dependencies (16: CJS main; 17: its exports
      // map), or two copies meet ("Cannot use GraphQLList from another module or realm").
      { find: /^graphql$/, replacement: fileURLToPath(import.meta.resolve('graphql')) },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'runtimes/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    typecheck: {
      enabled: true,
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.test.json',
    },
  },
});
