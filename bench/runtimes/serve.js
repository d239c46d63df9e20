// Serves the benchmark app on Bun or Deno (127.0.0.1, a free port printed as {"port":N}).
import { createBenchApp } from './app.js';

const runtime = /** @type {any} */ (globalThis);
const config = JSON.parse(runtime.Bun ? runtime.Bun.env.BENCH_CONFIG : runtime.Deno.env.get('BENCH_CONFIG'));
const app = createBenchApp(config);
if (runtime.Bun) {
  console.log(JSON.stringify({ port: runtime.Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app }).port }));
} else {
  runtime.Deno.serve(
    {
      hostname: '127.0.0.1',
      port: 0,
      onListen: (/** @type {{ port: number }} */ { port }) => console.log(JSON.stringify({ port })),
    },
    app,
  );
}
