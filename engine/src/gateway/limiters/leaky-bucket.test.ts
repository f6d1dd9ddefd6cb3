/**
 * nginx limit_req, decision by decision. The expected sequences follow ngx_http_limit_req_module.c by
 * hand (and the differential test checks the same schedules against real nginx).
 */
import { describe, expect, it } from 'vitest';
import { leakyBucket, type LeakyBucketOptions } from './leaky-bucket.ts';
import { keyedLimiter } from './limiter.ts';
import { burstAt, marks } from './testing.ts';

const limitReq = (options: LeakyBucketOptions) => keyedLimiter(leakyBucket(options));

describe('leaky-bucket (nginx limit_req)', () => {
  it('rate 10r/s burst 5 nodelay, 20 requests at once: 6 pass, 14 refused (ALGORITHMS.md)', () => {
    expect(marks(limitReq({ rate: 10, burst: 5, nodelay: true }), burstAt(0, 20))).toBe(`AAAAAA${'R'.repeat(14)}`);
  });

  it.each<[string, LeakyBucketOptions, number[], number[]]>([
    // The first request of a key starts at excess 0; each later one at the same ms adds 1000.
    ['default: every excess request waits excess / rate', { rate: 10, burst: 5 }, burstAt(0, 7), [0, 100, 200, 300, 400, 500, -1]],
    [
      'delay=2: the first 2 excess go at once, the rest wait',
      { rate: 10, burst: 5, delay: 2 },
      burstAt(0, 7),
      [0, 0, 0, 100, 200, 300, -1],
    ],
    ['nodelay: no excess waits', { rate: 10, burst: 5, nodelay: true }, burstAt(0, 7), [0, 0, 0, 0, 0, 0, -1]],
    // 50 ms after a request at 10r/s the excess is 500: without burst that is over 0, so refused.
    ['burst 0: one request per 100 ms, nothing in between', { rate: 10 }, [0, 50, 99, 100, 150, 200], [0, -1, -1, 0, -1, 0]],
    // With burst, a request 50 ms early has excess 500 and waits the other 50 ms.
    ['burst 1: an early request waits for its slot', { rate: 10, burst: 1 }, [0, 50, 100, 100], [0, 50, 100, -1]],
    [
      'a refused request does not move the clock: the leak since the last accepted one counts',
      { rate: 2, burst: 0 },
      [0, 100, 300, 499, 500],
      [0, -1, -1, -1, 0],
    ],
  ])('%s', (_what, options, times, delays) => {
    const limiter = limitReq(options);
    expect(times.map((t) => limiter.take('k', t)).map((d) => (d.allowed ? d.delayMs : -1))).toEqual(delays);
  });

  it("keeps nginx's integer arithmetic: at 30r/m (500 thousandths a second) a 1 ms gap leaks nothing", () => {
    const limiter = limitReq({ rate: 0.5, burst: 10, nodelay: true });
    const levels = [0, 1, 2, 3].map((t) => limiter.take('k', t).level);
    // Continuous arithmetic would leak 0.0005 a ms and give 2.9985; nginx floors 500 * 1 / 1000 to 0 each time.
    expect(levels).toEqual([0, 1, 2, 3]);
    // 1.5 r/s: nginx's zone rate is 1500 thousandths; 10 ms leak 15.
    const odd = limitReq({ rate: 1.5, burst: 10, nodelay: true });
    odd.take('k', 0);
    odd.take('k', 0);
    expect(odd.take('k', 10).level).toBe(1.985);
  });

  it('floors fractional times to whole ms, as nginx its clock', () => {
    expect(marks(limitReq({ rate: 10 }), [0.9, 100.2, 199.9])).toBe('AAR');
  });

  it('reports remaining, reset, retry and the excess in words', () => {
    const limiter = limitReq({ rate: 10, burst: 5 });
    limiter.take('k', 0);
    const delayed = limiter.take('k', 0);
    expect(delayed).toMatchObject({ allowed: true, delayMs: 100, quota: 6, remaining: 4, resetMs: 100, level: 1 });
    expect(limiter.explain(delayed, 'ip 127.0.0.1')).toBe(
      'leaky-bucket: ip 127.0.0.1 is at excess 1.000 of burst 5 at 10 r/s -> wait 100 ms',
    );
    for (let i = 0; i < 4; i++) limiter.take('k', 0);
    const refused = limiter.take('k', 30);
    // excess 5000 - 300 + 1000 = 5700 > 5000: passes once 700 more have leaked (70 ms).
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 70, level: 5.7 });
    expect(limiter.explain(refused, 'ip 127.0.0.1')).toBe(
      'leaky-bucket: ip 127.0.0.1 would be at excess 5.700 of burst 5 at 10 r/s; retry in 70 ms -> 429',
    );
    expect(limiter.take('k', 99).allowed).toBe(false);
    expect(limiter.take('k', 100)).toMatchObject({ allowed: true, level: 5, delayMs: 500 });
  });

  it('draws the excess drained to now, and a key back to new is idle', () => {
    const limiter = limitReq({ rate: 10, burst: 5, delay: 1 });
    limiter.take('k', 0);
    limiter.take('k', 0);
    limiter.take('k', 0);
    expect(limiter.view('k', 50)).toEqual({ kind: 'leaky-bucket', excess: 1.5, burst: 5, ratePerSecond: 10, delay: 1, lastMs: 0 });
    expect(limiter.view('new', 50)).toMatchObject({ excess: 0, lastMs: null });
  });

  it('states its policy: burst + 1 at once', () => {
    expect(limitReq({ rate: 10, burst: 5 })).toMatchObject({ quota: 6, windowSeconds: 1 });
    expect(() => leakyBucket({ rate: 0.0001 })).toThrow(/at least 0.001/);
  });
});
