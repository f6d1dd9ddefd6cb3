import { describe, expect, it } from 'vitest';
import { gcra } from './gcra.ts';
import { keyedLimiter } from './limiter.ts';
import { burstAt, marks } from './testing.ts';

const cell = (rate: number, burst?: number) => keyedLimiter(gcra({ rate, burst }));

describe('gcra', () => {
  it.each<[string, number, number | undefined, number[], string]>([
    ['burst 2: one plus two at once', 10, 2, burstAt(0, 4), 'AAAR'],
    ['then one per period (100 ms at 10/s)', 10, 2, [...burstAt(0, 3), 50, 99, 100, 150, 200], 'AAARRARA'],
    ['burst 0: strictly one per period', 10, 0, [0, 50, 100, 100, 250], 'ARARA'],
    // An accepted request sets the TAT from its own time when late: 334 + 333.33 puts the next at 667.33.
    ['a late request moves the schedule (3/s)', 3, 0, [0, 333, 334, 666, 667, 1000, 1000], 'ARARRAR'],
  ])('%s', (_what, rate, burst, times, expected) => {
    expect(marks(cell(rate, burst), times)).toBe(expected);
  });

  it('a non-whole period (3/s: 333.33 ms) adds up without drift over 3000 periods', () => {
    const times = Array.from({ length: 3000 }, (_, k) => (k * 1000) / 3);
    expect(marks(cell(3), times)).toBe('A'.repeat(3000));
  });

  it('reports remaining, reset and retry from the TAT', () => {
    const limiter = cell(10, 2);
    expect(limiter.take('k', 0)).toMatchObject({ remaining: 2, resetMs: 100, level: 100 });
    limiter.take('k', 0);
    expect(limiter.take('k', 0)).toMatchObject({ allowed: true, remaining: 0, resetMs: 100, level: 300 });
    const refused = limiter.take('k', 30);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 70, level: 270 });
    expect(limiter.explain(refused, 'consumer mobile')).toBe(
      'gcra: consumer mobile has its theoretical arrival time 270 ms ahead of now (tolerance 200 ms); retry in 70 ms -> 429',
    );
    expect(limiter.view('k', 30)).toEqual({ kind: 'gcra', tat: 300, now: 30, periodMs: 100, toleranceMs: 200 });
    expect(limiter).toMatchObject({ quota: 3, windowSeconds: 1 });
  });
});
