import { describe, expect, it } from 'vitest';
import { fixedWindow } from './fixed-window.ts';
import { keyedLimiter } from './limiter.ts';
import { burstAt, marks } from './testing.ts';

const windowOf = (limit: number, window: number) => keyedLimiter(fixedWindow({ limit, window }));

describe('fixed-window', () => {
  it.each<[string, number, number, number[], string]>([
    ['3 a second: the 4th in the window is refused', 3, 1000, [0, 10, 20, 30], 'AAAR'],
    ['a new window starts on the second, whatever came before', 3, 1000, [...burstAt(999, 4), 1000, 1000, 1000, 1001], 'AAARAAAR'],
    ['the boundary burst: twice the limit within 2 ms', 3, 1000, [...burstAt(999, 3), ...burstAt(1000, 3)], 'AAAAAA'],
    ['windows are aligned to the clock, not to the first request', 2, 1000, [900, 950, 1001, 1002, 1003], 'AAAAR'],
  ])('%s', (_what, limit, window, times, expected) => {
    expect(marks(windowOf(limit, window), times)).toBe(expected);
  });

  it('reports the count, what remains and when the window ends', () => {
    const limiter = windowOf(100, 60_000);
    for (let i = 0; i < 99; i++) limiter.take('k', 1000);
    expect(limiter.take('k', 48_000)).toMatchObject({ allowed: true, quota: 100, remaining: 0, resetMs: 12_000, level: 100 });
    const refused = limiter.take('k', 48_000);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 12_000, level: 100 });
    expect(limiter.explain(refused, 'ip 127.0.0.9')).toBe(
      'fixed-window: ip 127.0.0.9 made 100 of 100 requests in this 60 s window; it ends in 12 s -> 429',
    );
    expect(limiter.view('k', 59_999)).toEqual({ kind: 'fixed-window', windowStart: 0, windowMs: 60_000, count: 100, limit: 100 });
    expect(limiter.view('k', 60_000)).toMatchObject({ windowStart: 60_000, count: 0 });
    expect(limiter).toMatchObject({ quota: 100, windowSeconds: 60 });
  });
});
