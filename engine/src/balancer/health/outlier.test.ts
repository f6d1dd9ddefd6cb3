/** Outlier detection maths with injected time: thresholds, ejection lengths, forgiveness, the cap. */
import { describe, expect, it } from 'vitest';
import { ejectionTimeMs, mayEject, SlidingCounts, TargetOutlier, type OutlierConfig } from './outlier.ts';

const config: OutlierConfig = { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 3_500, maxEjectionPercent: 10 };

describe('ejection time', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 3_000],
    [4, 3_500],
    [10, 3_500],
  ])('the ejection number %i lasts %i ms (base × times, capped)', (times, ms) => {
    expect(ejectionTimeMs(times, config)).toBe(ms);
  });

  it('a cap below the base is raised to the base, as Envoy does', () => {
    expect(ejectionTimeMs(3, { ...config, maxEjectionMs: 10 })).toBe(1_000);
  });
});

describe('the cap on ejected targets', () => {
  it.each([
    // [already ejected, total, max %, may eject]
    [0, 3, 10, true], // one may always be ejected (Envoy)
    [1, 3, 10, false],
    [0, 3, 0, true],
    [1, 10, 10, false], // 10% is not below 10%
    [1, 20, 10, true], // 5% is
    [1, 3, 50, true], // 33% < 50%
    [2, 3, 50, false], // 67% is not
    [2, 3, 100, true],
  ])('%i of %i already ejected, max %i%%: may eject %s', (ejected, total, max, allowed) => {
    expect(mayEject(ejected, total, max)).toBe(allowed);
  });
});

describe('a target as an outlier', () => {
  it('is an outlier exactly at the threshold of consecutive failures; a success starts the count again', () => {
    const target = new TargetOutlier();
    expect(target.record(true, 0, config)).toBeUndefined();
    expect(target.record(true, 1, config)).toBeUndefined();
    expect(target.record(false, 2, config)).toBeUndefined();
    expect(target.record(true, 3, config)).toBeUndefined();
    expect(target.record(true, 4, config)).toBeUndefined();
    expect(target.record(true, 5, config)).toEqual({
      reason: '3 consecutive failures reached the threshold of 3',
      detail: { consecutiveFailures: 3, threshold: 3 },
    });
    // Past the threshold (an ejection that the cap refused) it does not fire again until a success.
    expect(target.record(true, 6, config)).toBeUndefined();
  });

  it('ejections grow with each one, come back by themselves, and are forgiven after time in', () => {
    const target = new TargetOutlier();
    expect(target.eject(0, config)).toEqual({ ejectionMs: 1_000, timesEjected: 1 });
    expect(target.returnIfDue(999)).toBe(false);
    expect(target.record(true, 500, config)).toBeUndefined(); // late answers while out do not count
    expect(target.consecutiveFailures).toBe(0);
    expect(target.returnIfDue(1_000)).toBe(true);
    expect(target.ejectedUntil).toBeUndefined();
    // Out again soon after: twice as long.
    expect(target.eject(1_500, config)).toEqual({ ejectionMs: 2_000, timesEjected: 2 });
    expect(target.returnIfDue(3_500)).toBe(true);
    // 2.5 base times in forgive two ejections: the next counts as the first again.
    expect(target.eject(6_000, config)).toEqual({ ejectionMs: 1_000, timesEjected: 1 });
  });

  it('the failure-rate rule waits for enough requests, then fires once per window of requests', () => {
    const rated: OutlierConfig = { ...config, consecutiveFailures: 0, failureRate: { percent: 50, minRequests: 4, windowMs: 1_000 } };
    const target = new TargetOutlier();
    expect(target.record(true, 0, rated)).toBeUndefined();
    expect(target.record(false, 10, rated)).toBeUndefined();
    expect(target.record(true, 20, rated)).toBeUndefined();
    expect(target.record(true, 30, rated)).toEqual({
      reason: 'failure rate 75% (3 of 4 in 1000 ms) reached 50%',
      detail: { failures: 3, requests: 4, failurePercent: 75, thresholdPercent: 50, windowMs: 1_000 },
    });
    expect(target.windowCounts(30)).toEqual({ requests: 0, failures: 0 });
  });

  it('old requests slide out of the failure-rate window', () => {
    const rated: OutlierConfig = { ...config, consecutiveFailures: 0, failureRate: { percent: 50, minRequests: 4, windowMs: 1_000 } };
    const target = new TargetOutlier();
    for (const at of [0, 10, 20]) target.record(true, at, rated);
    // A second later those three failures are gone: one failure of one request is too few.
    expect(target.record(true, 1_150, rated)).toBeUndefined();
    expect(target.windowCounts(1_150)).toEqual({ requests: 1, failures: 1 });
  });
});

describe('sliding counts', () => {
  it('sums the buckets inside the window only, a tenth of the window at a time', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(true, 0);
    counts.add(false, 450);
    counts.add(true, 950);
    expect(counts.counts(999)).toEqual({ requests: 3, failures: 2 });
    expect(counts.counts(1_050)).toEqual({ requests: 2, failures: 1 });
    expect(counts.counts(1_899)).toEqual({ requests: 1, failures: 1 });
    expect(counts.counts(1_900)).toEqual({ requests: 0, failures: 0 });
  });
});
