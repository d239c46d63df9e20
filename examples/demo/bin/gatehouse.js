#!/usr/bin/env node
// The CLI is TypeScript built to dist/; this launcher exists before any build, so that npm can link the bin.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('gatehouse: the CLI is not built yet: run "npm run build" at the repository root');
  process.exit(1);
}
await import(cli.href);
