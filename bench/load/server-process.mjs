// Runs ./server.mjs in a child process and samples its memory and key-source state over IPC.
import { fork } from 'node:child_process';

export async function startServerProcess(env) {
  const child = fork(new URL('./server.mjs', import.meta.url), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 0;
  let exit;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const ready = new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message?.type === 'ready') resolve(message);
      if (message?.type === 'sample') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
    exited.then(({ code }) => reject(new Error(`the server process exited (${code}) before it was ready`)));
  });
  const { url, target } = await ready;

  /** RSS and key-source status, taken by the server process itself. */
  function sample() {
    if (exit) return Promise.resolve(undefined);
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child.send({ type: 'sample', id });
    });
  }

  return {
    url,
    target,
    pid: child.pid,
    sample,
    get exit() {
      return exit;
    },
    async stop() {
      if (exit) return exit;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Samples every `intervalMs` while running; `between(from, to)` gives the samples of a time window. */
export function startSampler(server, progress, intervalMs = 250) {
  const samples = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const sample = await server.sample();
    busy = false;
    if (sample) samples.push({ at: Date.now(), rss: sample.rss, keys: sample.keys, progress: progress() });
  }, intervalMs);
  timer.unref();
  return {
    between: (from, to) => samples.filter((s) => s.at >= from && s.at <= to),
    stop: () => clearInterval(timer),
  };
}
