// A JWKS endpoint on 127.0.0.1 that the bench can take down and bring back, and whose keys it can rotate.
import { createServer } from 'node:http';

/**
 * Publishes the union of the given test issuers' key sets. `down()`: every request answers 503, as
 * a load balancer with no healthy backend does; `up()` serves again. Every request is counted.
 */
export async function startJwksServer(issuers) {
  const published = [...issuers];
  let available = true;
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    if (!available) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify({ keys: published.flatMap((issuer) => issuer.jwks().keys) }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    get available() {
      return available;
    },
    down() {
      available = false;
    },
    up() {
      available = true;
    },
    publish(issuer) {
      published.push(issuer);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
