import { describe, expect, it } from 'vitest';
import { nodeMetrics } from '../../../../lessons/metrics.fixture.ts';
import { MetricHistory, outcomeCounts } from './metric-history.ts';

describe('outcomeCounts', () => {
  it('counts each edge error code under its own class and takes it out of its status class', () => {
    const counts = outcomeCounts(
      nodeMetrics({
        statusClasses: { '2xx': 50, '3xx': 2, '4xx': 12, '5xx': 9 },
        errorCodes: { EDGE_RATE_LIMITED: 5, EDGE_UNAUTHORIZED: 2, EDGE_FORBIDDEN: 1, EDGE_UPSTREAM_REFUSED: 4, EDGE_CLIENT_ABORTED: 1, SERVICE_INJECTED_ERROR: 3 },
      }),
    );
    // 4xx 12 = 5 throttled + 3 denied + 1 aborted (an edge error) + 3 of the upstream's own;
    // 5xx 9 = 4 refused (edge errors) + 5 of the services' own (3 injected among them: no EDGE_ code).
    expect(counts).toEqual({ ok: 50, redirect: 2, 'client-error': 3, denied: 3, throttled: 5, 'server-error': 5, 'edge-error': 5 });
  });
});

describe('MetricHistory', () => {
  const tick = (requests2xx: number, extra: Parameters<typeof nodeMetrics>[0] = {}) =>
    nodeMetrics({ statusClasses: { '2xx': requests2xx }, recent: { latency: { p50: 40, p95: 70, p99: 90 } }, inFlight: 2, ...extra });

  it('turns the engine counters of two ticks into rates per second, with the engine window latency', () => {
    const history = new MetricHistory();
    history.record(1_000, { users: tick(10) });
    expect(history.series('users')).toEqual([]);
    history.record(1_500, { users: tick(14, { statusClasses: { '2xx': 14, '5xx': 1 } }) });
    const [point] = history.series('users');
    expect(point).toMatchObject({ ts: 1_500, total: 10, p50: 40, p99: 90, inFlight: 2 });
    expect(point!.rates).toMatchObject({ ok: 8, 'server-error': 2, throttled: 0 });
  });

  it('takes each rate over the last 5 s of ticks, so a few requests a second do not jitter between ticks', () => {
    const history = new MetricHistory();
    // 2 requests a second, landing on every other tick: tick to tick this would read 4, 0, 4, 0 req/s.
    for (let i = 0; i <= 24; i++) history.record(i * 500, { users: tick(2 * Math.floor(i / 2)) });
    const totals = history.series('users').map((p) => p.total);
    expect(totals.slice(-10).every((total) => total === 2)).toBe(true);
  });

  it("takes a balancer's requests per target over the same window", () => {
    const history = new MetricHistory();
    history.record(0, { lb: nodeMetrics({ kind: 'balancer', statusClasses: { '2xx': 0 } }) });
    const lb = (a: number, b: number) => ({ ...nodeMetrics({ kind: 'balancer', statusClasses: { '2xx': a + b } }), targets: { a, b } });
    history.record(1_000, { lb: lb(3, 1) });
    history.record(2_000, { lb: lb(9, 3) });
    expect(history.series('lb').map((p) => p.targets)).toEqual([
      { a: 3, b: 1 },
      { a: 4.5, b: 1.5 },
    ]);
    // The balancer's counts were reset: its series begins again.
    history.record(2_500, { lb: lb(1, 0) });
    expect(history.series('lb')).toEqual([]);
  });

  it('begins a series again when the counts go back (reset), never drawing a negative rate', () => {
    const history = new MetricHistory();
    history.record(0, { users: tick(100) });
    history.record(500, { users: tick(110) });
    history.record(1_000, { users: tick(3) });
    expect(history.series('users')).toEqual([]);
    history.record(1_500, { users: tick(5) });
    expect(history.series('users').map((p) => p.total)).toEqual([4]);
  });

  it('starts every series again at a counts reset, and marks it', () => {
    const history = new MetricHistory();
    history.record(0, { users: tick(0), edge: tick(0) });
    history.record(500, { users: tick(10), edge: tick(20) });
    const zero = nodeMetrics({ recent: { latency: { p50: 0, p95: 0, p99: 0 } } });
    history.countsReset(600, { users: zero, edge: zero });
    // Each series begins again at the reset, with nothing completed in its window, so the mark is on the chart.
    expect(history.series('users')).toEqual([{ ts: 600, rates: expect.objectContaining({ ok: 0 }), total: 0, p50: 0, p95: 0, p99: 0, inFlight: 0 }]);
    expect(history.series('edge')).toHaveLength(1);
    expect(history.markers()).toEqual([{ ts: 600, kind: 'reset', label: 'counts reset' }]);
    // Counts that grew past the old ones after the reset are rates from the reset on, not from before it.
    history.record(1_600, { users: tick(30) });
    expect(history.series('users').map((p) => p.total)).toEqual([0, 30]);
  });

  it('keeps only the span, drops nodes the engine no longer reports, and forgets old markers', () => {
    const history = new MetricHistory(2_000);
    history.mark({ ts: 100, kind: 'fault', label: 'latency on users' });
    for (let ts = 0; ts <= 5_000; ts += 500) history.record(ts, { users: tick(ts / 100), edge: tick(ts / 50) });
    expect(history.series('users').map((p) => p.ts)).toEqual([3_500, 4_000, 4_500, 5_000]);
    expect(history.markers()).toEqual([]);
    history.mark({ ts: 5_000, kind: 'config', label: 'config applied' });
    history.record(5_500, { edge: tick(110) });
    expect(history.series('users')).toEqual([]);
    expect(history.series('edge').at(-1)?.total).toBe(20);
    expect(history.markers()).toEqual([{ ts: 5_000, kind: 'config', label: 'config applied' }]);
  });
});
