import { expect, it } from 'vitest';
import { latestWords } from './latest-words.ts';
import { CHART_OUTCOMES, type ChartOutcome } from './metric-history.ts';

const rates = (ok: number) => ({ ...(Object.fromEntries(CHART_OUTCOMES.map((o) => [o, 0])) as Record<ChartOutcome, number>), ok });

it('says the rate, the 2xx among it, the percentiles and what is in flight; no latency is a dash, not 0 ms', () => {
  expect(latestWords({ ts: 0, rates: rates(10), total: 12, p50: 42, p95: 80, p99: 120, inFlight: 3 })).toBe('12 req/s, 10 of them 2xx; p50 42 ms, p95 80 ms, p99 120 ms; 3 in flight');
  expect(latestWords({ ts: 0, rates: rates(0), total: 0, p50: 0, p95: 0, p99: 0, inFlight: 0 })).toBe('0 req/s; p50 –, p95 –, p99 –; 0 in flight');
});
