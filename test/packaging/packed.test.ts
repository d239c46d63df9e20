/**
 * The packages as users get them: `npm pack` once, lint the tarballs (attw, publint), install them into
 * fresh apps (ES modules, CommonJS, TypeScript with NodeNext and with bundler resolution, compiled by
 * TypeScript 5.x and by the repository's TypeScript 7), and run every README quick start against a
 * real issuer. Needs `npm run build` first (`npm test` builds).
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packAll, publishedPackageDirs } from '../../scripts/check-packages.mjs';
import { missingOutputs } from '../../scripts/dist-outputs.mjs';
import { installApp, type Tarball } from './support/install.js';
import { importedPackages, installedPackages, quickStarts, readmes } from './support/readme.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const TYPESCRIPT_7 = join(ROOT, 'node_modules/typescript/bin/tsc');
/** Installed into the apps as their own `typescript`: what most users compile with. */
const TYPESCRIPT_5 = 'typescript@test/packaging/node_modules/typescript';

/** What the quick starts' install lines add up to, plus what a TypeScript app has anyway. */
const REGISTRY = [
  TYPESCRIPT_5,
  '@types/node',
  '@types/express',
  'express',
  '@trpc/server',
  'zod',
  'graphql',
  'graphql-yoga',
  '@graphql-tools/schema',
];

interface Variant {
  name: string;
  type: 'module' | 'commonjs';
  compilerOptions: Record<string, unknown>;
}

const VARIANTS: Variant[] = [
  { name: 'nodenext-esm', type: 'module', compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } },
  { name: 'nodenext-cjs', type: 'commonjs', compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } },
  { name: 'bundler', type: 'module', compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } },
];

const COMPILER_OPTIONS = {
  target: 'ES2022',
  strict: true,
  skipLibCheck: true,
  types: ['node'],
  outDir: 'dist',
  rootDir: '.',
};

let scratch: string;
let apps: string;
let tarballs: Tarball[];
let issuer: TestIssuer;
let env: NodeJS.ProcessEnv;
/** Started in beforeAll and awaited by the tests, so that packing, linting, installing and compiling overlap. */
let lint: Promise<{ stdout: string }>;
let installed: Promise<void>;
const compiled = new Map<string, Promise<{ five: string; seven: string }>>();
const readmeQuickStarts = quickStarts(ROOT);
const compilers = limit(3);

beforeAll(async () => {
  const unbuilt = publishedPackageDirs().filter((dir) => missingOutputs(dir).length > 0);
  if (unbuilt.length) throw new Error(`run \`npm run build\` first: no build in ${unbuilt.join(', ')}`);
  scratch = mkdtempSync(join(tmpdir(), 'gatehouse-packed-'));
  apps = join(scratch, 'apps');
  mkdirSync(join(scratch, 'packs'));
  mkdirSync(apps);
  tarballs = packAll(join(scratch, 'packs'));
  const paths = tarballs.map((tarball) => tarball.path);
  lint = run(process.execPath, [join(ROOT, 'scripts/check-packages.mjs'), ...paths]).catch(
    (error: { stdout: string }) => error,
  );
  installed = installApp(ROOT, { dir: apps, tarballs, registry: REGISTRY });
  installed.catch(() => {}); // awaited by the tests
  issuer = await createTestIssuer({ audience: 'api' });
  env = {
    PATH: process.env.PATH,
    GATEHOUSE_JWKS_URI: issuer.jwksUri,
    GATEHOUSE_ISSUER: issuer.issuer,
    GATEHOUSE_AUDIENCE: 'api',
  };
  for (const variant of VARIANTS) {
    const app = writeTypeScriptApp(variant);
    compiled.set(variant.name, compileBoth(app, true));
  }
  compiled.set(CORE_ONLY, compileBoth(writeCoreOnlyApp(), false));
}, 120_000);

afterAll(async () => {
  await issuer?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every README quick start in one folder each, under an app of this module kind and resolution. */
function writeTypeScriptApp(variant: Variant): string {
  const app = join(apps, variant.name);
  for (const quickStart of readmeQuickStarts) {
    const folder = join(app, quickStart.id.replace('/', '-'));
    mkdirSync(folder, { recursive: true });
    for (const [file, code] of Object.entries(quickStart.files)) writeFileSync(join(folder, file), code);
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ private: true, type: variant.type }));
  const compilerOptions = { ...COMPILER_OPTIONS, ...variant.compilerOptions };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['**/*.ts'] }));
  return app;
}

const CORE_ONLY = 'core-only';

/** Core alone in a program without Express's types, every declaration file checked. */
function writeCoreOnlyApp(): string {
  const app = join(apps, CORE_ONLY);
  mkdirSync(app);
  writeFileSync(
    join(app, 'main.ts'),
    [
      "import { createServer } from 'node:http';",
      "import { withAuthentication } from '@gatehousejs/core';",
      '',
      "const guard = withAuthentication({ roles: ['admin'] });",
      "createServer((req, res) => guard(req, res, () => res.end('ok'))).listen(3000);",
      '',
    ].join('\n'),
  );
  const compilerOptions = { ...COMPILER_OPTIONS, module: 'NodeNext', skipLibCheck: false, noEmit: true };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['main.ts'] }));
  return app;
}

/** TypeScript 5.x (the app's own, emitting what the tests run) and TypeScript 7 (checking only). */
async function compileBoth(app: string, emit: boolean): Promise<{ five: string; seven: string }> {
  await installed;
  const tsc5 = join(apps, 'node_modules/typescript/bin/tsc');
  const [five, seven] = await Promise.all([
    compilers(() => compile(tsc5, app, emit ? [] : ['--noEmit'])),
    compilers(() => compile(TYPESCRIPT_7, app, ['--noEmit'])),
  ]);
  return { five, seven };
}

describe('the published tarballs', () => {
  test('attw and publint report nothing (npm run check:packages)', async () => {
    expect((await lint).stdout).toContain('attw and publint: no problems');
  }, 180_000);

  test('each holds its LICENSE, README, both builds, its sources for the source maps, and publishing metadata', async () => {
    await installed;
    for (const { manifest } of tarballs) {
      const dir = join(apps, 'node_modules', manifest.name);
      for (const file of ['LICENSE', 'README.md', 'dist/esm/index.js', 'dist/cjs/index.js', 'dist/cjs/index.d.ts']) {
        expect(existsSync(join(dir, file)), `${manifest.name}: ${file}`).toBe(true);
      }
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
      expect(JSON.parse(readFileSync(join(dir, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
      expect(existsSync(join(dir, 'test')), `${manifest.name} ships no tests`).toBe(false);
      for (const map of filesUnder(join(dir, 'dist')).filter((file) => file.endsWith('.map'))) {
        for (const source of JSON.parse(readFileSync(map, 'utf8')).sources as string[]) {
          expect(existsSync(join(dirname(map), source)), `${map} points at ${source}`).toBe(true);
        }
      }
      const published = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(published).toMatchObject({
        license: 'MIT',
        repository: { type: 'git', url: 'git+https://github.com/gatehousejs/gatehouse.git' },
        bugs: { url: 'https://github.com/gatehousejs/gatehouse/issues' },
        publishConfig: { access: 'public' },
      });
      expect(published.repository.directory).toMatch(/^packages\/[a-z-]+$/);
      expect(published.homepage).toMatch(/^https:\/\/github\.com\/gatehousejs\/gatehouse\/tree\/main\/packages\//);
      expect(published.keywords.length).toBeGreaterThan(0);
      expect(published.version, 'one version for all packages').toBe(tarballs[0]!.manifest.version);
    }
  }, 180_000);

  test('adapters take core as a peer dependency, so an app holds one copy', () => {
    for (const { manifest } of tarballs.filter((tarball) => tarball.manifest.name !== '@gatehousejs/core')) {
      expect(manifest.dependencies?.['@gatehousejs/core'], manifest.name).toBeUndefined();
      expect(manifest.peerDependencies?.['@gatehousejs/core'], manifest.name).toBe(`^${manifest.version}`);
    }
  });

  test('package READMEs link only to absolute URLs or their own anchors (they are shown on the registry)', () => {
    for (const readme of readmes(ROOT).filter((entry) => entry.name !== 'root')) {
      const links = [...readFileSync(readme.path, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)].map(([, link]) => link!);
      expect(
        links.filter((link) => !/^(https:\/\/|#)/.test(link)),
        readme.path,
      ).toEqual([]);
    }
  });
});

describe('README quick starts', () => {
  test('are found: the root README and every package README have some', () => {
    const where = new Set(readmeQuickStarts.map((quickStart) => quickStart.id.split('/')[0]));
    expect([...where].sort()).toEqual(['core', 'graphql', 'root', 'trpc']);
    expect(Object.keys(CHECKS).sort()).toEqual(readmeQuickStarts.map((quickStart) => quickStart.id).sort());
  });

  test('each README install line names every package its quick starts import', () => {
    for (const quickStart of readmeQuickStarts) {
      const installs = installedPackages(quickStart.readme);
      const imported = Object.values(quickStart.files).flatMap(importedPackages);
      expect(
        imported.filter((name) => !installs.has(name)),
        `${quickStart.id}: missing from the install lines of ${quickStart.readme}`,
      ).toEqual([]);
    }
  });

  describe.each(VARIANTS)('in a TypeScript app ($name)', (variant) => {
    test('compiles with TypeScript 5.x and TypeScript 7', async () => {
      const { five, seven } = await compiled.get(variant.name)!;
      expect(five, 'TypeScript 5').toBe('');
      expect(seven, 'TypeScript 7').toBe('');
    }, 180_000);

    test.concurrent.each(readmeQuickStarts.map((quickStart) => quickStart.id))(
      '%s runs',
      async (id) => {
        const { five } = await compiled.get(variant.name)!;
        if (five) throw new Error(`not compiled:\n${five}`);
        const folder = join(apps, variant.name, 'dist', id.replace('/', '-'));
        await CHECKS[id]!(await start(join(folder, MAIN[id] ?? 'server.js')));
      },
      180_000,
    );
  });
});

describe('JavaScript apps', () => {
  test.concurrent('an ES module app imports all three packages and serves protected routes, procedures and fields', async () => {
    await checkAllThree(await startJavaScriptApp('esm-app.mjs'));
  }, 60_000);

  test.concurrent('a CommonJS app requires all three packages; an AuthError from its ES module copy of core is still one', async () => {
    const server = await startJavaScriptApp('cjs-app.cjs');
    await checkAllThree(server);
    expect(await (await fetch(`${server.url}/copies`)).json()).toEqual({
      twoCopies: true,
      esmRecognisesCjs: true,
      cjsRecognisesEsm: true,
    });
  }, 60_000);
});

/** A fixture app next to the shared server code, started once the packages are installed. */
async function startJavaScriptApp(fixture: string): Promise<Running> {
  await installed;
  const app = join(apps, fixture.replace('.', '-'));
  mkdirSync(app);
  cpSync(join(FIXTURES, fixture), join(app, fixture));
  cpSync(join(FIXTURES, 'serve.cjs'), join(app, 'serve.cjs'));
  return start(join(app, fixture));
}

describe('an app without @types/express', () => {
  test('compiles against core with every declaration file checked (skipLibCheck off), TypeScript 5.x and 7', async () => {
    const { five, seven } = await compiled.get(CORE_ONLY)!;
    expect(five, 'TypeScript 5').toBe('');
    expect(seven, 'TypeScript 7').toBe('');
    const files = await run(process.execPath, [TYPESCRIPT_7, '-p', join(apps, CORE_ONLY), '--listFilesOnly']);
    expect(files.stdout).toContain('@gatehousejs/core');
    expect(files.stdout).not.toContain('express');
  }, 180_000);
});

// --- running the apps -------------------------------------------------------------------------------

interface Running {
  url: string;
  process: ChildProcess;
}

const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill();
});

/** Runs a program as written; its `listen(…)` is moved to a free loopback port (listen-anywhere.cjs). */
async function start(main: string): Promise<Running> {
  const child = fork(main, [], {
    cwd: dirname(main),
    env,
    execArgv: ['--require', join(FIXTURES, 'listen-anywhere.cjs')],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${main} exited (${code}) before listening:\n${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child };
}

async function compile(tsc: string, project: string, flags: string[]): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', project, ...flags], { cwd: project });
    return '';
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return `${stdout ?? ''}${stderr ?? ''}` || message;
  }
}

/** Runs at most `concurrency` tasks at a time. */
function limit(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => join(dir, file));
}

// --- what each quick start must do --------------------------------------------------------------------

type Token = 'none' | 'user' | 'admin' | 'reader' | 'uploader';

async function token(kind: Token): Promise<string | undefined> {
  const claims: Record<Token, Record<string, unknown>> = {
    none: {},
    user: { sub: 'user-1' },
    admin: { sub: 'admin-1', roles: ['admin'] },
    reader: { sub: 'reader-1', permissions: ['reports:read'] },
    uploader: { sub: 'uploader-1', permissions: ['uploadFile'] },
  };
  return kind === 'none' ? undefined : issuer.sign(claims[kind]);
}

async function call(
  server: Running,
  path: string,
  as: Token,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const bearer = await token(as);
  const headers = new Headers(init.headers);
  if (bearer) headers.set('authorization', `Bearer ${bearer}`);
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function statuses(server: Running, path: string, as: Token[], init?: RequestInit): Promise<number[]> {
  return Promise.all(as.map(async (who) => (await call(server, path, who, init)).status));
}

/** GraphQL answers: the data, or the first error's extensions.code. */
async function graphql(server: Running, path: string, query: string, as: Token): Promise<unknown> {
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) };
  const { body } = (await call(server, path, as, init)) as {
    body: { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  };
  return body.errors?.length ? body.errors[0]!.extensions?.code : body.data;
}

async function checkTrpc(server: Running, base: string): Promise<void> {
  expect(await call(server, `${base}/health`, 'none')).toMatchObject({ status: 200, body: { result: { data: 'ok' } } });
  expect(await statuses(server, `${base}/me`, ['none', 'user'])).toEqual([401, 200]);
  expect((await call(server, `${base}/me`, 'user')).body).toMatchObject({ result: { data: { id: 'user-1' } } });
  expect(await statuses(server, `${base}/admin`, ['user', 'admin'])).toEqual([403, 200]);
  const upload = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a.txt"}' };
  expect(await statuses(server, `${base}/upload`, ['none', 'user', 'uploader'], upload)).toEqual([401, 403, 200]);
}

async function checkYoga(server: Running): Promise<void> {
  expect(await graphql(server, '/graphql', '{ health }', 'none')).toEqual({ health: 'ok' });
  expect(await graphql(server, '/graphql', '{ me { id } }', 'none')).toBe('UNAUTHENTICATED');
  expect(await graphql(server, '/graphql', '{ me { id } }', 'user')).toEqual({ me: { id: 'user-1' } });
  expect(await graphql(server, '/graphql', '{ admin { area } }', 'user')).toBe('FORBIDDEN');
  expect(await graphql(server, '/graphql', '{ admin { area } }', 'admin')).toEqual({ admin: { area: 'admin' } });
}

async function checkAllThree(server: Running): Promise<void> {
  expect(await statuses(server, '/rest', ['none', 'user', 'admin'])).toEqual([401, 403, 200]);
  expect(await statuses(server, '/trpc/health', ['none'])).toEqual([200]);
  expect(await statuses(server, '/trpc/admin', ['none', 'user', 'admin'])).toEqual([401, 403, 200]);
  expect(await graphql(server, '/graphql', '{ health }', 'none')).toEqual({ health: 'ok' });
  expect(await graphql(server, '/graphql', '{ admin }', 'none')).toBe('UNAUTHENTICATED');
  expect(await graphql(server, '/graphql', '{ admin }', 'user')).toBe('FORBIDDEN');
  expect(await graphql(server, '/graphql', '{ admin }', 'admin')).toEqual({ admin: 'admin-1' });
}

/** The compiled file each quick start starts from, when it is not server.js. */
const MAIN: Record<string, string> = {};

const CHECKS: Record<string, (server: Running) => Promise<void>> = {
  'root/core': async (server) => {
    expect(await statuses(server, '/me', ['none', 'user'])).toEqual([401, 200]);
    expect((await call(server, '/me', 'user')).body).toMatchObject({ id: 'user-1', roles: [] });
    expect(await statuses(server, '/admin', ['user', 'admin'])).toEqual([403, 200]);
    expect(await statuses(server, '/reports', ['none', 'user', 'reader'])).toEqual([401, 403, 200]);
  },
  'root/trpc': (server) => checkTrpc(server, ''),
  'root/graphql': checkYoga,
  'core/node-http': async (server) => {
    expect(await statuses(server, '/', ['none', 'user', 'admin'])).toEqual([401, 403, 200]);
    expect((await call(server, '/', 'admin')).body).toMatchObject({ id: 'admin-1', roles: ['admin'] });
  },
  'core/express': async (server) => {
    expect(await statuses(server, '/me', ['none', 'user'])).toEqual([401, 200]);
    expect(await statuses(server, '/admin/area', ['none', 'user', 'admin'])).toEqual([401, 403, 200]);
    expect((await call(server, '/admin/area', 'admin')).body).toEqual({ area: 'admin', by: 'admin-1' });
  },
  'trpc/standalone': (server) => checkTrpc(server, ''),
  'graphql/yoga': checkYoga,
};
