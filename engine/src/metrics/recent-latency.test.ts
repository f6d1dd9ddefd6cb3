import { describe, expect, it } from 'vitest';
import { RecentLatency } from './recent-latency.ts';

describe('RecentLatency', () => {
  it('summarises only the requests of the current second and the ones before it, within the window', () => {
    const recent = new RecentLatency(5);
    // 100 slow requests at t = 0.5 s: still in a 5 s window at t = 4.999 s, gone at t = 5.5 s.
    for (let i = 0; i < 100; i++) recent.record(200, 500);
    // Percentiles are HDR's (within 0.1%); max and mean are exact.
    expect(recent.window(4_999)).toMatchObject({ seconds: 5, requests: 100, latency: { max: 200, mean: 200 } });
    expect(recent.window(4_999).latency.p50).toBeCloseTo(200, -1);
    for (let i = 0; i < 100; i++) recent.record(10, 5_500);
    expect(recent.window(5_500)).toMatchObject({ seconds: 5, requests: 100, latency: { max: 10, mean: 10 } });
  });

  it('forgets a second once it leaves the window, also when nothing new arrived', () => {
    const recent = new RecentLatency(3);
    recent.record(50, 1_000);
    recent.record(70, 2_000);
    expect(recent.window(3_999)).toMatchObject({ requests: 2, latency: { max: 70, mean: 60 } });
    expect(recent.window(4_000)).toMatchObject({ requests: 1, latency: { max: 70, mean: 70 } });
    expect(recent.window(60_000)).toEqual({ seconds: 3, requests: 0, latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 } });
  });

  it('reuses a bucket for a later second without keeping the old second in it', () => {
    const recent = new RecentLatency(2);
    recent.record(900, 0);
    recent.record(5, 2_100); // same bucket as second 0 (2 % 2)
    expect(recent.window(2_100)).toMatchObject({ requests: 1, latency: { max: 5 } });
  });

  it('starts empty after a reset', () => {
    const recent = new RecentLatency();
    recent.record(40, 100);
    recent.reset();
    expect(recent.window(100).requests).toBe(0);
  });

  it('refuses a window that is not a whole number of seconds', () => {
    expect(() => new RecentLatency(0)).toThrow(/whole number of seconds/);
    expect(() => new RecentLatency(1.5)).toThrow(/whole number of seconds/);
  });
});
