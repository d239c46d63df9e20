import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from '@gatehousejs/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildDemo,
  CLEAN_ENV,
  DEMO_DIR as DEMO,
  type DemoProcess,
  MAIN,
  startDemoProcess,
} from './support/demo-process.js';

// These tests run the built demo and CLI as processes, as a user does: build first.
const CLI = join(DEMO, 'dist/cli.js');

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

let demo: DemoProcess;
let url: string;
let port: number;
let banner = '';
let tmp: string;

beforeAll(async () => {
  await buildDemo();
  tmp = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  demo = await startDemoProcess({}, ['--tokens']);
  url = demo.url;
  port = Number(new URL(url).port);
  banner = demo.stderr();
}, 120_000);

afterAll(async () => {
  await demo?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('node examples/demo/dist/main.js', () => {
  test('with --tokens, boots, answers /healthz and prints working tokens and curl commands', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(banner).toContain('embedded dev issuer');
    expect(banner).toContain(`${url}/.well-known/jwks.json`);
    const adminLine = banner.split('\n').findIndex((line) => line.includes('Admin with billing:read:'));
    const token = banner.split('\n')[adminLine + 1]?.trim() ?? '';
    const response = await fetch(`${url}/api/billing`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(banner).toMatch(/curl -s http:\/\/localhost:\d+\/trpc\/billing -H 'authorization: Bearer ey/);
  });

  test('by default the banner is short: the page, GraphiQL as a persona, one working token', async () => {
    const short = await startDemoProcess({});
    try {
      const text = short.stderr();
      expect(text).toContain(`page      ${short.url}/`);
      expect(text).toContain(`GraphiQL  ${short.url}/graphql?persona=billing-admin`);
      expect(text).toContain('--tokens');
      expect(text).not.toContain('Read-only');
      const tokens = text.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? [];
      expect(new Set(tokens).size).toBe(1);
      const billing = await fetch(`${short.url}/trpc/billing`, { headers: { authorization: `Bearer ${tokens[0]}` } });
      expect(billing.status).toBe(200);
      // stdout is for JSON log lines only.
      expect(short.stdout()).not.toContain('Gatehouse demo on');
    } finally {
      await short.stop();
    }
    const viaEnv = await startDemoProcess({ SHOW_TOKENS: '1' });
    await viaEnv.stop();
    expect(viaEnv.stderr()).toContain('Read-only:');
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
    const everywhere = await startDemoProcess({ HOST: '0.0.0.0' });
    try {
      const everywherePort = Number(new URL(everywhere.url).port);
      expect(everywhere.stderr()).toContain(`Listening on 0.0.0.0:${everywherePort}, every interface`);
      expect(everywhere.stderr()).toContain('anyone who can reach it can mint tokens at /dev/token');
      expect(await accepts('127.0.0.2', everywherePort)).toBe(true);
    } finally {
      await everywhere.stop();
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
