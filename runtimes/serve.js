// Serves the test app with the runtime's own HTTP server (Bun.serve or Deno.serve) on 127.0.0.1,
// a free port, printed as `{"port":N}`. Configuration: GATEHOUSE_TEST_CONFIG (JSON).
import { createTestApp } from './test-app.js';

const runtime = /** @type {any} */ (globalThis);

if (runtime.Bun) {
  const app = createTestApp(JSON.parse(runtime.Bun.env.GATEHOUSE_TEST_CONFIG));
  const server = runtime.Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app });
  console.log(JSON.stringify({ port: server.port }));
} else if (runtime.Deno) {
  const app = createTestApp(JSON.parse(runtime.Deno.env.get('GATEHOUSE_TEST_CONFIG')));
  runtime.Deno.serve(
    {
      hostname: '127.0.0.1',
      port: 0,
      onListen: (/** @type {{ port: number }} */ { port }) => console.log(JSON.stringify({ port })),
    },
    app,
  );
} else {
  throw new Error('serve.js runs on Bun or Deno');
}
