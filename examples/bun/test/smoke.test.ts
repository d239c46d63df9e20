import { join } from 'node:path';
import { exampleSmokeTest } from '../../../runtimes/app-checks.js';
import { ROOT, startBun } from '../../../runtimes/harness.js';

// What `npm start` does: `bun run server.ts`, here on a free port.
exampleSmokeTest('Bun server', (env) => startBun('server.ts', { ...env, PORT: '0' }, join(ROOT, 'examples/bun')));
