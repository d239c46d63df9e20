// The built demo run as a process, as a user runs it: its JSON log lines, its banner, its address.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const DEMO_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(DEMO_DIR, 'dist/main.js');
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
const BUILD_LOCK = join(DEMO_DIR, 'dist/.build-lock');

/** The environment without any key configuration of the machine running the tests. */
export const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(GATEHOUSE_|FRONTEGG_|PORT$|HOST$|LOG_LEVEL$|SHOW_TOKENS$|NODE_ENV$)/.test(name),
  ),
);

/**
 * Builds the demo (and the packages it uses). Test files run in parallel: one build at a time, the
 * others wait for it and then find nothing to do.
 */
export async function buildDemo(): Promise<void> {
  mkdirSync(dirname(BUILD_LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() - lockTime() > 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    const build = spawnSync(process.execPath, [TSC, '-b', join(DEMO_DIR, 'tsconfig.json')], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

function lockTime(): number {
  try {
    return statSync(BUILD_LOCK).mtimeMs;
  } catch {
    return Date.now();
  }
}

export type LogLine = Record<string, unknown> & { level: number; msg: string; event?: string };

export interface DemoProcess {
  readonly url: string;
  /** Every JSON line written to stdout so far. */
  readonly logs: LogLine[];
  /** stdout as written (to check it holds nothing but JSON lines, and no secrets). */
  stdout(): string;
  /** The banner and anything else written to stderr. */
  stderr(): string;
  /** Waits for a log line that matches. */
  waitForLog(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  stop(): Promise<void>;
}

/** Starts `node dist/main.js` on a free port with `env` added to a clean environment. */
export async function startDemoProcess(env: Record<string, string>, args: string[] = []): Promise<DemoProcess> {
  const child: ChildProcess = spawn(process.execPath, [MAIN, ...args], {
    env: { ...CLEAN_ENV, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) if (line.trim()) logs.push(parseLine(line));
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const wake of waiters) wake();
  });

  const until = <T>(found: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (child.exitCode !== null) {
          done();
          reject(new Error(`the demo exited with ${child.exitCode} before ${what}:\n${out}${err}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms:\n${out}${err}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', check);
      };
      waiters.add(check);
      child.on('exit', check);
      check();
    });

  const url = await until(() => /Gatehouse demo on (http:\/\/localhost:\d+)/.exec(err)?.[1], 'banner');
  return {
    url,
    logs,
    stdout: () => out,
    stderr: () => err,
    waitForLog: (match, what) => until(() => logs.find(match), what),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Reads one metric's samples from a Prometheus text exposition: labels (as written) → value. */
export async function scrape(url: string, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) samples.set(match[2] ?? '', Number(match[3]));
  }
  return samples;
}

/** The sum of the samples whose labels include every `label="value"` given. */
export function total(samples: Map<string, number>, labels: Record<string, string>): number {
  let sum = 0;
  for (const [written, value] of samples) {
    if (Object.entries(labels).every(([k, v]) => written.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}

/** A stdout line; one that is not JSON is kept as `{ level: -1, msg, notJson: true }` for the test to see. */
function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { level: -1, msg: line, notJson: true };
  }
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
