/** Open-loop schedules as pure functions: exact send times and counts per window for each shape. */
import { describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { ArrivalSchedule, burstsCurve, constantCurve, expectedCount, rampCurve, rateAt, spikeCurve, type RateCurve } from './schedule.ts';

/** Every send time before `untilMs`. */
function times(curve: RateCurve, untilMs: number, arrivals: 'even' | 'poisson' = 'even', rng = seededRng(1)): number[] {
  const schedule = new ArrivalSchedule(curve, arrivals, rng);
  const out: number[] = [];
  for (let t = schedule.next(); t < untilMs; t = schedule.next()) out.push(t);
  return out;
}

/** How many of `sends` fall in each window of `windowMs`, from 0 to `untilMs`. */
function perWindow(sends: number[], windowMs: number, untilMs: number): number[] {
  const counts = new Array<number>(Math.ceil(untilMs / windowMs)).fill(0);
  for (const t of sends) counts[Math.floor(t / windowMs)]++;
  return counts;
}

describe('ArrivalSchedule, even arrivals', () => {
  it('constant: one send at the start, then one every 1/rate', () => {
    expect(times(constantCurve(4), 1_000)).toEqual([0, 250, 500, 750]);
    expect(times(constantCurve(200), 2_000)).toHaveLength(400);
  });

  it('ramp: sends exactly the integral of the rate, second by second', () => {
    // 0 -> 100 req/s over 10 s: N(t) = 5 t², so 5, 15, 25, ... 95 sends in successive seconds, 500 in all.
    const sends = times(rampCurve(0, 100, 10_000), 10_000);
    expect(sends).toHaveLength(500);
    expect(perWindow(sends, 1_000, 10_000)).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85, 95]);
    // After the ramp it holds its end rate.
    expect(perWindow(times(rampCurve(0, 100, 10_000), 12_000), 1_000, 12_000).slice(10)).toEqual([100, 100]);
  });

  it('ramp down: 100 -> 20 req/s over 4 s sends (100 + 20) / 2 × 4 = 240', () => {
    const sends = times(rampCurve(100, 20, 4_000), 4_000);
    expect(sends).toHaveLength(240);
    expect(perWindow(sends, 1_000, 4_000)).toEqual([90, 70, 50, 30]);
  });

  it('spike: the base rate, the peak exactly during its window, then the base again', () => {
    const sends = times(spikeCurve(10, 100, 2_000, 1_000), 5_000);
    expect(perWindow(sends, 1_000, 5_000)).toEqual([10, 10, 100, 10, 10]);
    // The first send of the spike is at its start, not a base-rate gap later.
    expect(sends.filter((t) => t >= 2_000)[0]).toBe(2_000);
  });

  it('bursts: `rate` during each on window, nothing during off, switching on the boundaries', () => {
    const sends = times(burstsCurve(50, 1_000, 1_000), 6_000);
    expect(perWindow(sends, 500, 6_000)).toEqual([25, 25, 0, 0, 25, 25, 0, 0, 25, 25, 0, 0]);
    expect(sends.filter((t) => t >= 1_000)[0]).toBe(2_000);
    expect(perWindow(times(burstsCurve(40, 500, 1_500, 4), 4_000), 500, 4_000)).toEqual([20, 2, 2, 2, 20, 2, 2, 2]);
  });

  it('a curve that ends at rate 0 sends nothing more (Infinity)', () => {
    const schedule = new ArrivalSchedule(rampCurve(10, 0, 1_000), 'even', seededRng(1));
    const sends = [];
    for (let t = schedule.next(); t !== Infinity; t = schedule.next()) sends.push(t);
    expect(sends).toHaveLength(5);
  });
});

describe('ArrivalSchedule, Poisson arrivals', () => {
  it('constant rate: gaps have the exponential mean and variance', () => {
    // 100 req/s: mean gap 10 ms, variance 100 ms². Over 20,000 gaps the sample mean has a standard error
    // of 10/√20000 ≈ 0.07 ms and the variance about 1.4 ms² (√(8/n)·σ² for an exponential): 5% is over 7σ and over 3σ.
    const sends = times(constantCurve(100), 200_000, 'poisson', seededRng(7));
    const gaps = sends.slice(1).map((t, i) => t - sends[i]);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const variance = gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1);
    expect(gaps.length).toBeGreaterThan(19_000);
    expect(mean).toBeGreaterThan(9.5);
    expect(mean).toBeLessThan(10.5);
    expect(variance).toBeGreaterThan(95);
    expect(variance).toBeLessThan(105);
  });

  it('is repeatable with the same seed', () => {
    expect(times(constantCurve(50), 1_000, 'poisson', seededRng(3))).toEqual(times(constantCurve(50), 1_000, 'poisson', seededRng(3)));
  });

  it('on a ramp: counts per window follow the integral (time rescaling), within 4 standard deviations', () => {
    // 0 -> 200 req/s over 10 s: a Poisson count with mean m has standard deviation √m.
    const sends = times(rampCurve(0, 200, 10_000), 10_000, 'poisson', seededRng(11));
    const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(
      (s) => expectedCount(rampCurve(0, 200, 10_000), (s + 1) * 1_000) - expectedCount(rampCurve(0, 200, 10_000), s * 1_000),
    );
    perWindow(sends, 1_000, 10_000).forEach((count, i) =>
      expect(Math.abs(count - expected[i])).toBeLessThan(4 * Math.sqrt(expected[i]) + 1),
    );
    expect(Math.abs(sends.length - 1_000)).toBeLessThan(4 * Math.sqrt(1_000));
  });
});

describe('rateAt and expectedCount', () => {
  it.each([
    ['ramp start', rampCurve(0, 100, 10_000), 0, 0],
    ['ramp middle', rampCurve(0, 100, 10_000), 5_000, 50],
    ['ramp after', rampCurve(0, 100, 10_000), 20_000, 100],
    ['spike base', spikeCurve(10, 100, 2_000, 1_000), 1_999, 10],
    ['spike peak', spikeCurve(10, 100, 2_000, 1_000), 2_000, 100],
    ['spike after', spikeCurve(10, 100, 2_000, 1_000), 3_000, 10],
    ['bursts off', burstsCurve(50, 1_000, 1_000), 1_500, 0],
    ['bursts on again', burstsCurve(50, 1_000, 1_000), 2_000, 50],
  ])('%s', (_name, curve, t, rate) => {
    expect(rateAt(curve, t)).toBeCloseTo(rate, 9);
  });

  it('integrates each shape', () => {
    expect(expectedCount(rampCurve(0, 100, 10_000), 10_000)).toBeCloseTo(500, 9);
    expect(expectedCount(spikeCurve(10, 100, 2_000, 1_000), 5_000)).toBeCloseTo(140, 9);
    expect(expectedCount(burstsCurve(50, 1_000, 1_000), 5_000)).toBeCloseTo(150, 9);
    expect(expectedCount(constantCurve(7), 3_000)).toBeCloseTo(21, 9);
  });
});
