#!/usr/bin/env node
import { GatehouseConfigError } from '@gatehousejs/core';
import { startupBanner } from './banner.js';
import { DEFAULT_HOST, startDemo } from './demo.js';

/**
 * `npm run demo`: starts the demo on HOST:PORT (default 127.0.0.1:4000) with keys chosen from the
 * environment. Logs are JSON lines on stdout; the banner is for people and goes to stderr, so stdout
 * stays parseable. `--tokens` (or `SHOW_TOKENS=1`) prints every persona's token instead of one.
 */
async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const host = parseHost(process.env.HOST);
  const full = process.argv.includes('--tokens') || /^(1|true|yes)$/i.test(process.env.SHOW_TOKENS ?? '');
  let demo: Awaited<ReturnType<typeof startDemo>>;
  try {
    demo = await startDemo({ port, host, env: process.env });
  } catch (error) {
    if (error instanceof GatehouseConfigError) {
      console.error(`gatehouse demo: configuration error: ${error.message}`);
      process.exit(1);
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`gatehouse demo: port ${port} is in use; set PORT to another one`);
      process.exit(1);
    }
    throw error;
  }
  process.stderr.write(`${await startupBanner(demo, { full })}\n`);
  const stop = () => {
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parseHost(value: string | undefined): string {
  if (value === undefined) return DEFAULT_HOST;
  if (value.trim() === '') {
    console.error(
      'gatehouse demo: HOST is set but blank; unset it (127.0.0.1) or name an interface, e.g. HOST=0.0.0.0',
    );
    process.exit(1);
  }
  return value.trim();
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`gatehouse demo: PORT must be a port number (0-65535), got "${value}"`);
    process.exit(1);
  }
  return port;
}

await main();
