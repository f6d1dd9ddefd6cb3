/**
 * The live counts of one node: requests, in-flight, status classes, error codes, a latency
 * histogram and the rate of the last second. Fed per request, so every update is a few increments
 * and one HDR record; the latency summary is computed only when a snapshot asks and something changed.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import type { NodeKind } from '../config/schema.ts';
import type { EventOf, LatencySummary, NodeMetrics } from '../events.ts';
import { RateWindow } from './rate-window.ts';

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** Durations are recorded in whole microseconds; 3 significant digits keep percentiles within 0.1%. */
const MICROS_PER_MS = 1000;
const ZERO_LATENCY: LatencySummary = { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };

function latencyHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60 * 1_000_000,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Microseconds to milliseconds with two decimals, the precision `NodeMetrics` reports. */
function toMs(micros: number): number {
  return Math.round(micros / 10) / 100;
}

export function statusClassOf(status: number): StatusClass | undefined {
  return STATUS_CLASSES[Math.floor(status / 100) - 1];
}

export class NodeCounters {
  requests = 0;
  inFlight = 0;
  errors = 0;
  readonly statusClasses: Record<StatusClass, number> = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  readonly errorCodes = new Map<string, number>();
  /** Errors that carry no edge error code (an upstream's own 5xx); Prometheus labels them `code="none"`. */
  uncodedErrors = 0;
  readonly #latency = latencyHistogram();
  #latencySummary: LatencySummary | undefined = ZERO_LATENCY;
  readonly #completions = new RateWindow();
  readonly #observeSeconds: (seconds: number) => void;

  /** `observeSeconds` feeds the node's Prometheus duration histogram. */
  constructor(
    readonly kind: NodeKind,
    observeSeconds: (seconds: number) => void,
  ) {
    this.#observeSeconds = observeSeconds;
  }

  received(): void {
    this.inFlight++;
  }

  completed(event: EventOf<'request.completed'>, nowMs: number): void {
    // A request received before its node was dropped and declared again completes without a
    // matching `received` here: never let that drive the gauge below zero.
    if (this.inFlight > 0) this.inFlight--;
    this.requests++;
    const statusClass = statusClassOf(event.status);
    if (statusClass) this.statusClasses[statusClass]++;
    if (event.error) {
      this.errors++;
      this.errorCodes.set(event.error, (this.errorCodes.get(event.error) ?? 0) + 1);
    } else if (event.status >= 500) {
      this.errors++;
      this.uncodedErrors++;
    }
    // A subscriber must never throw on the bus's path, and HDR and prom-client both reject NaN.
    const durationMs = Number.isFinite(event.durationMs) && event.durationMs > 0 ? event.durationMs : 0;
    this.#latency.recordValue(Math.round(durationMs * MICROS_PER_MS));
    this.#latencySummary = undefined;
    this.#completions.record(nowMs);
    this.#observeSeconds(durationMs / 1000);
  }

  snapshot(nowMs: number): NodeMetrics {
    return {
      kind: this.kind,
      requests: this.requests,
      inFlight: this.inFlight,
      errors: this.errors,
      statusClasses: { ...this.statusClasses },
      errorCodes: Object.fromEntries(this.errorCodes),
      latency: { ...(this.#latencySummary ??= this.#summariseLatency()) },
      ratePerSecond: this.#completions.perSecond(nowMs),
    };
  }

  /** Zero every count. In-flight is left alone: it is the live state of requests still running. */
  reset(): void {
    this.requests = 0;
    this.errors = 0;
    this.uncodedErrors = 0;
    for (const statusClass of STATUS_CLASSES) this.statusClasses[statusClass] = 0;
    this.errorCodes.clear();
    this.#latency.reset();
    this.#latencySummary = ZERO_LATENCY;
    this.#completions.reset();
  }

  #summariseLatency(): LatencySummary {
    const histogram = this.#latency;
    return {
      p50: toMs(histogram.getValueAtPercentile(50)),
      p95: toMs(histogram.getValueAtPercentile(95)),
      p99: toMs(histogram.getValueAtPercentile(99)),
      max: toMs(histogram.maxValue),
      mean: toMs(histogram.mean),
    };
  }
}
