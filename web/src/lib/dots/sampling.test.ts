import { describe, expect, it } from 'vitest';
import type { TrafficState } from '../api-types.ts';
import { hashUnit } from './id-hash.ts';
import { FOLLOWABLE_RATE, inSample, requestRate, sampleEvery } from './sampling.ts';

const ids = Array.from({ length: 6000 }, (_, i) => `req-${i.toString(36)}-${(i * 7919).toString(16)}`);

describe('thinning the dots', () => {
  it.each([
    [0, 1],
    [12, 1],
    [FOLLOWABLE_RATE, 1],
    [FOLLOWABLE_RATE + 0.1, 2],
    [60, 3],
    [100, 4],
    [1000, 40],
    [Number.NaN, 1],
  ])('at %s req/s draws 1 request in %s', (rate, every) => {
    expect(sampleEvery(rate)).toBe(every);
  });

  it('keeps everything when every request is to be drawn', () => {
    expect(ids.every((id) => inSample(id, 1))).toBe(true);
  });

  it('chooses by request id: the same answer every time, and about 1 in N of many ids', () => {
    for (const every of [2, 3, 4, 10]) {
      const chosen = ids.filter((id) => inSample(id, every));
      expect(ids.filter((id) => inSample(id, every))).toEqual(chosen);
      // 6000 ids: a fair 1-in-N share is within a few standard deviations of 6000/N; ±20% is far wider
      // than chance at these counts, and far narrower than a broken hash (0, or all).
      expect(chosen.length).toBeGreaterThan((6000 / every) * 0.8);
      expect(chosen.length).toBeLessThan((6000 / every) * 1.2);
      // A sample of 1 in 2N is inside the sample of 1 in N: thinning further only takes dots away.
      expect(ids.filter((id) => inSample(id, every * 2)).every((id) => inSample(id, every))).toBe(true);
    }
  });

  it('is independent of where a dot waits in its box (the other use of the id hash)', () => {
    const waits = ids.filter((id) => inSample(id, 3)).map((id) => hashUnit(id));
    // Were the two hashes the same, every sampled dot would wait in the first third of the box.
    expect(waits.filter((w) => w > 1 / 3).length).toBeGreaterThan(waits.length / 2);
  });

  it('takes the rate from the engine’s targets (a closed loop’s last second), nothing while paused', () => {
    const live = (targetRate: number | null, ratePerSecond: number) => ({
      name: 'f',
      sent: 1,
      completed: 1,
      skipped: 0,
      outstanding: 0,
      targetRate,
      achievedRate: 1,
      ratePerSecond,
      latency: { p50: 1, p95: 1, p99: 1, max: 1, mean: 1 },
      running: true,
      finished: false,
    });
    const traffic: TrafficState = { running: true, sent: 0, flows: [], live: [live(40, 38), live(null, 15)] };
    expect(requestRate(traffic)).toBe(55);
    expect(requestRate({ ...traffic, running: false })).toBe(0);
    expect(requestRate(null)).toBe(0);
  });
});
