import { describe, expect, it } from 'vitest';
import { keyedLimiter } from './limiter.ts';
import { burstAt, marks } from './testing.ts';
import { tokenBucket } from './token-bucket.ts';

const bucket = (rate: number, burst?: number) => keyedLimiter(tokenBucket({ rate, burst }));

describe('token-bucket', () => {
  it.each<[string, number, number | undefined, number[], string]>([
    ['a full bucket of 3 lets 3 through at once', 10, 3, burstAt(0, 4), 'AAAR'],
    ['one token comes back every 100 ms at 10/s', 10, 3, [...burstAt(0, 3), 99, 100, 150, 200], 'AAARARA'],
    ['default burst is one second of tokens', 5, undefined, burstAt(0, 6), 'AAAAAR'],
    ['a fractional rate refills slowly (0.5/s: one token per 2 s)', 0.5, 1, [0, 1999, 2000], 'ARA'],
    ['tokens never exceed the burst however long the rest', 10, 2, [0, 0, 100_000, 100_000, 100_000], 'AAAAR'],
  ])('%s', (_what, rate, burst, times, expected) => {
    expect(marks(bucket(rate, burst), times)).toBe(expected);
  });

  it('reports remaining tokens, time to the next token and the wait of a refusal', () => {
    const limiter = bucket(10, 20);
    for (let i = 0; i < 19; i++) limiter.take('k', 0);
    expect(limiter.take('k', 20)).toMatchObject({ allowed: true, quota: 20, remaining: 0, resetMs: 80, retryAfterMs: 0 });
    const refused = limiter.take('k', 20);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 80, resetMs: 80 });
    expect(limiter.explain(refused, 'consumer mobile')).toBe('token-bucket: consumer mobile has 0 of 20 tokens; refill in 80 ms -> 429');
    expect(limiter.explain(limiter.take('k', 200), 'consumer mobile')).toBe(
      'token-bucket: consumer mobile took a token, 1 of 20 left -> pass',
    );
  });

  it('a refusal leaves the bucket as it was; check never spends', () => {
    const limiter = bucket(10, 1);
    limiter.take('k', 0);
    for (let i = 0; i < 5; i++) expect(limiter.take('k', 50).allowed).toBe(false);
    expect(limiter.check('k', 100).allowed).toBe(true);
    expect(limiter.check('k', 100).allowed).toBe(true);
    expect(limiter.take('k', 100).allowed).toBe(true);
  });

  it('draws the bucket level, and keys are independent', () => {
    const limiter = bucket(10, 4);
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(limiter.view('a', 50)).toEqual({ kind: 'token-bucket', tokens: 2.5, capacity: 4, ratePerSecond: 10 });
    expect(limiter.view('b', 50)).toEqual({ kind: 'token-bucket', tokens: 4, capacity: 4, ratePerSecond: 10 });
    expect(limiter.take('b', 50).remaining).toBe(3);
  });

  it('states its policy: q is the burst, w the time to refill it', () => {
    expect(bucket(10, 20)).toMatchObject({ quota: 20, windowSeconds: 2 });
    expect(bucket(100, 20)).toMatchObject({ quota: 20, windowSeconds: 1 });
  });
});
