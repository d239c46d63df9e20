import { join } from 'node:path';
import { exampleSmokeTest } from '../../../runtimes/app-checks.js';
import { ROOT, startDeno } from '../../../runtimes/harness.js';

// What `npm start` does: `deno run --allow-net --allow-env --allow-read server.ts`, here on a free port.
exampleSmokeTest('Deno server', (env) => startDeno('server.ts', { ...env, PORT: '0' }, join(ROOT, 'examples/deno')));
