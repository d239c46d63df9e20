// `npm run test:neutral`: core's whole suite on the runtime-neutral platform (WebCrypto, fetch),
// run by Node. `npm test` runs the shared attack table on Bun, Deno and workerd themselves.
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const neutral = fileURLToPath(new URL('./packages/core/src/platform/web.ts', import.meta.url));
const aliases = base.resolve?.alias as { find: RegExp; replacement: string }[];

export default defineConfig({
  ...base,
  resolve: {
    alias: aliases.map((a) => (String(a.find) === String(/^#platform$/) ? { ...a, replacement: neutral } : a)),
  },
  test: {
    ...base.test,
    include: ['packages/core/test/**/*.test.ts'],
    // That test compiles core for Node itself.
    exclude: [...configDefaults.exclude, '**/keys-process-exit.test.ts'],
    typecheck: { enabled: false },
  },
});
