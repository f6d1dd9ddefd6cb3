/**
 * The live counts of one node: requests, in-flight, status classes, error codes, a latency
 * histogram and the rate of the last second. Fed per request, so every update is a few increments
 * and one HDR record; the latency summary is computed only when a snapshot asks and something changed.
 */
import type { NodeKind } from '../config/schema.ts';
import type { ClientMetrics, ConsumerMetrics, EventOf, KeyMetrics, LatencySummary, NodeMetrics, XCacheWord } from '../events.ts';
import { LatencyHistogram, ZERO_LATENCY } from './latency-histogram.ts';
import { DurationBuckets } from './duration-buckets.ts';
import { RateWindow } from './rate-window.ts';
import { RecentLatency } from './recent-latency.ts';
import { TlsCounters } from './tls-counters.ts';

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

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
  readonly #latency = new LatencyHistogram();
  #latencySummary: LatencySummary | undefined = ZERO_LATENCY;
  readonly #completions = new RateWindow();
  readonly #recent = new RecentLatency();
  /** An l4 balancer's connections (it sees no requests); absent until the node opens its first. */
  #connections: { opened: number; open: number; failed: number } | undefined;
  /** The Prometheus duration histogram's counts, read when `/metrics` is scraped. */
  readonly durations = new DurationBuckets();
  /** Counts per consumer (a gateway's; bounded by the config's consumers, which authentication only ever names). */
  readonly #consumers = new Map<string, ConsumerMetrics>();
  /** A TLS proxy's handshakes; absent until its first. */
  tls: TlsCounters | undefined;
  /** A caching proxy's X-Cache words, counted from `request.completed`; absent until the first. */
  #cache: Record<XCacheWord, number> | undefined;
  /** A gateway's partial aggregate answers; 0 until the first, and then in the snapshot. */
  #partial = 0;
  /** A balancer's completed requests by the target that answered them (`upstream`); bounded by its targets. */
  readonly #byTarget = new Map<string, number>();
  /** The lab's clients' view, when this node is a flow's first entry; absent until the first request settles. */
  #clients: ClientMetrics | undefined;
  /** A balancer's first picks of keys seen before, by outcome; absent until the first. */
  #keys: KeyMetrics | undefined;

  constructor(
    readonly kind: NodeKind,
    readonly mode?: string,
  ) {}

  /** A request arrived; `protocol` when it came over TLS (its connection's, by ALPN). */
  received(protocol?: 'h2' | 'http/1.1'): void {
    this.inFlight++;
    if (protocol !== undefined) (this.tls ??= new TlsCounters()).received(protocol);
  }

  /** A request that began before the counts were reset completed: it leaves the gauge, and counts nothing. */
  left(): void {
    if (this.inFlight > 0) this.inFlight--;
  }

  completed(event: EventOf<'request.completed'>, nowMs: number): void {
    // A request received before its node was dropped and declared again completes without a
    // matching `received` here: never let that drive the gauge below zero.
    this.left();
    this.requests++;
    const statusClass = statusClassOf(event.status);
    if (statusClass) this.statusClasses[statusClass]++;
    if (event.consumer !== undefined) this.#countConsumer(event.consumer, statusClass, event.error);
    if (event.cache !== undefined) {
      this.#cache ??= { HIT: 0, MISS: 0, STALE: 0, REVALIDATED: 0, BYPASS: 0, COLLAPSED: 0 };
      this.#cache[event.cache.xCache]++;
    }
    if (event.partial !== undefined) this.#partial++;
    if (this.kind === 'balancer' && event.upstream !== undefined) this.#byTarget.set(event.upstream, (this.#byTarget.get(event.upstream) ?? 0) + 1);
    if (event.error) {
      this.errors++;
      this.errorCodes.set(event.error, (this.errorCodes.get(event.error) ?? 0) + 1);
    } else if (event.status >= 500) {
      this.errors++;
      this.uncodedErrors++;
    }
    // A subscriber must never throw on the bus's path, and HDR rejects NaN.
    const durationMs = Number.isFinite(event.durationMs) && event.durationMs > 0 ? event.durationMs : 0;
    this.#latency.record(durationMs);
    this.#latencySummary = undefined;
    this.#completions.record(nowMs);
    this.#recent.record(durationMs, nowMs);
    this.durations.observe(durationMs / 1000);
  }

  #countConsumer(name: string, statusClass: StatusClass | undefined, error: string | undefined): void {
    let counts = this.#consumers.get(name);
    if (counts === undefined) {
      counts = { requests: 0, statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errorCodes: {} };
      this.#consumers.set(name, counts);
    }
    counts.requests++;
    if (statusClass) counts.statusClasses[statusClass]++;
    if (error) counts.errorCodes[error] = (counts.errorCodes[error] ?? 0) + 1;
  }

  connectionOpened(): void {
    this.#connections ??= { opened: 0, open: 0, failed: 0 };
    this.#connections.opened++;
    this.#connections.open++;
  }

  connectionClosed(failed: boolean): void {
    if (this.#connections === undefined) return;
    if (this.#connections.open > 0) this.#connections.open--;
    if (failed) this.#connections.failed++;
  }

  /** A request of a flow that enters here first settled (MetricsRegistry.clientSettled). */
  clientSettled(status: number | undefined, failedOver: boolean): void {
    const clients = (this.#clients ??= { requests: 0, '2xx': 0, lost: 0, failedOver: 0 });
    clients.requests++;
    if (status === undefined) clients.lost++;
    else if (status >= 200 && status < 300) clients['2xx']++;
    if (failedOver) clients.failedOver++;
  }

  /** A balancer's first pick of a key it had seen before (the `affinity` of its decision). */
  keyOutcome(outcome: keyof KeyMetrics): void {
    (this.#keys ??= { stayed: 0, moved: 0, rehomed: 0 })[outcome]++;
  }

  /** A balancer's returning keys by outcome; undefined until the first (read by the Prometheus exporter). */
  get keys(): Readonly<KeyMetrics> | undefined {
    return this.#keys;
  }

  tlsConnection(event: EventOf<'tls.connection'>): void {
    (this.tls ??= new TlsCounters()).observe(event);
  }

  /** HTTP/2 streams the node's TLS listener reset before the node saw them. */
  h2StreamsRefused(count: number): void {
    (this.tls ??= new TlsCounters()).streamsRefused(count);
  }

  snapshot(nowMs: number): NodeMetrics {
    const metrics: NodeMetrics = {
      kind: this.kind,
      requests: this.requests,
      inFlight: this.inFlight,
      errors: this.errors,
      statusClasses: { ...this.statusClasses },
      errorCodes: Object.fromEntries(this.errorCodes),
      latency: { ...(this.#latencySummary ??= this.#latency.summary()) },
      recent: this.#recent.window(nowMs),
      ratePerSecond: this.#completions.perSecond(nowMs),
    };
    if (this.#connections) metrics.connections = { ...this.#connections };
    if (this.tls) metrics.tls = this.tls.snapshot();
    if (this.#cache) metrics.cache = { ...this.#cache };
    if (this.#partial > 0) metrics.partial = this.#partial;
    if (this.#byTarget.size > 0) metrics.targets = Object.fromEntries(this.#byTarget);
    if (this.#clients) metrics.clients = { ...this.#clients };
    if (this.#keys) metrics.keys = { ...this.#keys };
    if (this.#consumers.size > 0) {
      metrics.consumers = Object.fromEntries(
        [...this.#consumers].map(([name, c]) => [name, { requests: c.requests, statusClasses: { ...c.statusClasses }, errorCodes: { ...c.errorCodes } }]),
      );
    }
    return metrics;
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
    this.#recent.reset();
    this.durations.reset();
    this.#consumers.clear();
    this.tls?.reset();
    this.#cache = undefined;
    this.#partial = 0;
    this.#byTarget.clear();
    this.#clients = undefined;
    this.#keys = undefined;
    if (this.#connections) this.#connections = { opened: 0, open: this.#connections.open, failed: 0 };
  }
}
