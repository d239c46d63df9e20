// The benchmark app as a Worker (workerd, no nodejs_compat); configuration in the BENCH_CONFIG binding.
import { createBenchApp } from './app.js';

/** @type {((request: Request) => Promise<Response>) | undefined} */
let app;

export default {
  /** @param {Request} request @param {{ BENCH_CONFIG: string }} env */
  fetch(request, env) {
    app ??= createBenchApp(JSON.parse(env.BENCH_CONFIG));
    return app(request);
  },
};
