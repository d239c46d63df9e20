// What an operator sees: logs (pino, console), OpenTelemetry metrics and spans, readiness, startup warnings.
import { generateKeyPairSync } from 'node:crypto';
import {
  AuthError,
  createVerifier,
  GatehouseConfigError,
  type Logger,
  type Requirement,
  type Verifier,
  withAuthentication,
} from '@gatehousejs/core';
import { createTestIssuer, type TestIssuer } from '@gatehousejs/core/testing';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { expectKeysUnavailable, rejection } from './keys-helpers.js';
import {
  type Behavior,
  type FronteggGateway,
  issuerKeys,
  type KeyServer,
  manualClock,
  startFronteggGateway,
  startKeyServer,
  status,
} from './keys-servers.js';
import { linesOf, metricsCapture, PINO, pinoCapture, spansCapture } from './telemetry-support.js';
import { listenHttp } from './verifier-fixtures.js';

let issuer: TestIssuer;
let stranger: TestIssuer;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  issuer = await createTestIssuer({ port: false, audience: 'api' });
  stranger = await createTestIssuer({ port: false, audience: 'api' });
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await issuer.close();
  await stranger.close();
});

async function keyServer(behavior: Behavior): Promise<KeyServer> {
  const server = await startKeyServer(behavior);
  servers.push(server);
  return server;
}

async function fronteggGateway(apiKey: string): Promise<FronteggGateway> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const gateway = await startFronteggGateway({
    clientId: 'client-1',
    apiKey,
    publicKeyPem: () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  servers.push(gateway);
  return gateway;
}

const JWKS = '/.well-known/jwks.json';

/** A route guarded by `withAuthentication` on a real server; resolves to the status of a call. */
async function guardedRoute(verifier: Verifier, requirement: Requirement) {
  const guard = withAuthentication({ verifier, ...requirement });
  const server = await listenHttp((req, res) => guard(req, res, () => res.end('ok')));
  servers.push(server);
  return async (token?: string) =>
    (await fetch(server.url, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
}

describe('logs: key-set trouble, once per change of state', () => {
  test('a key server that is down is one error with its reason; its return is one warning', async () => {
    const keys = await keyServer(status(500));
    const clock = manualClock();
    const { logger, lines } = pinoCapture('info');
    const verifier = createVerifier({ jwksUri: keys.url + JWKS, audience: 'api', now: clock.now, logger });
    const token = await issuer.sign();
    for (let i = 0; i < 4; i++) {
      expectKeysUnavailable(await rejection(verifier.verify(token)));
      clock.advance(120); // past any backoff: every attempt reaches the server
    }
    expect(keys.requests.length).toBe(4);
    const down = linesOf(lines, 'gatehouse.keys.unavailable');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ level: PINO.error, source: 'jwks', url: keys.url + JWKS, reason: 'answered 500' });
    expect(down[0]?.msg).toContain('answered 500');

    keys.behave(issuerKeys(issuer));
    await verifier.verify(token);
    const back = linesOf(lines, 'gatehouse.keys.recovered');
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ level: PINO.warn, keys: 1, failedFetches: 4 });
    expect(lines.filter((line) => line.level >= PINO.warn)).toHaveLength(2);
  });

  test('keys that load are one info line; a failing refresh while cached keys still work is a warning', async () => {
    const keys = await keyServer(issuerKeys(issuer));
    const clock = manualClock();
    const { logger, lines } = pinoCapture('info');
    const verifier = createVerifier({ jwksUri: keys.url + JWKS, audience: 'api', now: clock.now, logger });
    await verifier.verify(await issuer.sign());
    expect(linesOf(lines, 'gatehouse.keys.loaded')).toMatchObject([{ level: PINO.info, keys: 1 }]);

    keys.behave(status(503));
    clock.advance(601); // past maxAge: the next request refreshes in the background
    await verifier.verify(await issuer.sign());
    await vi.waitFor(() => expect(verifier.keyStatus()?.failures).toBe(1));
    expect(linesOf(lines, 'gatehouse.keys.stale')).toMatchObject([{ level: PINO.warn, reason: 'answered 503' }]);
    expect(linesOf(lines, 'gatehouse.keys.unavailable')).toHaveLength(0);
  });

  test('Frontegg refusing the credentials is an error that names it, and never shows the API key', async () => {
    const gateway = await fronteggGateway('the-right-key');
    const { logger, lines, text } = pinoCapture('debug');
    const metrics = metricsCapture();
    const verifier = createVerifier({
      frontegg: { clientId: 'client-1', apiKey: 'a-wrong-api-key', gatewayUrl: gateway.url },
      logger,
      meterProvider: metrics.meterProvider,
    });
    expectKeysUnavailable(await rejection(verifier.ready()));
    const refused = linesOf(lines, 'gatehouse.keys.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: PINO.error, source: 'frontegg' });
    expect(refused[0]?.msg).toMatch(/refused the credentials/);
    expect(await metrics.count('gatehouse.keys.fetches', { 'gatehouse.result': 'refused' })).toBe(1);
    expect(text()).not.toContain('a-wrong-api-key');
    expect(text()).not.toContain('the-right-key');
  });

  test('a kid still missing after a refetch is one warning until the key set changes', async () => {
    const keys = await keyServer(issuerKeys(issuer));
    const clock = manualClock();
    const { logger, lines } = pinoCapture('info');
    const verifier = createVerifier({ jwksUri: keys.url + JWKS, audience: 'api', now: clock.now, logger });
    await verifier.verify(await issuer.sign());
    for (let i = 0; i < 3; i++) {
      clock.advance(31); // past the refetch cooldown
      await rejection(verifier.verify(await stranger.sign({}, { header: { kid: `unknown-${i}` } })));
    }
    const missing = linesOf(lines, 'gatehouse.keys.kid_missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ level: PINO.warn, kid: 'unknown-0' });

    issuer.rotate();
    clock.advance(31);
    await verifier.verify(await issuer.sign()); // a new kid: the set is fetched again and has changed
    clock.advance(31);
    await rejection(verifier.verify(await stranger.sign({}, { header: { kid: 'unknown-after-rotation' } })));
    expect(linesOf(lines, 'gatehouse.keys.kid_missing')).toHaveLength(2);
  });

  test('a key URL is logged without its query string or fragment', async () => {
    const keys = await keyServer(status(500));
    const { logger, text } = pinoCapture('info');
    const verifier = createVerifier({ jwksUri: `${keys.url}${JWKS}?api_key=s3cr3t#frag`, audience: 'api', logger });
    await rejection(verifier.ready());
    expect(text()).toContain(`"url":"${keys.url}${JWKS}"`);
    expect(text()).not.toContain('s3cr3t');
    expect(text()).not.toContain('frag');
  });
});

describe('logs: decisions at debug', () => {
  test('each rejection and denial is logged at debug with its reason code, never with the token', async () => {
    const { logger, lines, text } = pinoCapture('debug');
    const verifier = createVerifier({ publicKey: issuer.publicKeyPem(), audience: 'api', logger });
    const foreign = await issuer.sign({ aud: 'another-api' });
    expect((await rejection(verifier.verify(foreign))).reason).toBe('AUDIENCE_MISMATCH');
    const admin = await guardedRoute(verifier, { roles: ['admin'] });
    expect(await admin(await issuer.sign({ sub: 'u-1', roles: ['user'] }))).toBe(403);

    const decisions = linesOf(lines, 'gatehouse.decision');
    expect(decisions).toEqual([
      expect.objectContaining({
        level: PINO.debug,
        outcome: 'rejected',
        code: 'UNAUTHENTICATED',
        reason: 'AUDIENCE_MISMATCH',
      }),
      expect.objectContaining({ level: PINO.debug, outcome: 'authenticated', userId: 'u-1', cached: false }),
      expect.objectContaining({ level: PINO.debug, outcome: 'forbidden', reason: 'ROLE_MISSING', userId: 'u-1' }),
    ]);
    expect(decisions[0]?.msg).toContain('AUDIENCE_MISMATCH');
    expect(text()).not.toContain(foreign.split('.')[2]);
    expect(text()).not.toContain(foreign.split('.')[1]);
  });

  test('at info, pino gets no decision lines at all', async () => {
    const { logger, lines } = pinoCapture('info');
    const verifier = createVerifier({ publicKey: issuer.publicKeyPem(), audience: 'api', logger });
    await rejection(verifier.verify(await issuer.sign({ aud: 'another-api' })));
    expect(lines).toEqual([]);
  });

  test('console as the logger gets the message first, then the fields', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const verifier = createVerifier({ publicKey: issuer.publicKeyPem(), audience: 'api', logger: console });
    await rejection(verifier.verify(await issuer.sign({ aud: 'another-api' })));
    expect(debug).toHaveBeenCalledWith(
      'gatehouse: rejected (AUDIENCE_MISMATCH)',
      expect.objectContaining({ event: 'gatehouse.decision', reason: 'AUDIENCE_MISMATCH' }),
    );
  });

  test('by default, warnings and errors go to the console and nothing else does', async () => {
    const spies = (['debug', 'info', 'warn', 'error'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(() => {}),
    );
    const keys = await keyServer(status(500));
    const verifier = createVerifier({ jwksUri: keys.url + JWKS, audience: 'api' });
    await rejection(verifier.verify(await issuer.sign({ aud: 'another-api' })));
    await rejection(verifier.verify(await issuer.sign()));
    const [debug, info, warn, error] = spies;
    expect(debug).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error?.mock.calls[0]?.[0]).toMatch(/keys unavailable from .* \(answered 500\)/);
  });

  test('a logger that throws changes no decision', async () => {
    const broken: Logger = {
      debug: () => {
        throw new Error('sink down');
      },
      info: () => {
        throw new Error('sink down');
      },
      warn: () => {
        throw new Error('sink down');
      },
      error: () => {
        throw new Error('sink down');
      },
    };
    const keys = await keyServer(issuerKeys(issuer));
    const verifier = createVerifier({ jwksUri: keys.url + JWKS, audience: 'api', logger: broken });
    await expect(verifier.verify(await issuer.sign({ sub: 'ok' }))).resolves.toMatchObject({ id: 'ok' });
    expect((await rejection(verifier.verify(await issuer.sign({ aud: 'x' })))).reason).toBe('AUDIENCE_MISMATCH');
  });

  test('a logger without the four methods is a configuration error', () => {
    for (const logger of [{}, { warn() {}, error() {} }, 'console', null]) {
      expect(() =>
        createVerifier({ publicKey: issuer.publicKeyPem(), audience: 'api', logger: logger as unknown as Logger }),
      ).toThrow(GatehouseConfigError);
    }
  });
});

describe('metrics and spans (OpenTelemetry SDK, in-memory)', () => {
  test('decisions are counted by outcome and reason; verifications timed, cached or not', async () => {
    const metrics = metricsCapture();
    const verifier = createVerifier({
      publicKey: issuer.publicKeyPem(),
      audience: 'api',
      meterProvider: metrics.meterProvider,
    });
    const token = await issuer.sign({ roles: ['user'] });
    const [user, admin] = [
      await guardedRoute(verifier, { roles: ['user'] }),
      await guardedRoute(verifier, { roles: ['admin'] }),
    ];
    expect(await user(token)).toBe(200);
    expect(await admin(token)).toBe(403);
    expect(await user()).toBe(401);
    await rejection(verifier.verify(await issuer.sign({ aud: 'another-api' })));

    const decisions = await metrics.points('gatehouse.decisions');
    expect(decisions).toEqual(
      expect.arrayContaining([
        { attributes: { 'gatehouse.outcome': 'authenticated' }, value: 2 },
        { attributes: { 'gatehouse.outcome': 'authorized' }, value: 1 },
        { attributes: { 'gatehouse.outcome': 'forbidden', 'gatehouse.reason': 'ROLE_MISSING' }, value: 1 },
        { attributes: { 'gatehouse.outcome': 'rejected', 'gatehouse.reason': 'NO_CREDENTIALS' }, value: 1 },
        { attributes: { 'gatehouse.outcome': 'rejected', 'gatehouse.reason': 'AUDIENCE_MISMATCH' }, value: 1 },
      ]),
    );
    expect(decisions).toHaveLength(5);
    expect(await metrics.count('gatehouse.verify.duration', { 'gatehouse.cached': true })).toBe(1);
    expect(await metrics.count('gatehouse.verify.duration', { 'gatehouse.cached': false })).toBe(2);
    const [timing] = await metrics.points('gatehouse.verify.duration');
    expect(timing?.value).toMatchObject({ min: expect.any(Number) });
    await metrics.shutdown();
  });

  test('a key-source outage counts as unavailable, with each fetch counted and traced', async () => {
    const keys = await keyServer(status(500));
    const metrics = metricsCapture();
    const { tracerProvider, spans } = spansCapture();
    const clock = manualClock();
    const verifier = createVerifier({
      jwksUri: keys.url + JWKS,
      audience: 'api',
      now: clock.now,
      meterProvider: metrics.meterProvider,
      tracerProvider,
      logger: pinoCapture().logger,
    });
    const token = await issuer.sign();
    await rejection(verifier.verify(token));
    clock.advance(120);
    await rejection(verifier.verify(token));
    keys.behave(issuerKeys(issuer));
    clock.advance(120);
    await verifier.verify(token);

    expect(await metrics.count('gatehouse.decisions', { 'gatehouse.outcome': 'unavailable' })).toBe(2);
    expect(await metrics.points('gatehouse.decisions')).toContainEqual({
      attributes: { 'gatehouse.outcome': 'unavailable', 'gatehouse.reason': 'KEYS_UNAVAILABLE' },
      value: 2,
    });
    expect(await metrics.count('gatehouse.keys.fetches', { 'gatehouse.result': 'failed' })).toBe(2);
    expect(await metrics.count('gatehouse.keys.fetches', { 'gatehouse.result': 'ok' })).toBe(1);
    const fetches = spans().filter((span) => span.name === 'gatehouse.keys.fetch');
    expect(fetches.map((span) => span.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    expect(fetches[0]?.status.message).toBe('answered 500');
    expect(fetches[0]?.attributes).toMatchObject({ 'gatehouse.key_source': 'jwks', 'url.full': keys.url + JWKS });
    await metrics.shutdown();
  });

  test('verifiers sharing a meter provider add up', async () => {
    const metrics = metricsCapture();
    const options = { publicKey: issuer.publicKeyPem(), audience: 'api', meterProvider: metrics.meterProvider };
    const [a, b] = [createVerifier(options), createVerifier(options)];
    await a.verify(await issuer.sign());
    await b.verify(await issuer.sign());
    expect(await metrics.count('gatehouse.decisions', { 'gatehouse.outcome': 'authenticated' })).toBe(2);
    await metrics.shutdown();
  });
});

describe('ready()', () => {
  test('resolves at once for a static key', async () => {
    await expect(
      createVerifier({ publicKey: issuer.publicKeyPem(), audience: 'api' }).ready(),
    ).resolves.toBeUndefined();
  });

  test('loads a remote key set, after which requests need no fetch', async () => {
    const keys = await keyServer(issuerKeys(issuer));
    const verifier = createVerifier({ jwksUri: keys.url + JWKS, audience: 'api', logger: pinoCapture().logger });
    await verifier.ready();
    expect(verifier.keyStatus()).toMatchObject({ usable: true, fetches: 1 });
    await verifier.verify(await issuer.sign());
    await verifier.ready();
    expect(keys.requests).toHaveLength(1);
  });

  test('rejects with KEYS_UNAVAILABLE while keys cannot be loaded, and within the backoff asks nobody', async () => {
    const keys = await keyServer(status(500));
    const clock = manualClock();
    const verifier = createVerifier({
      jwksUri: keys.url + JWKS,
      audience: 'api',
      now: clock.now,
      logger: pinoCapture().logger,
    });
    const error = await rejection(verifier.ready());
    expect(error).toBeInstanceOf(AuthError);
    expectKeysUnavailable(error);
    for (let i = 0; i < 5; i++) expectKeysUnavailable(await rejection(verifier.ready()));
    expect(keys.requests).toHaveLength(1);

    keys.behave(issuerKeys(issuer));
    clock.advance(120);
    await expect(verifier.ready()).resolves.toBeUndefined();
  });
});

describe('startup warnings', () => {
  test('keys over plain http outside development: one warning naming the option', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { logger, lines } = pinoCapture('info');
    createVerifier({ jwksUri: `http://127.0.0.1:9/keys?token=abc`, audience: 'api', logger });
    const warnings = linesOf(lines, 'gatehouse.config.plain_http_keys');
    expect(warnings).toMatchObject([{ level: PINO.warn, option: 'jwksUri', url: 'http://127.0.0.1:9/keys' }]);
    expect(JSON.stringify(lines)).not.toContain('abc');
  });

  test.each(['development', 'test'])('no warning for plain http on loopback when NODE_ENV=%s', (env) => {
    vi.stubEnv('NODE_ENV', env);
    const { logger, lines } = pinoCapture('info');
    createVerifier({ jwksUri: 'http://127.0.0.1:9/keys', audience: 'api', logger });
    expect(lines).toEqual([]);
  });

  test('https key URLs get no warning', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { logger, lines } = pinoCapture('info');
    createVerifier({ jwksUri: 'https://issuer.example/keys', audience: 'api', logger });
    createVerifier({ frontegg: { clientId: 'c', apiKey: 'k' }, logger });
    expect(lines).toEqual([]);
  });
});
