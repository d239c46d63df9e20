// Completes each package's CommonJS build in dist/cjs after tsc:
// - a package.json `{ "type": "commonjs" }`: the packages are `"type": "module"`, and without it Node
//   would load dist/cjs as ES modules (tsc cannot emit it);
// - `#name` subpath imports (package.json `imports`) rewritten to relative paths into dist/cjs. Node
//   reads `imports` from the nearest package.json only, which for dist/cjs is the one above. The
//   CommonJS build is the Node build (other runtimes get the ES modules through their export
//   conditions), so each import takes its `node`/`require`/`default` target.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_CONDITIONS = ['node', 'require', 'default'];

function nodeTarget(target) {
  if (typeof target === 'string') return target;
  for (const [condition, value] of Object.entries(target)) {
    const found = NODE_CONDITIONS.includes(condition) && nodeTarget(value);
    if (found) return found;
  }
  return undefined;
}

function finish(packageDir) {
  const cjs = join(packageDir, 'dist/cjs');
  writeFileSync(join(cjs, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  const { imports = {} } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const files = new Map();
  for (const [name, target] of Object.entries(imports)) {
    const esm = nodeTarget(target);
    if (name.includes('*') || !esm?.startsWith('./dist/esm/')) throw new Error(`${packageDir}: cannot map ${name}`);
    files.set(name, join(cjs, esm.slice('./dist/esm/'.length)));
  }
  if (files.size === 0) return;
  for (const entry of readdirSync(cjs, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.js') && !entry.endsWith('.d.ts')) continue;
    const path = join(cjs, entry);
    const code = readFileSync(path, 'utf8');
    const rewritten = code.replace(/(require\(|from |import\()(["'])(#[^"']+)\2/g, (whole, before, quote, name) => {
      if (!files.has(name)) return whole;
      const target = relative(dirname(path), files.get(name)).replace(/\.d\.ts$/, '.js');
      return `${before}${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
    });
    if (rewritten !== code) writeFileSync(path, rewritten);
  }
}

const packages = fileURLToPath(new URL('../packages/', import.meta.url));
for (const name of readdirSync(packages)) {
  if (existsSync(join(packages, name, 'dist/cjs'))) finish(join(packages, name));
}
