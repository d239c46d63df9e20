// The compiled outputs of a package (dist/esm and dist/cjs) against its sources (src/**/*.ts).
//
//   node scripts/dist-outputs.mjs prune [dir...]   removes outputs whose source is gone (part of `npm run build`)
//   node scripts/dist-outputs.mjs check [dir]      exits 1 if an output is stale or missing (each package's `prepack`)
//
// `tsc -b` never deletes the outputs of a deleted or renamed source, so a working copy can hold compiled
// files that `npm pack` would ship. Only stale files are ever removed: a build can run while tests load
// the others.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FORMATS = ['esm', 'cjs'];
const OUTPUT_SUFFIXES = ['.d.ts.map', '.js.map', '.d.ts', '.js'];
/** Written by scripts/finish-cjs-builds.mjs, not by tsc. */
const GENERATED = new Set(['cjs/package.json']);

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** Module paths of a package's sources, without extension: `keys/jwks`. */
function sourceModules(packageDir) {
  return new Set(
    filesUnder(join(packageDir, 'src'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -'.ts'.length)),
  );
}

/** Outputs under dist/ whose source is gone, or that no build writes: paths relative to dist/. */
export function staleOutputs(packageDir) {
  const modules = sourceModules(packageDir);
  const stale = [];
  for (const format of FORMATS) {
    for (const file of filesUnder(join(packageDir, 'dist', format))) {
      const path = `${format}/${file}`;
      if (GENERATED.has(path)) continue;
      const suffix = OUTPUT_SUFFIXES.find((s) => file.endsWith(s));
      if (suffix === undefined || !modules.has(file.slice(0, -suffix.length))) stale.push(path);
    }
  }
  return stale.sort();
}

/** Sources with no compiled module in one of the formats: paths relative to dist/. */
export function missingOutputs(packageDir) {
  const missing = [];
  for (const module of sourceModules(packageDir)) {
    for (const format of FORMATS) {
      for (const suffix of ['.js', '.d.ts']) {
        const path = `${format}/${module}${suffix}`;
        if (!existsSync(join(packageDir, 'dist', path))) missing.push(path);
      }
    }
  }
  for (const path of GENERATED) if (!existsSync(join(packageDir, 'dist', path))) missing.push(path);
  return missing.sort();
}

/** The packages under packages/ that are built. */
export function builtPackageDirs() {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => join(ROOT, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'src')) && existsSync(join(dir, 'package.json')));
}

function prune(dirs) {
  for (const dir of dirs) {
    for (const path of staleOutputs(dir)) rmSync(join(dir, 'dist', path));
  }
}

function check(dir) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const stale = staleOutputs(dir);
  const missing = missingOutputs(dir);
  if (stale.length === 0 && missing.length === 0) return true;
  const list = (title, paths) =>
    paths.length === 0 ? '' : `\n  ${title}:\n    ${paths.map((p) => `dist/${p}`).join('\n    ')}`;
  console.error(
    `${name}: dist/ does not match src/; run \`npm run build\` at the repository root first.` +
      list('compiled from sources that are gone', stale) +
      list('not built', missing),
  );
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...dirs] = process.argv.slice(2);
  if (command === 'prune') prune(dirs.length > 0 ? dirs : builtPackageDirs());
  else if (command === 'check') process.exitCode = check(dirs[0] ?? process.cwd()) ? 0 : 1;
  else {
    console.error('usage: node scripts/dist-outputs.mjs prune [dir...] | check [dir]');
    process.exitCode = 2;
  }
}
