/**
 * The last minutes of every node's numbers, for the live charts: one point per `metrics.tick` (about
 * two a second), each the rate of the requests the node completed since the tick before, by outcome,
 * and the latency of its last seconds (`recent`, the engine's own window, never a number made here),
 * and what is in flight. Markers say where a fault began or ended, where a config was applied and where
 * the engine's counts were reset.
 *
 * Rates are differences of the engine's counters over the last 5 seconds (RATE_WINDOW_MS, the window
 * of the engine's `recent` latency, so both panels speak of the same seconds), so the chart adds up to
 * what the engine counted; a tick-to-tick difference would jitter between 0 and twice the rate at a
 * few requests a second. A counter that went down (counts reset, a node removed and declared again)
 * starts the node's series again from that tick, rather than draw a negative rate.
 */
import type { NodeMetrics } from '../../../../engine/src/events.ts';
import { EDGE_ERRORS } from '../../../../engine/src/errors.ts';
import type { OutcomeClass } from '../outcome.ts';

/** The outcomes a chart stacks: every class a completed request can have (pending is not one). */
export type ChartOutcome = Exclude<OutcomeClass, 'pending'>;
export const CHART_OUTCOMES: readonly ChartOutcome[] = ['ok', 'redirect', 'client-error', 'denied', 'throttled', 'server-error', 'edge-error'];

export interface HistoryPoint {
  /** Wall-clock ms of the tick. */
  ts: number;
  /** Requests per second completed in the rate window up to this tick, by outcome, and in all. */
  rates: Record<ChartOutcome, number>;
  total: number;
  /** The engine's latency over its last few seconds (`recent`), ms; 0 when nothing completed in them. */
  p50: number;
  p95: number;
  p99: number;
  inFlight: number;
  /** A balancer's: requests per second each target answered, in the same window (its share per target). */
  targets?: Record<string, number>;
}

export type MarkerKind = 'fault' | 'config' | 'lesson' | 'reset';

export interface HistoryMarker {
  ts: number;
  kind: MarkerKind;
  /** What happened, in words: "latency on users-2", "config applied". */
  label: string;
}

/** Five minutes: the span the charts show. */
export const HISTORY_SPAN_MS = 5 * 60_000;
/** Rates are taken over this much of the latest ticks: the engine's `recent` window. */
export const RATE_WINDOW_MS = 5_000;

interface Sample {
  ts: number;
  counts: Record<ChartOutcome, number>;
  targets: Readonly<Record<string, number>> | undefined;
}

interface NodeSeries {
  points: HistoryPoint[];
  /** The counts of the ticks in the rate window, oldest first (the oldest at or before its start). */
  samples: Sample[];
}

export class MetricHistory {
  readonly #nodes = new Map<string, NodeSeries>();
  #markers: HistoryMarker[] = [];

  constructor(readonly spanMs = HISTORY_SPAN_MS) {}

  /** One tick of the engine's metrics, at wall-clock `ts`. Nodes absent from it are dropped. */
  record(ts: number, nodes: Readonly<Record<string, NodeMetrics>>): void {
    for (const id of this.#nodes.keys()) if (!(id in nodes)) this.#nodes.delete(id);
    for (const [id, metrics] of Object.entries(nodes)) {
      let series = this.#nodes.get(id);
      if (series === undefined) this.#nodes.set(id, (series = { points: [], samples: [] }));
      const counts = outcomeCounts(metrics);
      const { samples } = series;
      const latest = samples.at(-1);
      if (latest !== undefined && ts <= latest.ts) continue;
      const targets = metrics.targets;
      if (latest !== undefined && (CHART_OUTCOMES.some((outcome) => counts[outcome] < latest.counts[outcome]) || wentBack(targets, latest.targets))) {
        // The engine's counts went back (reset, or the node is new under the same id): begin again.
        series.points = [];
        samples.length = 0;
      }
      samples.push({ ts, counts, targets });
      while (samples.length > 2 && samples[1]!.ts <= ts - RATE_WINDOW_MS) samples.shift();
      const base = samples[0]!;
      if (base.ts === ts) continue;
      const seconds = (ts - base.ts) / 1000;
      const rates = {} as Record<ChartOutcome, number>;
      let total = 0;
      for (const outcome of CHART_OUTCOMES) {
        const rate = (counts[outcome] - base.counts[outcome]) / seconds;
        rates[outcome] = rate;
        total += rate;
      }
      const { latency } = metrics.recent;
      const point: HistoryPoint = { ts, rates, total, p50: latency.p50, p95: latency.p95, p99: latency.p99, inFlight: metrics.inFlight };
      if (targets !== undefined) {
        point.targets = {};
        for (const [id, count] of Object.entries(targets)) point.targets[id] = (count - (base.targets?.[id] ?? 0)) / seconds;
      }
      series.points.push(point);
      this.#forget(series.points, ts);
    }
    this.#markers = this.#markers.filter((marker) => marker.ts > ts - this.spanMs);
  }

  mark(marker: HistoryMarker): void {
    this.#markers.push(marker);
  }

  /** A node's points, oldest first, within the span. */
  series(nodeId: string): readonly HistoryPoint[] {
    return this.#nodes.get(nodeId)?.points ?? [];
  }

  markers(): readonly HistoryMarker[] {
    return this.#markers;
  }

  /**
   * The engine set every count back to zero (`metrics.reset`) at wall-clock `ts`, `nodes` its snapshot
   * right after: each node's series begins again there (what was drawn counted from before), with the
   * snapshot's numbers as its first point (nothing completed in its window yet), and a marker says so.
   */
  countsReset(ts: number, nodes: Readonly<Record<string, NodeMetrics>>): void {
    this.#nodes.clear();
    for (const [id, metrics] of Object.entries(nodes)) {
      const rates = Object.fromEntries(CHART_OUTCOMES.map((outcome) => [outcome, 0])) as Record<ChartOutcome, number>;
      const { latency } = metrics.recent;
      const point: HistoryPoint = { ts, rates, total: 0, p50: latency.p50, p95: latency.p95, p99: latency.p99, inFlight: metrics.inFlight };
      this.#nodes.set(id, { points: [point], samples: [{ ts, counts: outcomeCounts(metrics), targets: metrics.targets }] });
    }
    this.mark({ ts, kind: 'reset', label: 'counts reset' });
  }

  clear(): void {
    this.#nodes.clear();
    this.#markers = [];
  }

  #forget(points: HistoryPoint[], now: number): void {
    let old = 0;
    while (old < points.length && points[old]!.ts <= now - this.spanMs) old++;
    if (old > 0) points.splice(0, old);
  }
}

/** Whether a balancer's count for some target is lower than it was (its counts were reset). */
function wentBack(now: Readonly<Record<string, number>> | undefined, before: Readonly<Record<string, number>> | undefined): boolean {
  if (before === undefined) return false;
  return Object.entries(before).some(([id, count]) => (now?.[id] ?? 0) < count);
}

/**
 * A node's completed requests by outcome, from its counters: each edge error code counted under its own
 * class (429 throttled, 401/403 denied, the rest edge errors) and taken out of its status class; what is
 * left of 4xx and 5xx is the upstream's own refusals and failures (outcome.ts classifies a dot alike).
 */
export function outcomeCounts(metrics: NodeMetrics): Record<ChartOutcome, number> {
  const classes = metrics.statusClasses;
  const counts: Record<ChartOutcome, number> = {
    ok: classes['2xx'],
    redirect: classes['3xx'],
    'client-error': classes['4xx'],
    denied: 0,
    throttled: 0,
    'server-error': classes['5xx'],
    'edge-error': 0,
  };
  for (const [code, count] of Object.entries(metrics.errorCodes)) {
    // A service's own codes (SERVICE_*) stay under their status, as outcome.ts classifies their dots.
    const known = code.startsWith('EDGE_') ? EDGE_ERRORS[code as keyof typeof EDGE_ERRORS] : undefined;
    if (known === undefined) continue;
    const outcome: ChartOutcome = code === 'EDGE_RATE_LIMITED' ? 'throttled' : code === 'EDGE_UNAUTHORIZED' || code === 'EDGE_FORBIDDEN' ? 'denied' : 'edge-error';
    counts[outcome] += count;
    if (known.status >= 500) counts['server-error'] -= count;
    else if (known.status >= 400) counts['client-error'] -= count;
  }
  counts['client-error'] = Math.max(0, counts['client-error']);
  counts['server-error'] = Math.max(0, counts['server-error']);
  return counts;
}
