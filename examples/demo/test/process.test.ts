import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVerifier } from '@gatehousejs/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// These tests run the built demo and CLI as processes, as a user does: build first.
const DEMO = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(DEMO, 'dist/main.js');
const CLI = join(DEMO, 'dist/cli.js');
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');

/** The environment without any key configuration of the machine running the tests. */
const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(GATEHOUSE_|FRONTEGG_|PORT$|HOST$)/.test(name)),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...CLEAN_ENV, ...env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

interface DemoProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** What it printed until the banner was complete. */
  readonly banner: string;
}

/** Starts the built demo with `env` and waits for its banner. */
function spawnDemo(env: Record<string, string> = {}): Promise<DemoProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...CLEAN_ENV, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<DemoProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse demo on (http:\/\/localhost:(\d+))/.exec(output);
      if (match && output.includes('curl -si')) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string, port: Number(match[2]), banner: output });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)));
  });
}

async function stopDemo(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let demo: ChildProcess | undefined;
let url: string;
let port: number;
let banner = '';
let tmp: string;

beforeAll(async () => {
  const build = spawnSync(process.execPath, [TSC, '-b', join(DEMO, 'tsconfig.json')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
  tmp = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  const started = await spawnDemo();
  ({ url, port, banner } = started);
  demo = started.child;
}, 120_000);

afterAll(async () => {
  await stopDemo(demo);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('node examples/demo/dist/main.js', () => {
  test('boots, answers /healthz and prints working tokens and curl commands', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(banner).toContain('embedded dev issuer');
    expect(banner).toContain(`${url}/.well-known/jwks.json`);
    const adminLine = banner.split('\n').findIndex((line) => line.includes('Admin with billing:read:'));
    const token = banner.split('\n')[adminLine + 1]?.trim() ?? '';
    const response = await fetch(`${url}/api/billing`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(banner).toMatch(/curl -s http:\/\/localhost:\d+\/trpc\/billing -H 'authorization: Bearer ey/);
  });

  test('a half-set Frontegg configuration exits non-zero, naming what is missing', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { ...CLEAN_ENV, PORT: '0', FRONTEGG_CLIENT_ID: 'client-id' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('FRONTEGG_API_KEY');
    expect(run.stdout).toBe('');
  });

  test('listens on 127.0.0.1 only by default, and says so', async () => {
    expect(banner).toContain(`Listening on 127.0.0.1:${port}`);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Any other address of this machine (127.0.0.2 is one on Linux) finds nothing listening.
    expect(await accepts('127.0.0.2', port)).toBe(false);
  });

  test('HOST=0.0.0.0 listens on every interface and warns about /dev/token', async () => {
    const everywhere = await spawnDemo({ HOST: '0.0.0.0' });
    try {
      expect(everywhere.banner).toContain(`Listening on 0.0.0.0:${everywhere.port}, every interface`);
      expect(everywhere.banner).toContain('anyone who can reach it can mint tokens at /dev/token');
      expect(await accepts('127.0.0.2', everywhere.port)).toBe(true);
    } finally {
      await stopDemo(everywhere.child);
    }
  });

  test('a blank HOST exits non-zero, naming it', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { ...CLEAN_ENV, PORT: '0', HOST: ' ' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('HOST');
    expect(run.stdout).toBe('');
  });

  test.each([
    [{ FRONTEGG_CLIENT_ID: '' }, 'FRONTEGG_CLIENT_ID is set but blank'],
    [{ GATEHOUSE_JWKS_URI: ' ' }, 'GATEHOUSE_JWKS_URI is set but blank'],
    [
      { FRONTEGG_CLIENT_ID: 'id', FRONTEGG_API_KEY: 'key', GATEHOUSE_JWKS_URI: 'https://issuer.example/jwks' },
      'GATEHOUSE_JWKS_URI',
    ],
    [{ GATEHOUSE_JWKS_URI: 'htps://issuer.example/jwks', GATEHOUSE_AUDIENCE: 'api' }, 'scheme "htps"'],
    [{ GATEHOUSE_JWKS_URI: 'https://issuer.example/jwks' }, 'GATEHOUSE_AUDIENCE'],
  ])('a wrong key configuration %j exits non-zero with the message, and mints nothing', (env, message) => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { ...CLEAN_ENV, PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('configuration error');
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  test('a bad PORT exits non-zero', () => {
    const run = spawnSync(process.execPath, [MAIN], { env: { ...CLEAN_ENV, PORT: 'eighty' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT');
  });
});

describe('gatehouse token', () => {
  test('mints a token from the running demo', async () => {
    const run = await cli(['token', '--role', 'admin', '--permission', 'billing:read', '--ttl', '10m', '--url', url]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const token = run.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const billing = await fetch(`${url}/trpc/billing`, { headers: { authorization: `Bearer ${token}` } });
    expect(billing.status).toBe(200);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<
      string,
      number
    >;
    expect((payload.exp as number) - (payload.iat as number)).toBe(600);
    // The embedded issuer's tokens name the audience its verifier requires.
    expect(payload.aud).toBe('gatehouse-demo');
  });

  test('reads the demo URL from GATEHOUSE_DEMO_URL', async () => {
    const run = await cli(['token', '--sub', 'cli-7', '--tenant', 't-7'], { GATEHOUSE_DEMO_URL: url });
    expect(run.code).toBe(0);
    const me = await fetch(`${url}/trpc/me`, { headers: { authorization: `Bearer ${run.stdout.trim()}` } });
    expect(await me.json()).toMatchObject({ result: { data: { id: 'cli-7', roles: [], tenantId: 't-7' } } });
  });

  test('signs with a local key when given --key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = join(tmp, 'dev-key.pem');
    await writeFile(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const run = await cli(['token', '--key', keyFile, '--role', 'admin', '--issuer', 'me', '--audience', 'api']);
    expect(run.code).toBe(0);
    const verifier = createVerifier({
      publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      issuer: 'me',
      audience: 'api',
    });
    expect(await verifier.verify(run.stdout.trim())).toMatchObject({ id: 'cli-user', roles: ['admin'] });
  });

  test('fails clearly when the demo cannot be reached', async () => {
    const run = await cli(['token', '--role', 'admin', '--url', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach the demo');
    expect(run.stdout).toBe('');
  });

  test.each([
    [['token', '--bogus'], /Unknown option '--bogus'/],
    [['token', '--role'], /--role/],
    [['token', '--ttl', 'soon'], /--ttl must be a duration/],
    [['token', '--ttl', '2d'], /at most 1d/],
    [['token', '--role', ''], /non-empty/],
    [['token', '--url', 'not a url'], /--url must be a URL/],
    [['token', '--key', '/nonexistent/key.pem'], /not a readable private key/],
    [['token', '--issuer', 'x'], /--issuer goes with --key/],
    [['token', 'extra'], /unexpected argument "extra"/],
    [['access'], /a module is required/],
    [['access', 'nope.js'], /no such file/],
    [['bogus'], /unknown command "bogus"/],
    [[], /a command is required/],
  ])('gatehouse %j exits 2 with a clear message', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  test('--help', async () => {
    for (const args of [['--help'], ['token', '--help'], ['access', '-h']]) {
      const run = await cli(args);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^Usage: gatehouse/);
    }
    expect((await cli(['token', '--help'])).stdout).toContain('--permission <name>');
  });

  test('the package bin (bin/gatehouse.js) runs the built CLI', () => {
    const run = spawnSync(process.execPath, [join(DEMO, 'bin/gatehouse.js'), 'token', '--help'], {
      env: CLEAN_ENV,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: gatehouse token/);
  });
});

describe('gatehouse access', () => {
  test('prints the access map of the demo tRPC router', async () => {
    const run = await cli(['access', join(DEMO, 'dist/trpc.js')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const rows = run.stdout.split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['health', 'query', 'public'],
        ['me', 'query', 'authenticated'],
        ['admin', 'query', 'roles: admin'],
        ['home', 'query', 'roles: admin | read-only'],
        ['reports', 'query', 'permissions: reports:read | reports:admin'],
        ['billing', 'query', 'roles: admin AND permissions: billing:read'],
        ['uploads.create', 'mutation', 'permissions: uploadFile'],
        ['uploads.count', 'query', 'public'],
      ]),
    );
  });

  test('prints the access map of the demo GraphQL schema, as JSON too', async () => {
    const table = await cli(['access', join(DEMO, 'dist/graphql.js')]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Query\.billing\s+roles: admin AND permissions: billing:read/);
    expect(table.stdout).toMatch(/User\.email\s+permissions: users:email/);
    expect(table.stdout).toMatch(/Secret\.value\s+roles: admin/);
    const json = await cli(['access', join(DEMO, 'dist/graphql.js'), '--export', 'schema', '--json']);
    const [listing] = JSON.parse(json.stdout) as { kind: string; entries: { name: string; access: string }[] }[];
    expect(listing?.kind).toBe('graphql');
    expect(listing?.entries).toContainEqual({ name: 'Query.health', type: 'field', access: 'public' });
    expect(listing?.entries).toContainEqual({
      name: 'Mutation.uploadFile',
      type: 'field',
      access: 'permissions: uploadFile',
    });
  });

  test('refuses modules without a router or schema, TypeScript sources and unknown exports', async () => {
    const none = await cli(['access', join(DEMO, 'dist/store.js')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no tRPC router or GraphQL schema');
    const source = await cli(['access', join(DEMO, 'src/trpc.ts')]);
    expect(source.code).toBe(2);
    expect(source.stderr).toContain('not TypeScript source');
    const missing = await cli(['access', join(DEMO, 'dist/trpc.js'), '--export', 'nothing']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no export "nothing"');
  });
});
