// Starts a server in a real runtime (Bun, Deno, workerd), from the npm registry's binaries in
// node_modules/.bin, on 127.0.0.1 and a free port. The packages are loaded as users get them: through
// their package.json `exports`, resolved by the runtime itself (Bun, Deno) or by esbuild with the
// conditions wrangler uses (workerd, no nodejs_compat).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export type Runtime = 'bun' | 'deno' | 'workerd';
export const RUNTIMES: readonly Runtime[] = ['bun', 'deno', 'workerd'];

export interface RuntimeServer {
  readonly url: string;
  /** The runtime's process (the binary itself: bun, deno, workerd). */
  readonly pid: number;
  /** What the runtime printed so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The script to run (Bun, Deno) or the Worker's entry module to bundle (workerd). */
  readonly entry: string;
  /** Environment variables (Bun, Deno) or text bindings (workerd). */
  readonly env: Readonly<Record<string, string>>;
}

const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
const STARTUP_MS = 45_000;

/** Only what the runtimes need: no inherited secrets, no update checks or telemetry (no network). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'DENO_DIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export async function startRuntime(runtime: Runtime, options: StartOptions): Promise<RuntimeServer> {
  if (runtime === 'workerd') return startTestWorker(options);
  return runtime === 'bun' ? startBun(options.entry, options.env) : startDeno(options.entry, options.env);
}

export function startBun(script: string, env: Readonly<Record<string, string>>, cwd = ROOT): Promise<RuntimeServer> {
  const child = spawn(bin('bun'), ['run', script], { cwd, env: { ...baseEnv(), ...env } });
  return listening(child, child.stdout, () => undefined);
}

export function startDeno(script: string, env: Readonly<Record<string, string>>, cwd = ROOT): Promise<RuntimeServer> {
  const args = ['run', '--allow-net', '--allow-env', '--allow-read', script];
  const child = spawn(bin('deno'), args, { cwd, env: { ...baseEnv(), ...env } });
  return listening(child, child.stdout, () => undefined);
}

/**
 * `workerd serve` with a configuration file, its `http` socket moved to a free loopback port;
 * `env` is the environment its `fromEnvironment` bindings read.
 */
export function startWorkerd(
  dir: string,
  config: string,
  env: Readonly<Record<string, string>> = {},
  cleanup: () => unknown = () => undefined,
): Promise<RuntimeServer> {
  // fd 3: workerd's control channel, where it announces the port it listens on.
  const args = ['serve', config, '--socket-addr', 'http=127.0.0.1:0', '--control-fd=3'];
  const child = spawn(bin('workerd'), args, {
    cwd: dir,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  return listening(child, child.stdio[3] as Readable, cleanup);
}

/** A Worker module bundled as wrangler does it, served by workerd with `env` as text bindings. */
async function startTestWorker(options: StartOptions): Promise<RuntimeServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-workerd-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await bundleWorker(options.entry, join(dir, 'worker.js'));
    await writeFile(join(dir, 'config.capnp'), workerdConfig(options.env));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return startWorkerd(dir, 'config.capnp', {}, cleanup);
}

/** Bundles a Worker with the conditions wrangler uses; fails if anything needs a Node built-in. */
export async function bundleWorker(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  return result.metafile;
}

function workerdConfig(bindings: Readonly<Record<string, string>>): string {
  const text = Object.entries(bindings)
    .map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`)
    .join(', ');
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2026-11-01",
  bindings = [${text}],
);
`;
}

/** Waits for the port on `announce` (stdout: a `{"port":N}` line or a loopback URL; workerd: its control fd). */
function listening(child: ChildProcess, announce: Readable, cleanup: () => unknown): Promise<RuntimeServer> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    await cleanup();
  };
  return new Promise<RuntimeServer>((resolve, reject) => {
    let pending = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void close().then(() => reject(new Error(`${why}\n${output}`)));
    };
    const timer = setTimeout(() => fail('the runtime did not start listening in time'), STARTUP_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`the runtime exited (${code ?? signal}) before listening`);
    child.once('exit', onExit);
    child.once('error', (error) => fail(`the runtime could not be started: ${error.message}`));
    announce.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const match = /"port":\s*(\d+)|127\.0\.0\.1:(\d+)/.exec(pending);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        url: `http://127.0.0.1:${match[1] ?? match[2]}`,
        pid: child.pid as number,
        output: () => output,
        close,
      });
    });
  });
}
