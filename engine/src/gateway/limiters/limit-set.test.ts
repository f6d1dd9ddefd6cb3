import { parseList } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import { compileLimits, type LimitOutcome } from './limit-set.ts';

const perSecond: LimitSpec = { algorithm: 'token-bucket', rate: 1, burst: 2, key: 'consumer', name: 'per-second' };
const perDay: LimitSpec = { algorithm: 'fixed-window', limit: 3, window: 86_400_000, key: 'consumer', name: 'per-day' };
const decide = (set: ReturnType<typeof compileLimits>, now: number, consumer: string | undefined) =>
  set.decide('127.0.0.5', consumer, {}, 0, now);
const mobile = (set: ReturnType<typeof compileLimits>, now: number) => decide(set, now, 'mobile');

describe('a set of limits', () => {
  it('passes a request only when every limit lets it', () => {
    const set = compileLimits([
      { spec: perSecond, name: 'per-second' },
      { spec: perDay, name: 'per-day' },
    ]);
    expect([0, 0, 0].map((t) => mobile(set, t).allowed)).toEqual([true, true, false]);
    expect(mobile(set, 0).refusedBy).toBe(0);
  });

  it('a limit that refuses costs the others nothing', () => {
    const set = compileLimits([
      { spec: perDay, name: 'per-day' },
      { spec: perSecond, name: 'per-second' },
    ]);
    // Three pass over three seconds; the day is then spent.
    expect([0, 1000, 2000].map((t) => mobile(set, t).allowed)).toEqual([true, true, true]);
    // Refused by the day quota for a minute: the per-second bucket is not drained meanwhile.
    for (let t = 3000; t < 63_000; t += 100) expect(mobile(set, t).refusedBy).toBe(0);
    const second = set.limits[1].limiter;
    expect(second.view('mobile', 63_000)).toMatchObject({ tokens: 2 });
    expect(second.inspect(1)).toMatchObject({ allowed: 3, rejected: 0 });
    expect(set.limits[0].limiter.inspect(1)).toMatchObject({ allowed: 3, rejected: 600 });
  });

  it('writes the RateLimit fields for every policy, and Retry-After on a refusal', () => {
    const set = compileLimits([
      { spec: perSecond, name: 'per-second' },
      { spec: perDay, name: 'per-day' },
    ]);
    expect(set.policyField).toBe('"per-second";q=2;w=2, "per-day";q=3;w=86400');
    const first = mobile(set, 1000);
    expect(set.fields(first)).toEqual({ 'ratelimit-policy': set.policyField, ratelimit: '"per-second";r=1;t=1;a=1;w=1, "per-day";r=2;t=86399;a=2;w=86399' });
    mobile(set, 1000);
    const refused = mobile(set, 1500);
    // Unspent by the refusal: the day still has 1 left; the second's bucket is empty for another 500 ms.
    expect(set.fields(refused)).toEqual({
      'ratelimit-policy': set.policyField,
      ratelimit: '"per-second";r=0;t=1;a=0;w=1, "per-day";r=1;t=86399;a=1;w=86399',
      'retry-after': '1',
    });
    expect(parseList(set.fields(refused).ratelimit)).toHaveLength(2);
  });

  it('delays by the longest delay, and explains each limit in words', () => {
    const set = compileLimits([
      { spec: { algorithm: 'leaky-bucket', rate: 10, burst: 5, key: 'ip' }, name: 'a' },
      { spec: { algorithm: 'leaky-bucket', rate: 5, burst: 5, key: 'consumer' }, name: 'b' },
    ]);
    decide(set, 0, undefined);
    const second = decide(set, 0, undefined);
    expect(second).toMatchObject({ allowed: true, delayMs: 200 });
    expect(set.report(second, 3).reasons).toEqual([
      'leaky-bucket: ip 127.0.0.5 is at excess 1.000 of burst 5 at 10 r/s -> wait 100 ms',
      'leaky-bucket: ip 127.0.0.5 (no consumer) is at excess 1.000 of burst 5 at 5 r/s -> wait 200 ms',
    ]);
    expect(set.report(second, 3).views[1]).toEqual({
      name: 'b',
      limiter: 'leaky-bucket',
      key: 'ip 127.0.0.5 (no consumer)',
      allowed: true,
      delayMs: 200,
      quota: 6,
      remaining: 4,
      resetMs: 200,
      retryAfterMs: 0,
      level: 1,
      generation: 3,
    });
  });

  it('shows the inspector each limit with its busiest keys in words', () => {
    const set = compileLimits([{ spec: { algorithm: 'fixed-window', limit: 2, window: 1000, key: 'consumer' }, name: 'w' }]);
    for (let i = 0; i < 5; i++) mobile(set, 0);
    decide(set, 0, undefined);
    expect(set.inspect(5)).toEqual([
      {
        name: 'w',
        limiter: 'fixed-window',
        keys: 2,
        maxKeys: 100_000,
        allowed: 3,
        rejected: 3,
        delayed: 0,
        evictedIdle: 0,
        evictedForced: 0,
        topByUse: [
          { key: 'consumer mobile', used: 2, rejected: 3 },
          { key: 'ip 127.0.0.5 (no consumer)', used: 1, rejected: 0 },
        ],
        topByRejections: [{ key: 'consumer mobile', used: 2, rejected: 3 }],
      },
    ]);
  });

  it('gives concurrency slots back when the request ends, and only for an allowed one', () => {
    const set = compileLimits([
      { spec: { algorithm: 'concurrency', limit: 1, key: 'global' }, name: 'slots' },
      { spec: { algorithm: 'fixed-window', limit: 2, window: 1000, key: 'global' }, name: 'window' },
    ]);
    const release = (outcome: LimitOutcome) => {
      const { views } = set.report(outcome, 1);
      set.release(outcome, views);
      return views;
    };
    const held = mobile(set, 0);
    expect(mobile(set, 0)).toMatchObject({ allowed: false, refusedBy: 0, retryAfterMs: 1000 });
    expect(release(mobile(set, 0)).map((view) => view.inFlightAfter)).toEqual([undefined, undefined]);
    // The trace says what the slot's release left: the concurrency limit's count; the window holds nothing.
    expect(release(held).map((view) => view.inFlightAfter)).toEqual([0, undefined]);
    const next = mobile(set, 0);
    expect(next.allowed).toBe(true);
    release(next);
    // The window (2 a second) is spent now; the slot it would have taken stays free.
    expect(mobile(set, 0)).toMatchObject({ allowed: false, refusedBy: 1 });
    expect(set.limits[0].limiter.view('global', 0)).toMatchObject({ inUse: 0 });
    expect(set.fields(held).ratelimit).toBe('"slots";r=0;a=0, "window";r=1;t=1;a=1;w=1');
  });
});
