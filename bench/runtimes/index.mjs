// Runs driver.ts (TypeScript: it shares the runtime harness with the tests) through esbuild, on Node.
// `npm run bench -- runtimes`, or `node bench/runtimes/index.mjs bun deno workerd`. Build first.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Beside the harness it bundles, so that the harness finds the repository root where it expects it.
const outfile = join(root, 'runtimes', `.bench-driver-${process.pid}.mjs`);
try {
  await build({
    entryPoints: [join(root, 'bench/runtimes/driver.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  });
  await import(pathToFileURL(outfile).href);
} finally {
  await rm(outfile, { force: true });
}
