import { join } from 'node:path';
import { exampleSmokeTest } from '../../../runtimes/app-checks.js';
import { bundleWorker, ROOT, startWorkerd } from '../../../runtimes/harness.js';

// What `npm start` does: bundle as wrangler would (`npm run build`), then `workerd serve config.capnp`.
exampleSmokeTest('Worker (workerd, config.capnp, no nodejs_compat)', async (env) => {
  await bundleWorker('examples/worker/src/worker.ts', join(ROOT, 'examples/worker/dist/worker.bundle.js'));
  return startWorkerd(join(ROOT, 'examples/worker'), 'config.capnp', env);
});
