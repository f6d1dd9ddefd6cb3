import fc from 'fast-check';
import { build } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.ts';

const ms = (micros: number) => Math.round(micros / 10) / 100;

describe('LatencyHistogram', () => {
  it('gives the same percentiles as HDR getValueAtPercentile, from one walk', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), { minLength: 1, maxLength: 400 }), (durations) => {
        const ours = new LatencyHistogram();
        const reference = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
        for (const d of durations) {
          ours.record(d);
          reference.recordValue(Math.round(d * 1000));
        }
        const summary = ours.summary();
        expect(summary.p50).toBe(ms(reference.getValueAtPercentile(50)));
        expect(summary.p95).toBe(ms(reference.getValueAtPercentile(95)));
        expect(summary.p99).toBe(ms(reference.getValueAtPercentile(99)));
        expect(summary.max).toBe(ms(reference.maxValue));
      }),
    );
  });

  it('reports the exact mean, zeros when empty, and forgets everything on reset', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary()).toEqual({ p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
    for (const d of [1, 2, 3, 10]) histogram.record(d);
    expect(histogram.summary().mean).toBe(4);
    expect(histogram.count).toBe(4);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.summary().p99).toBe(0);
  });

  it('counts NaN, negative and infinite durations as 0 instead of throwing', () => {
    const histogram = new LatencyHistogram();
    for (const d of [Number.NaN, -5, Number.POSITIVE_INFINITY]) histogram.record(d);
    expect(histogram.count).toBe(3);
    expect(histogram.summary().max).toBe(0);
  });

  it('grows past its highest value instead of refusing one', () => {
    const histogram = new LatencyHistogram(10);
    histogram.record(5_000);
    expect(histogram.summary().max).toBeCloseTo(5_000, -1);
  });
});
