/**
 * The Prometheus view of the per-node metrics, on its own prom-client `Registry` (never the global
 * one, so two engines in one process, or parallel tests, never share series).
 *
 * Request and error counters and the in-flight gauge mirror the `NodeCounters` when scraped: the hot
 * path pays nothing for them and `/metrics` always agrees with `/api/metrics`. Only the duration
 * histogram is fed per request, through a child cached per node so no label object is hashed anew.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { STATUS_CLASSES, type NodeCounters } from './node-counters.ts';

/** Seconds, from 1 ms (a cache hit on loopback) to 30 s (past any sane upstream timeout). */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The `code` label of an error that has no edge error code. */
export const UNCODED_ERROR = 'none';

export interface PrometheusText {
  contentType: string;
  body: string;
}

export class PrometheusExporter {
  readonly #registry = new Registry();
  readonly #duration: Histogram<'node'>;

  /** `nodes` returns the declared nodes' counters at scrape time. */
  constructor(nodes: () => ReadonlyMap<string, NodeCounters>) {
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
    this.#duration = new Histogram({
      name: 'edgelab_request_duration_seconds',
      help: 'Time a node took to complete a request, from receiving it to its response.',
      labelNames: ['node'] as const,
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
  }

  /** Start a node's duration series at zero and return the cached observer its hot path calls. */
  durationObserver(node: string): (seconds: number) => void {
    this.#duration.zero({ node });
    return this.#duration.labels(node).observe;
  }

  forgetNode(node: string): void {
    this.#duration.remove(node);
  }

  /** Zero every duration series while keeping the declared nodes' series present. */
  resetDurations(nodes: Iterable<string>): void {
    this.#duration.reset();
    for (const node of nodes) this.#duration.zero({ node });
  }

  async text(): Promise<PrometheusText> {
    return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
  }
}
