/**
 * The whole edge as its clients meet it: the points of the nodes the traffic enters at (each flow's
 * `to`), from the same per-node history the node charts read. With one entry (the usual sandbox) its
 * points are the edge's. With several, each tick's rates and in-flight counts are summed over the
 * entries (counts add up), while latency is the slowest entry's at that tick: percentiles of separate
 * windows do not add, and the slowest is what some client waited for. No number is made here that
 * the engine did not report.
 */
import { CHART_OUTCOMES, type HistoryPoint } from './metric-history.ts';

/** The nodes the traffic enters at: each flow's `to`, once, in the flows' order. */
export function entryNodes(flows: readonly { to: string }[]): string[] {
  return [...new Set(flows.map((flow) => flow.to))];
}

/** One series for the whole edge from the entries' series (each oldest first, ticks of one clock). */
export function edgeSeries(entries: readonly (readonly HistoryPoint[])[]): HistoryPoint[] {
  if (entries.length === 1) return [...entries[0]!];
  const byTick = new Map<number, HistoryPoint>();
  for (const points of entries) {
    for (const point of points) {
      const sum = byTick.get(point.ts);
      if (sum === undefined) {
        byTick.set(point.ts, { ts: point.ts, rates: { ...point.rates }, total: point.total, p50: point.p50, p95: point.p95, p99: point.p99, inFlight: point.inFlight });
        continue;
      }
      for (const outcome of CHART_OUTCOMES) sum.rates[outcome] += point.rates[outcome];
      sum.total += point.total;
      sum.inFlight += point.inFlight;
      if (point.p99 > sum.p99) [sum.p50, sum.p95, sum.p99] = [point.p50, point.p95, point.p99];
    }
  }
  return [...byTick.values()].sort((a, b) => a.ts - b.ts);
}
