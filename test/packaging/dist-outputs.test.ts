/**
 * A package's dist/ against its src/: `npm run build` prunes outputs whose source is gone, and each
 * package's `prepack` refuses to pack a dist/ that is stale or incomplete, so no deleted module ships.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { builtPackageDirs, missingOutputs, staleOutputs } from '../../scripts/dist-outputs.mjs';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/dist-outputs.mjs', import.meta.url));

let dir: string;

function write(path: string, content = '') {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}

/** A built module: its source and the outputs tsc writes for it in both formats. */
function builtModule(module: string) {
  write(`src/${module}.ts`, 'export {};\n');
  for (const format of ['esm', 'cjs']) {
    for (const suffix of ['.js', '.js.map', '.d.ts', '.d.ts.map']) write(`dist/${format}/${module}${suffix}`);
  }
}

async function check(): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [SCRIPT, 'check'], { cwd: dir });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-dist-'));
  write('package.json', JSON.stringify({ name: '@gatehousejs/fixture' }));
  builtModule('index');
  builtModule('keys/jwks');
  write('dist/cjs/package.json', '{"type":"commonjs"}');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('dist outputs', () => {
  test('a dist/ built from the current sources passes the prepack check', async () => {
    expect(staleOutputs(dir)).toEqual([]);
    expect(missingOutputs(dir)).toEqual([]);
    expect(await check()).toEqual({ code: 0, stderr: '' });
  });

  test('outputs of a deleted source are stale: the check refuses to pack, prune removes them and only them', async () => {
    builtModule('keys/old-cache');
    rmSync(join(dir, 'src/keys/old-cache.ts'));
    write('dist/esm/leftover.txt');
    expect(staleOutputs(dir)).toEqual([
      'cjs/keys/old-cache.d.ts',
      'cjs/keys/old-cache.d.ts.map',
      'cjs/keys/old-cache.js',
      'cjs/keys/old-cache.js.map',
      'esm/keys/old-cache.d.ts',
      'esm/keys/old-cache.d.ts.map',
      'esm/keys/old-cache.js',
      'esm/keys/old-cache.js.map',
      'esm/leftover.txt',
    ]);
    const refused = await check();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('@gatehousejs/fixture: dist/ does not match src/');
    expect(refused.stderr).toContain('dist/esm/keys/old-cache.js');

    await run(process.execPath, [SCRIPT, 'prune', dir]);
    expect(staleOutputs(dir)).toEqual([]);
    expect(existsSync(join(dir, 'dist/esm/keys/jwks.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist/cjs/package.json'))).toBe(true);
    expect((await check()).code).toBe(0);
  });

  test('a source that was never built is missing: the check refuses to pack', async () => {
    write('src/new-module.ts', 'export {};\n');
    rmSync(join(dir, 'dist/cjs/package.json'));
    expect(missingOutputs(dir)).toEqual([
      'cjs/new-module.d.ts',
      'cjs/new-module.js',
      'cjs/package.json',
      'esm/new-module.d.ts',
      'esm/new-module.js',
    ]);
    const refused = await check();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not built');
  });

  test("every package's dist/ matches its sources after `npm run build`, and its prepack checks it", () => {
    const dirs = builtPackageDirs();
    expect(dirs.map((d) => d.split(/[\\/]/).pop()).sort()).toEqual(['core', 'graphql', 'redis', 'trpc']);
    for (const packageDir of dirs) {
      const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
      expect(manifest.scripts?.prepack).toBe('node ../../scripts/dist-outputs.mjs check');
      expect({ packageDir, stale: staleOutputs(packageDir), missing: missingOutputs(packageDir) }).toEqual({
        packageDir,
        stale: [],
        missing: [],
      });
    }
  });
});
