/** The latest point of a chart in words, for the sentence under it (a screen reader's view of the chart). */
import { formatMs, formatRate } from '../format.ts';
import type { HistoryPoint } from './metric-history.ts';

export function latestWords(point: HistoryPoint): string {
  const ok = point.total > 0 ? `, ${formatRate(point.rates.ok)} of them 2xx` : '';
  const latency = `p50 ${formatMs(point.p50 || undefined)}, p95 ${formatMs(point.p95 || undefined)}, p99 ${formatMs(point.p99 || undefined)}`;
  return `${formatRate(point.total)} req/s${ok}; ${latency}; ${point.inFlight} in flight`;
}
