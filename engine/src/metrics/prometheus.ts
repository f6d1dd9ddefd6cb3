/**
 * The Prometheus view of the per-node metrics, on its own prom-client `Registry` (never the global
 * one, so two engines in one process, or parallel tests, never share series).
 *
 * Every series mirrors the `NodeCounters` when scraped: the hot path pays nothing for Prometheus and
 * `/metrics` always agrees with `/api/metrics`. The duration histogram's counts are kept by
 * `DurationBuckets` and handed to the registry as a histogram metric of our own.
 */
import { Counter, Gauge, Registry, type Metric, type MetricValueWithName } from 'prom-client';
import { DURATION_BUCKETS_SECONDS } from './duration-buckets.ts';
import type { KeyMetrics } from '../events.ts';
import { STATUS_CLASSES, type NodeCounters } from './node-counters.ts';

/** The `code` label of an error that has no edge error code. */
export const UNCODED_ERROR = 'none';

/** What the exporter reads at scrape time. */
export interface PrometheusSource {
  /** The declared nodes' counters. */
  nodes(): ReadonlyMap<string, NodeCounters>;
  /** How many active faults touch each node; a node none touches may be absent. */
  activeFaults(): ReadonlyMap<string, number>;
}

/** The `outcome` label of `edgelab_balancer_keys_total`: a returning key's first pick (a new key counts nothing). */
const KEY_OUTCOMES = ['stayed', 'moved', 'rehomed'] as const satisfies ReadonlyArray<keyof KeyMetrics>;

export interface PrometheusText {
  contentType: string;
  body: string;
}

export class PrometheusExporter {
  readonly #registry = new Registry();

  constructor(source: PrometheusSource) {
    const nodes = () => source.nodes();
    const registers = [this.#registry];
    new Counter({
      name: 'edgelab_requests_total',
      help: 'Requests completed by a node, by status class.',
      labelNames: ['node', 'status_class'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, counters] of nodes()) {
          for (const statusClass of STATUS_CLASSES) {
            this.inc({ node, status_class: statusClass }, counters.statusClasses[statusClass]);
          }
        }
      },
    });
    new Counter({
      name: 'edgelab_errors_total',
      help: `Requests a node completed with an error, by edge error code ("${UNCODED_ERROR}" for a 5xx without one).`,
      labelNames: ['node', 'code'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, counters] of nodes()) {
          for (const [code, count] of counters.errorCodes) this.inc({ node, code }, count);
          if (counters.uncodedErrors > 0) this.inc({ node, code: UNCODED_ERROR }, counters.uncodedErrors);
        }
      },
    });
    new Gauge({
      name: 'edgelab_in_flight',
      help: 'Requests a node has received and not yet completed.',
      labelNames: ['node'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, counters] of nodes()) this.set({ node }, counters.inFlight);
      },
    });
    new Counter({
      name: 'edgelab_tls_handshakes_total',
      help: 'TLS handshakes at a TLS proxy: established, by the protocol ALPN chose, or failed.',
      labelNames: ['node', 'outcome', 'protocol'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, { tls }] of nodes()) {
          if (tls === undefined) continue;
          for (const protocol of ['h2', 'http/1.1'] as const) this.inc({ node, outcome: 'established', protocol }, tls.protocols[protocol]);
          this.inc({ node, outcome: 'failed', protocol: 'none' }, tls.failed);
        }
      },
    });
    new Counter({
      name: 'edgelab_tls_requests_total',
      help: 'Requests a TLS proxy received over TLS, by the protocol of their connection.',
      labelNames: ['node', 'protocol'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, { tls }] of nodes()) {
          if (tls === undefined) continue;
          for (const protocol of ['h2', 'http/1.1'] as const) this.inc({ node, protocol }, tls.requests[protocol]);
        }
      },
    });
    new Counter({
      name: 'edgelab_tls_refused_streams_total',
      help: 'HTTP/2 streams a TLS proxy reset before the node saw them: past the streams a connection may have open at once, or a malformed head.',
      labelNames: ['node'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, { tls }] of nodes()) {
          if (tls !== undefined) this.inc({ node }, tls.refusedStreams);
        }
      },
    });
    new Counter({
      name: 'edgelab_balancer_keys_total',
      help: 'First picks of keys a balancer had seen before, by outcome: stayed on the last target, moved off one that could still take it, rehomed off one that could not.',
      labelNames: ['node', 'outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const [node, counters] of nodes()) {
          if (counters.kind !== 'balancer') continue;
          for (const outcome of KEY_OUTCOMES) this.inc({ node, outcome }, counters.keys?.[outcome] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'edgelab_active_faults',
      help: 'Faults active now on a node or on an edge into it.',
      labelNames: ['node'] as const,
      registers,
      collect() {
        this.reset();
        const faults = source.activeFaults();
        for (const node of nodes().keys()) this.set({ node }, faults.get(node) ?? 0);
      },
    });
    this.#registry.registerMetric(durationHistogram(nodes));
  }

  async text(): Promise<PrometheusText> {
    return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
  }
}

const DURATION = 'edgelab_request_duration_seconds';

/**
 * The duration histogram as a registry metric: what `get()` returns is the shape prom-client's own
 * Histogram returns (`_bucket` per `le`, `_sum`, `_count`), so the text is the same as before.
 */
function durationHistogram(nodes: () => ReadonlyMap<string, NodeCounters>): Metric {
  const metric = {
    name: DURATION,
    help: 'Time a node took to complete a request, from receiving it to its response.',
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: MetricValueWithName<string>[] = [];
      for (const [node, counters] of nodes()) {
        const cumulative = counters.durations.cumulative();
        DURATION_BUCKETS_SECONDS.forEach((le, i) =>
          values.push({ metricName: `${DURATION}_bucket`, labels: { le, node }, value: cumulative[i]! }),
        );
        values.push({ metricName: `${DURATION}_bucket`, labels: { le: '+Inf', node }, value: cumulative.at(-1)! });
        values.push({ metricName: `${DURATION}_sum`, labels: { node }, value: counters.durations.sum });
        values.push({ metricName: `${DURATION}_count`, labels: { node }, value: counters.durations.count });
      }
      return { name: DURATION, help: metric.help, type: metric.type, aggregator: metric.aggregator, values };
    },
  };
  // registerMetric is typed for prom-client's own classes; the registry only reads name and get().
  return metric as unknown as Metric;
}
