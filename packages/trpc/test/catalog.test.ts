import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../type-fixtures/catalog/', import.meta.url));
const tsc = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url));

async function compile(project: string) {
  try {
    await run(tsc, ['-p', project], { cwd: fixture });
    return { ok: true, output: '' };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

// The fixture registers a role/permission catalog on @gatehousejs/core's `Register`, which changes
// types program-wide, so it is compiled on its own. Its `@ts-expect-error` lines are the typos:
// the compile succeeds only if every one of them is an error.
test('with a registered catalog, a misspelt role or permission in meta fails to compile', async () => {
  const result = await compile(`${fixture}tsconfig.json`);
  expect(result.output).toBe('');
  expect(result.ok).toBe(true);
});

test('the fixture is not vacuous: without the catalog, the typos compile and the expectations are unused', async () => {
  const source = await readFile(`${fixture}app.ts`, 'utf8');
  const withoutCatalog = source.replace(/declare module '@gatehousejs\/core' \{[\s\S]*?\n\}\n/, '');
  expect(withoutCatalog).not.toBe(source);
  const copy = `${fixture}app.no-catalog.ts`;
  const project = `${fixture}tsconfig.no-catalog.json`;
  await writeFile(copy, withoutCatalog);
  await writeFile(project, JSON.stringify({ extends: './tsconfig.json', files: ['app.no-catalog.ts'] }));
  try {
    const result = await compile(project);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/TS2578/); // Unused '@ts-expect-error' directive
  } finally {
    await rm(copy, { force: true });
    await rm(project, { force: true });
  }
});
