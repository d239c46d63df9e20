// The server under load, in its own process so that the load generator does not share its event loop.
// LOAD_TARGET=demo (default): the example server, `startDemo()` from examples/demo/dist, in JWKS mode.
// LOAD_TARGET=rest: a small server on core's `withAuthentication`, for when the demo is not built.
// The parent asks for samples over IPC: RSS and the key source's state.
import { createServer } from 'node:http';

const target = process.env.LOAD_TARGET ?? 'demo';

async function startDemoTarget() {
  const { startDemo } = await import(new URL('../../examples/demo/dist/demo.js', import.meta.url).href);
  const demo = await startDemo({ port: 0, host: '127.0.0.1', env: process.env });
  return { url: demo.url, verifier: demo.verifier, close: () => demo.close() };
}

async function startRestTarget() {
  const { verifierFromEnv, withAuthentication } = await import('@gatehousejs/core');
  const verifier = verifierFromEnv(process.env);
  const json = (res, body) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const guarded = (requirement, reply) => {
    const guard = withAuthentication({ ...requirement, verifier });
    return (req, res) => guard(req, res, () => json(res, reply(req)));
  };
  const routes = {
    '/api/public': (_req, res) => json(res, { status: 'ok' }),
    '/api/shift': guarded({}, (req) => ({ id: req.user.id })),
    '/api/home': guarded({ roles: ['admin', 'read-only'] }, () => ({ area: 'home' })),
    '/api/reports': guarded({ permissions: ['reports:read', 'reports:admin'] }, () => [{ id: 'r1', title: 'Q1' }]),
    '/healthz': (_req, res) => json(res, { status: 'ok' }),
  };
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? '').split('?')[0]];
    if (route) return route(req, res);
    res.statusCode = 404;
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    verifier,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const app = target === 'rest' ? await startRestTarget() : await startDemoTarget();

process.on('message', (message) => {
  if (message?.type === 'sample') {
    process.send({ type: 'sample', id: message.id, rss: process.memoryUsage.rss(), keys: app.verifier.keyStatus() });
  } else if (message?.type === 'stop') {
    app.close().then(() => process.exit(0));
  }
});
process.send({ type: 'ready', url: app.url, target });
