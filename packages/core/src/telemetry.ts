import {
  type Attributes,
  createNoopMeter,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** The `gatehouse.outcome` of a decision. */
export type DecisionOutcome = 'authenticated' | 'authorized' | 'rejected' | 'forbidden' | 'unavailable';

/** The `gatehouse.result` of a key-set fetch. */
export type KeyFetchResult = 'ok' | 'failed' | 'refused';

const SCOPE = '@gatehousejs/core';
/** Cache hits take a microsecond, cold RSA checks tens, key fetches up to the timeout: seconds, finely. */
const DURATION_BUCKETS = [
  0.000_001, 0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05,
  0.1, 0.5, 1, 5,
];

/** One attribute set of `gatehouse.decisions` and how many decisions it has counted. */
interface DecisionSlot {
  readonly attributes: Attributes;
  count: number;
}

/**
 * The instruments of one meter provider, made once and shared by every verifier that reports to it.
 * Decisions are counted in plain numbers and read by an asynchronous counter when the provider
 * collects: the per-request cost is one increment, whatever the SDK does with attributes.
 */
export interface Telemetry {
  /** Whether a meter provider (not the no-op one) receives the metrics. */
  readonly active: boolean;
  /** Counts a decision; `reason` on failures. */
  decision(outcome: DecisionOutcome, reason?: string): void;
  /** Records how long a verification took; undefined when no meter provider is registered (no clock reads then). */
  readonly verified: ((seconds: number, cached: boolean) => void) | undefined;
  /** Counts a key-set fetch. */
  keyFetch(result: KeyFetchResult): void;
  readonly tracer: Tracer;
}

const byProvider = new WeakMap<MeterProvider, Omit<Telemetry, 'tracer'>>();

/**
 * The telemetry of a verifier: the given providers, or the global ones registered at this moment
 * (register your OpenTelemetry SDK before creating verifiers). Tracing goes through the global
 * proxy, so a tracer provider registered later is picked up.
 */
export function telemetryFor(meterProvider?: MeterProvider, tracerProvider?: TracerProvider): Telemetry {
  const meters = meterProvider ?? metrics.getMeterProvider();
  let shared = byProvider.get(meters);
  if (!shared) {
    shared = createInstruments(meters);
    byProvider.set(meters, shared);
  }
  return { ...shared, tracer: (tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE) };
}

function createInstruments(provider: MeterProvider): Omit<Telemetry, 'tracer'> {
  const meter = provider.getMeter(SCOPE);
  const slots = new Map<string, DecisionSlot>();
  const slot = (outcome: DecisionOutcome, reason: string | undefined): DecisionSlot => {
    const key = reason === undefined ? outcome : `${outcome} ${reason}`;
    let found = slots.get(key);
    if (!found) {
      const attributes: Attributes = { 'gatehouse.outcome': outcome };
      if (reason !== undefined) attributes['gatehouse.reason'] = reason;
      found = { attributes: Object.freeze(attributes), count: 0 };
      slots.set(key, found);
    }
    return found;
  };
  const authenticated = slot('authenticated', undefined);
  const authorized = slot('authorized', undefined);

  meter
    .createObservableCounter('gatehouse.decisions', {
      description: 'Authentication and authorization decisions',
      unit: '{decision}',
    })
    .addCallback((result) => {
      for (const { attributes, count } of slots.values()) if (count > 0) result.observe(count, attributes);
    });

  const histogram = meter.createHistogram('gatehouse.verify.duration', {
    description: 'Time to verify a token, from the string to the user',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const CACHED: Attributes = Object.freeze({ 'gatehouse.cached': true });
  const UNCACHED: Attributes = Object.freeze({ 'gatehouse.cached': false });

  const fetches = meter.createCounter('gatehouse.keys.fetches', {
    description: 'Fetches of the remote key set, by result',
    unit: '{fetch}',
  });
  const FETCH: Record<KeyFetchResult, Attributes> = {
    ok: Object.freeze({ 'gatehouse.result': 'ok' }),
    failed: Object.freeze({ 'gatehouse.result': 'failed' }),
    refused: Object.freeze({ 'gatehouse.result': 'refused' }),
  };

  const active = !isNoop(histogram);
  return {
    active,
    decision(outcome, reason) {
      if (outcome === 'authenticated') authenticated.count++;
      else if (outcome === 'authorized') authorized.count++;
      else slot(outcome, reason).count++;
    },
    verified: active ? (seconds, cached) => histogram.record(seconds, cached ? CACHED : UNCACHED) : undefined,
    keyFetch: (result) => fetches.add(1, FETCH[result]),
  };
}

const NOOP_HISTOGRAM = createNoopMeter().createHistogram('noop');
const isNoop = (histogram: Histogram) => histogram.constructor === NOOP_HISTOGRAM.constructor;

/** Ends a span with the outcome of what it traced; `reason` marks it failed. */
export function endSpan(span: Span, reason?: string): void {
  if (reason !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  span.end();
}
