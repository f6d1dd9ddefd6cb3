/** Latency samplers, each under a seeded random source: exact where the maths is exact, statistical elsewhere. */
import { describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { LatencySpec, type LatencyConfig } from '../config/schema.ts';
import { latencySampler } from './latency.ts';

const N = 20_000;

function draw(spec: unknown, n = N, seed = 7): number[] {
  const sample = latencySampler(LatencySpec.parse(spec) as LatencyConfig, seededRng(seed));
  return Array.from({ length: n }, () => sample());
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stddev = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('latencySampler', () => {
  it('fixed: the same duration every time, with or without a unit', () => {
    expect(new Set(draw('40ms', 100))).toEqual(new Set([40]));
    expect(new Set(draw(1.5, 100))).toEqual(new Set([1.5]));
  });

  it('uniform: exactly min + (max - min) * u for each draw of the random source', () => {
    const u = seededRng(7);
    const expected = Array.from({ length: 50 }, () => 10 + 90 * u());
    expect(draw({ distribution: 'uniform', min: '10ms', max: '100ms' }, 50)).toEqual(expected);
  });

  it('uniform: stays in [min, max] with the mean in the middle', () => {
    const xs = draw({ distribution: 'uniform', min: 10, max: 100 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(100);
    // The mean of N uniform draws has a standard error of 90 / sqrt(12 N) ≈ 0.18 ms: 1 ms is over 5 of them.
    expect(Math.abs(mean(xs) - 55)).toBeLessThan(1);
  });

  it('normal: the configured mean and spread', () => {
    const xs = draw({ distribution: 'normal', mean: '200ms', stddev: '20ms' });
    // Standard error of the mean: 20 / sqrt(20000) ≈ 0.14 ms, so 1 ms is 7 of them; the sample stddev is within 1% at this N, 3% allowed.
    expect(Math.abs(mean(xs) - 200)).toBeLessThan(1);
    expect(Math.abs(stddev(xs) - 20) / 20).toBeLessThan(0.03);
  });

  it('normal: clipped at 0, never negative (the share at 0 is P(Z < -mean/stddev))', () => {
    const xs = draw({ distribution: 'normal', mean: 5, stddev: 10 });
    expect(Math.min(...xs)).toBe(0);
    // P(Z < -0.5) = 0.3085; its standard error at N = 20000 is 0.0033, so 0.015 is over 4 of them.
    expect(Math.abs(xs.filter((x) => x === 0).length / N - 0.3085)).toBeLessThan(0.015);
  });

  it('lognormal: the configured median, and sigma as the spread of the logarithms', () => {
    const xs = draw({ distribution: 'lognormal', median: '60ms', sigma: 0.5 });
    // The sample median of a log-normal at N = 20000 is within about 1% of the true one; 3% allowed.
    expect(Math.abs(median(xs) - 60) / 60).toBeLessThan(0.03);
    expect(Math.abs(stddev(xs.map(Math.log)) - 0.5) / 0.5).toBeLessThan(0.03);
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });

  it('mix: each part is drawn with probability weight / total', () => {
    const xs = draw({
      distribution: 'mix',
      of: [
        { weight: 99, latency: '20ms' },
        { weight: 1, latency: '800ms' },
      ],
    });
    expect(new Set(xs)).toEqual(new Set([20, 800]));
    // A 1% share over N = 20000 draws has a standard error of 0.0007: 0.003 is over 4 of them.
    expect(Math.abs(xs.filter((x) => x === 800).length / N - 0.01)).toBeLessThan(0.003);
  });

  it('mix: weights need not sum to anything in particular, and any part may be a distribution', () => {
    const xs = draw({
      distribution: 'mix',
      of: [
        { weight: 0.5, latency: 1 },
        { weight: 1.5, latency: { distribution: 'uniform', min: 100, max: 200 } },
      ],
    });
    const slow = xs.filter((x) => x >= 100);
    // 75% expected; standard error 0.003 at this N, 0.015 allowed.
    expect(Math.abs(slow.length / N - 0.75)).toBeLessThan(0.015);
    expect(slow.every((x) => x < 200)).toBe(true);
    expect(xs.filter((x) => x < 100).every((x) => x === 1)).toBe(true);
  });

  it('mix: the long tail shows in the percentiles, as it should for a learner', () => {
    const xs = draw({
      distribution: 'mix',
      of: [
        { weight: 99, latency: '20ms' },
        { weight: 1, latency: { distribution: 'lognormal', median: '800ms', sigma: 0.5 } },
      ],
    }).sort((a, b) => a - b);
    expect(xs[Math.floor(N * 0.5)]).toBe(20);
    expect(xs[Math.floor(N * 0.98)]).toBe(20);
    expect(xs[Math.floor(N * 0.999)]).toBeGreaterThan(300);
  });

  it('the same seed repeats the same sequence', () => {
    const spec = {
      distribution: 'mix',
      of: [
        { weight: 3, latency: { distribution: 'normal', mean: 50, stddev: 5 } },
        { weight: 1, latency: 500 },
      ],
    };
    expect(draw(spec, 200, 42)).toEqual(draw(spec, 200, 42));
    expect(draw(spec, 200, 42)).not.toEqual(draw(spec, 200, 43));
  });

  it('never draws past what a timer holds, which would fire at once (normal and log-normal are unbounded)', () => {
    const limit = 2_147_483_647;
    const lognormal = draw({ distribution: 'lognormal', median: limit, sigma: 4 }, 2_000);
    const normal = draw({ distribution: 'normal', mean: limit, stddev: limit }, 2_000);
    expect(Math.max(...lognormal, ...normal)).toBe(limit);
    expect(lognormal.filter((x) => x < limit).length).toBeGreaterThan(500);
  });
});
