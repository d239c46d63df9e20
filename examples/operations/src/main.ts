import { verifierFromEnv } from '@gatehousejs/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import { createApp } from './server.js';

// Logs: pino, JSON lines on stdout. Gatehouse logs key-set trouble at warn/error (once per change of
// state) and every decision at debug (LOG_LEVEL=debug).
const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });

// Metrics: any OpenTelemetry meter provider; here one read by the Prometheus exporter on GET /metrics.
// (With the OpenTelemetry Node SDK registered globally, leave `meterProvider` out: Gatehouse uses the
// global one, as long as it is registered before the verifier is created.)
const prometheus = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [prometheus] });

// Keys from the environment: GATEHOUSE_JWKS_URI (+ GATEHOUSE_ISSUER, GATEHOUSE_AUDIENCE), or FRONTEGG_*.
const verifier = verifierFromEnv(process.env, { logger, meterProvider });

const port = Number(process.env.PORT ?? 3000);
createApp(verifier, (req, res) => prometheus.getMetricsRequestHandler(req, res)).listen(port, () =>
  logger.info(`listening on http://localhost:${port} (/trpc, /graphql, /healthz, /readyz, /metrics)`),
);

// Readiness at startup: load the keys now, so a broken key source shows in the logs at once.
verifier.ready().catch(() => logger.warn('not ready yet: /readyz answers 503 until the keys load'));
