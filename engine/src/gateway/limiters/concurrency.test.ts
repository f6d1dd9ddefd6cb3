import { describe, expect, it } from 'vitest';
import { concurrency } from './concurrency.ts';
import { keyedLimiter } from './limiter.ts';

describe('concurrency', () => {
  it('holds at most `limit` in flight per key; a release frees a slot', () => {
    const limiter = keyedLimiter(concurrency({ limit: 2 }));
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)].map((d) => d.allowed)).toEqual([true, true, false]);
    expect(limiter.take('b', 0).allowed).toBe(true);
    limiter.release('a');
    expect(limiter.take('a', 5)).toMatchObject({ allowed: true, remaining: 0, level: 2 });
    const refused = limiter.take('a', 5);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 1000, level: 2 });
    expect(limiter.explain(refused, 'ip 127.0.0.3')).toBe('concurrency: ip 127.0.0.3 has 2 of 2 requests in flight; retry in 1 s -> 429');
    expect(limiter.view('a', 5)).toEqual({ kind: 'concurrency', inUse: 2, limit: 2 });
    expect(limiter).toMatchObject({ quota: 2, windowSeconds: undefined });
  });

  it('a release with nothing in flight changes nothing, and check takes no slot', () => {
    const limiter = keyedLimiter(concurrency({ limit: 1 }));
    limiter.release('a');
    limiter.release('never-seen');
    expect(limiter.check('a', 0)).toMatchObject({ allowed: true, remaining: 0, level: 1 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
  });
});
