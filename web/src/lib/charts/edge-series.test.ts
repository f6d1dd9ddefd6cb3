import { describe, expect, it } from 'vitest';
import { CHART_OUTCOMES, type ChartOutcome, type HistoryPoint } from './metric-history.ts';
import { edgeSeries, entryNodes } from './edge-series.ts';

function point(ts: number, ok: number, fields: Partial<Omit<HistoryPoint, 'rates' | 'total'>> & { throttled?: number } = {}): HistoryPoint {
  const rates = Object.fromEntries(CHART_OUTCOMES.map((o) => [o, 0])) as Record<ChartOutcome, number>;
  rates.ok = ok;
  rates.throttled = fields.throttled ?? 0;
  return { ts, rates, total: ok + rates.throttled, p50: 10, p95: 20, p99: 30, inFlight: 1, ...fields };
}

describe('entryNodes', () => {
  it("names each flow's entry once, in the flows' order", () => {
    expect(entryNodes([{ to: 'edge' }, { to: 'api' }, { to: 'edge' }])).toEqual(['edge', 'api']);
    expect(entryNodes([])).toEqual([]);
  });
});

describe('edgeSeries', () => {
  it("is the entry's own series when there is one entry", () => {
    const points = [point(500, 4), point(1_000, 6)];
    expect(edgeSeries([points])).toEqual(points);
    expect(edgeSeries([])).toEqual([]);
  });

  it("sums rates and in flight tick by tick over several entries, and takes the slowest entry's latency", () => {
    const edge = [point(500, 4, { inFlight: 2 }), point(1_000, 6, { inFlight: 3, p50: 40, p95: 80, p99: 120 })];
    const side = [point(1_000, 1, { throttled: 2, inFlight: 5, p50: 5, p95: 9, p99: 11 }), point(1_500, 2)];
    const merged = edgeSeries([edge, side]);
    expect(merged.map((p) => p.ts)).toEqual([500, 1_000, 1_500]);
    expect(merged[1]).toMatchObject({ total: 9, inFlight: 8, p50: 40, p95: 80, p99: 120 });
    expect(merged[1]!.rates).toMatchObject({ ok: 7, throttled: 2 });
    // The inputs are left as they were.
    expect(edge[1]!.total).toBe(6);
  });
});
