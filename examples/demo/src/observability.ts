import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Env, GatehouseConfigError } from '@gatehousejs/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type Logger, pino } from 'pino';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * The demo's logger: JSON lines on stdout at `LOG_LEVEL` (default `info`). Written synchronously, so a
 * line is out before the process exits or a test reads it.
 */
export function demoLogger(env: Env): Logger {
  const given = env.LOG_LEVEL;
  const level = given === undefined ? 'info' : given.trim().toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new GatehouseConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${given}"`);
  }
  return pino(
    { name: 'gatehouse-demo', level, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: true }),
  );
}

export interface DemoMetrics {
  /** Give it to `createVerifier({ meterProvider })`. */
  readonly meterProvider: MeterProvider;
  /** `GET /metrics`: every instrument of the provider in Prometheus text format. */
  serve(req: IncomingMessage, res: ServerResponse): void;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry metrics, read by the Prometheus exporter on request (no server of its own, no network),
 * under the service name `gatehouse-demo` (`OTEL_SERVICE_NAME` overrides it, as the SDK specifies).
 */
export function demoMetrics(env: Env): DemoMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'gatehouse-demo';
  const meterProvider = new MeterProvider({
    readers: [exporter],
    resource: resourceFromAttributes({ 'service.name': serviceName }),
  });
  return {
    meterProvider,
    serve: (req, res) => exporter.getMetricsRequestHandler(req, res),
    shutdown: () => meterProvider.shutdown(),
  };
}
