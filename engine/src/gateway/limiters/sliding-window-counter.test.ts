import { describe, expect, it } from 'vitest';
import { keyedLimiter } from './limiter.ts';
import { slidingWindowCounter } from './sliding-window-counter.ts';
import { burstAt, marks } from './testing.ts';

const counter = (limit: number, window: number) => keyedLimiter(slidingWindowCounter({ limit, window }));

describe('sliding-window-counter', () => {
  it.each<[string, number[], string]>([
    ['10 in the window, the 11th refused', burstAt(0, 11), `${'A'.repeat(10)}R`],
    // At the start of the next window the previous 10 still weigh 10: nothing passes.
    ['the previous window weighs fully at the boundary', [...burstAt(999, 10), 1000], `${'A'.repeat(10)}R`],
    // Half-way through, the previous 10 weigh 5: 5 more pass.
    ['half-way, the previous window weighs half', [...burstAt(0, 10), ...burstAt(1500, 6)], `${'A'.repeat(15)}R`],
    // Two windows on, the first is forgotten.
    ['two windows on, nothing weighs', [...burstAt(0, 10), ...burstAt(2000, 10)], 'A'.repeat(20)],
  ])('limit 10 a second: %s', (_what, times, expected) => {
    expect(marks(counter(10, 1000), times)).toBe(expected);
  });

  it('waits until the previous window weighs little enough, and explains the estimate', () => {
    const limiter = counter(10, 1000);
    for (let i = 0; i < 10; i++) limiter.take('k', 0);
    const refused = limiter.take('k', 1000);
    // 10 * (1 - e / 1000) + 1 <= 10 from e = 100.
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 100, level: 10 });
    expect(limiter.explain(refused, 'everyone')).toBe(
      'sliding-window-counter: everyone is at an estimated 10 of 10 requests in the last 1000 ms; retry in 100 ms -> 429',
    );
    expect(limiter.take('k', 1099).allowed).toBe(false);
    expect(limiter.take('k', 1100)).toMatchObject({ allowed: true, remaining: 0, level: 10 });
    expect(limiter.view('k', 1500)).toEqual({
      kind: 'sliding-window-counter',
      windowStart: 1000,
      windowMs: 1000,
      previous: 10,
      current: 1,
      estimate: 6,
      limit: 10,
    });
  });

  it('with no previous window, more quota comes when the current one starts to fade', () => {
    const limiter = counter(4, 1000);
    limiter.take('k', 0);
    limiter.take('k', 0);
    limiter.take('k', 0);
    // Estimate 4 after this one: 0 remain; one more fits when 4 * (1 - e / 1000) <= 3 in the next window: e = 250.
    expect(limiter.take('k', 0)).toMatchObject({ remaining: 0, resetMs: 1250 });
  });
});
