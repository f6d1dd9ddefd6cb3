import { describe, expect, it } from 'vitest';
import { keyedLimiter } from './limiter.ts';
import { slidingWindowLog } from './sliding-window-log.ts';
import { burstAt, marks } from './testing.ts';

const log = (limit: number, window: number) => keyedLimiter(slidingWindowLog({ limit, window }));

describe('sliding-window-log', () => {
  it.each<[string, number, number, number[], string]>([
    ['3 in any second', 3, 1000, [0, 100, 200, 300], 'AAAR'],
    // A time leaves the window exactly `window` later: (now - window, now] holds the last second.
    ['the oldest leaves after exactly one window', 3, 1000, [0, 100, 200, 999, 1000, 1050, 1100], 'AAARARA'],
    ['no boundary burst: the limit holds across window edges', 3, 1000, [...burstAt(999, 3), ...burstAt(1000, 3), 1999], 'AAARRRA'],
  ])('%s', (_what, limit, window, times, expected) => {
    expect(marks(log(limit, window), times)).toBe(expected);
  });

  it('reports when the oldest request leaves, and draws the log', () => {
    const limiter = log(3, 1000);
    limiter.take('k', 100);
    limiter.take('k', 200);
    expect(limiter.take('k', 400)).toMatchObject({ allowed: true, remaining: 0, resetMs: 700, level: 3 });
    const refused = limiter.take('k', 500);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 600 });
    expect(limiter.explain(refused, 'route 0')).toBe(
      'sliding-window-log: route 0 made 3 of 3 requests in the last 1000 ms; the oldest leaves in 600 ms -> 429',
    );
    expect(limiter.view('k', 1150)).toEqual({ kind: 'sliding-window-log', times: [200, 400], windowMs: 1000, limit: 3 });
  });

  it('forgets old times, so a long-lived key keeps a short log', () => {
    const limiter = log(2, 100);
    for (let t = 0; t < 100_000; t += 10) limiter.take('k', t);
    const view = limiter.view('k', 100_000);
    expect(view.kind === 'sliding-window-log' && view.times.length).toBeLessThanOrEqual(2);
    expect(limiter.inspect(1)).toMatchObject({ allowed: 2000, rejected: 8000 });
  });
});
