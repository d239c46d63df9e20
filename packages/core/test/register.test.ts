import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

// `declare module '@gatehousejs/core' { interface Register { ... } }` retypes every requirement of the
// program it is in, so it is compiled here in a program of its own, against the package sources.
const root = fileURLToPath(new URL('../../../', import.meta.url));

const APP = `import { authorize, type AuthUser, defineRequirement, type Requirement, withAuthentication } from '@gatehousejs/core';

declare module '@gatehousejs/core' {
  interface Register {
    roles: 'admin' | 'read-only';
    permissions: 'reports:read' | 'uploadFile';
  }
}

declare const user: AuthUser;
authorize(user, { roles: ['admin', 'read-only'], permissions: ['uploadFile'] });
authorize(user, { roles: ['admn'] }); // EXPECT_ERROR
authorize(user, { permissions: ['reports:reed'] }); // EXPECT_ERROR
authorize(user, { roles: ['Admin'] }); // EXPECT_ERROR
export const typed: Requirement = { roles: ['read-only'] };
export const misspelt: Requirement = { permissions: ['upload-file'] }; // EXPECT_ERROR
export const admin = withAuthentication({ roles: ['admin'], verifier: undefined as never });
export const wrong = withAuthentication({ roles: ['root'], verifier: undefined as never }); // EXPECT_ERROR
// Names from outside the code (a schema, a config file) go through defineRequirement, unchecked by the compiler.
export const fromConfig = defineRequirement(JSON.parse('{"roles":["anything"]}'));
`;

function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules/.bin/tsc'), ['-p', project], { cwd: project }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
    });
  });
}

test('with Register augmented, a misspelt role or permission is a compile error, and nothing else is', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-register-'));
  try {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(join(dir, 'app.ts'), APP);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
          typeRoots: [join(root, 'node_modules/@types')],
          paths: { '@gatehousejs/core': [join(root, 'packages/core/src/index.ts')] },
        },
        files: ['app.ts'],
      }),
    );
    const { code, output } = await tsc(dir);
    const errorLines = [...output.matchAll(/app\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1]));
    const expectedLines = APP.split('\n').flatMap((line, i) => (line.includes('EXPECT_ERROR') ? [i + 1] : []));
    // Every other error (in the package sources included) would fail this test.
    expect(output.split('\n').filter((l) => /error TS/.test(l) && !/^app\.ts/.test(l))).toEqual([]);
    expect([...new Set(errorLines)]).toEqual(expectedLines);
    expect(code).not.toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
