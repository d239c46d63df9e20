// Real loggers and a real OpenTelemetry SDK with in-memory readers, for tests of what operators see.
import { Writable } from 'node:stream';
import type { Attributes } from '@opentelemetry/api';
import { type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Logger, pino } from 'pino';

export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** pino writing JSON lines into memory. */
export function pinoCapture(level = 'debug'): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => text };
}

export const PINO = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Lines about one event (`gatehouse.keys.unavailable`, ...). */
export const linesOf = (lines: readonly LogLine[], event: string) => lines.filter((line) => line.event === event);

class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface Point {
  readonly attributes: Attributes;
  readonly value: number | Histogram;
}

/** A meter provider whose metrics the test reads when it wants. */
export function metricsCapture() {
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  async function points(name: string): Promise<Point[]> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    const found: Point[] = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints) {
          found.push({ attributes: point.attributes, value: point.value as number | Histogram });
        }
      }
    }
    return found;
  }
  return {
    meterProvider,
    points,
    /** The sum of a counter over the points whose attributes include `match`. */
    async count(name: string, match: Attributes = {}): Promise<number> {
      let total = 0;
      for (const point of await points(name)) {
        if (Object.entries(match).every(([key, value]) => point.attributes[key] === value)) {
          total += typeof point.value === 'number' ? point.value : point.value.count;
        }
      }
      return total;
    },
    shutdown: () => meterProvider.shutdown(),
  };
}

/** A tracer provider that keeps finished spans in memory. */
export function spansCapture(): { tracerProvider: BasicTracerProvider; spans: () => ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracerProvider, spans: () => exporter.getFinishedSpans() };
}
