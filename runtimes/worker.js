// The test app as a Worker (workerd, no nodejs_compat). Configuration: the GATEHOUSE_TEST_CONFIG binding.
import { createTestApp } from './test-app.js';

/** @type {((request: Request) => Promise<Response>) | undefined} */
let app;

export default {
  /** @param {Request} request @param {{ GATEHOUSE_TEST_CONFIG: string }} env */
  fetch(request, env) {
    app ??= createTestApp(JSON.parse(env.GATEHOUSE_TEST_CONFIG));
    return app(request);
  },
};
