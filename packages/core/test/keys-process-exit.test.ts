// Proof, in a real child process, that the key store never keeps a process alive: a program that
// verifies a token and returns exits on its own, even with a key server that never answers.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hang, issuerKeys, type KeyServer, startKeyServer } from './keys-servers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let issuer: TestIssuer;

beforeAll(async () => {
  // The child runs plain node, so it needs core as JavaScript: compile the sources as they are now.
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-exit-'));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  await promisify(execFile)(
    join(root, 'node_modules/.bin/tsc'),
    [
      '-p',
      join(root, 'packages/core/tsconfig.json'),
      '--outDir',
      join(dir, 'core'),
      '--composite',
      'false',
      '--incremental',
      'false',
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
      '--noEmitOnError',
      'false',
    ],
    { cwd: root },
  ).catch((error: { stdout?: string }) => {
    // Type errors still emit JavaScript; only a missing output is fatal (checked by the import below).
    return error;
  });
  // The compiled sources find their platform module (`#platform`) through their package.json.
  await writeFile(
    join(dir, 'core/package.json'),
    JSON.stringify({ type: 'module', imports: { '#platform': './platform/node.js' } }),
  );
  issuer = await createTestIssuer({ port: false, audience: 'api' });
}, 60_000);

afterAll(async () => {
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the child had to be killed because it did not exit on its own. */
  killed: boolean;
}

/** Runs a module in a fresh `node`; kills it (and reports so) if it has not exited after `graceMs`. */
function runChild(source: string, onLine: (line: string, stdin: NodeJS.WritableStream) => void, graceMs: number) {
  return new Promise<ChildResult>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      cwd: dir,
      env: { ...process.env, CORE: pathToFileURL(join(dir, 'core/index.js')).href },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line, child.stdin);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

async function withServer<T>(server: KeyServer, fn: (s: KeyServer) => Promise<T>): Promise<T> {
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

test('cold verification against a key server that never answers: 503 after the timeout, then the process exits', async () => {
  await withServer(await startKeyServer(hang), async (keys) => {
    const token = await issuer.sign({ sub: 'child' });
    const source = `
      const { createVerifier } = await import(process.env.CORE);
      const verifier = createVerifier({ audience: 'api', jwksUri: ${JSON.stringify(`${keys.url}/jwks`)}, keySet: { timeout: 0.5 } });
      try {
        await verifier.verify(${JSON.stringify(token)});
        console.log('accepted');
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, status: error.status }));
      }
    `;
    const result = await runChild(source, () => {}, 15_000);
    // The default logger: the outage, once, on the console.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/gatehouse: keys unavailable from .*\(timed out\)/);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ code: 'KEYS_UNAVAILABLE', status: 503 });
    expect(keys.requests).toHaveLength(1);
  });
});

test('a background refresh hanging on the key server (10-minute timeout) does not keep the process alive', async () => {
  await withServer(await startKeyServer(issuerKeys(issuer)), async (keys) => {
    const token = await issuer.sign({ sub: 'child' });
    const source = `
      import { createInterface } from 'node:readline';
      const { createVerifier } = await import(process.env.CORE);
      let now = Date.now();
      const verifier = createVerifier({
        audience: 'api',
        jwksUri: ${JSON.stringify(`${keys.url}/.well-known/jwks.json`)},
        now: () => now,
        keySet: { maxAge: 60, timeout: 600 },
      });
      console.log('warm', (await verifier.verify(${JSON.stringify(token)})).id);
      now += 61_000;
      // Stale keys: served, and a refresh starts in the background against a server that hangs.
      console.log('stale', (await verifier.verify(${JSON.stringify(token)})).id);
      // Wait until the parent has seen that request arrive, then return with it still pending.
      const lines = createInterface({ input: process.stdin });
      for await (const line of lines) if (line === 'refresh arrived') break;
      lines.close();
      process.stdin.destroy();
      console.log('done', verifier.keyStatus().fetches);
    `;
    let poll: NodeJS.Timeout | undefined;
    const result = await runChild(
      source,
      (line, stdin) => {
        if (line.startsWith('warm')) keys.behave(hang);
        if (line.startsWith('stale')) {
          poll = setInterval(() => {
            if (keys.requests.length < 2) return;
            clearInterval(poll);
            stdin.write('refresh arrived\n');
          }, 10);
        }
      },
      15_000,
    );
    clearInterval(poll);
    expect(result.stderr).toBe('');
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['warm child', 'stale child', 'done 2']);
    expect(keys.requests).toHaveLength(2);
  });
});
