import { describe, expect, it } from 'vitest';
import { concurrency } from './concurrency.ts';
import { KeyStore, type KeyState } from './key-store.ts';
import { keyedLimiter } from './limiter.ts';
import { tokenBucket } from './token-bucket.ts';

interface Counted extends KeyState {
  expires: number;
  inUse: number;
}
const state = (expires = Number.POSITIVE_INFINITY, inUse = 0): Counted => ({ used: 0, rejected: 0, ref: false, expires, inUse });
const store = (maxKeys: number) =>
  new KeyStore<Counted>(
    maxKeys,
    (s, now) => s.expires <= now,
    (s) => s.inUse > 0,
  );

describe('KeyStore', () => {
  it('holds at most maxKeys: at the cap the first key not used since the hand passed goes (CLOCK)', () => {
    const keys = store(3);
    keys.insert('a', state(), 0);
    keys.insert('b', state(), 0);
    keys.insert('c', state(), 0);
    keys.get('a');
    keys.insert('d', state(), 0);
    // a was used, so it got a second chance; b was not.
    expect([...['a', 'b', 'c', 'd']].map((k) => keys.peek(k) !== undefined)).toEqual([true, false, true, true]);
    expect(keys).toMatchObject({ size: 3, evictedForced: 1, evictedIdle: 0 });
  });

  it('drops idle keys as new ones come, before any is forced out', () => {
    const keys = store(100);
    keys.insert('a', state(10), 0);
    keys.insert('b', state(1000), 0);
    keys.insert('c', state(10), 0);
    keys.insert('d', state(), 20);
    keys.insert('e', state(), 20);
    expect(keys.peek('a')).toBeUndefined();
    expect(keys.peek('b')).toBeDefined();
    expect(keys.peek('c')).toBeUndefined();
    expect(keys).toMatchObject({ size: 3, evictedIdle: 2, evictedForced: 0 });
  });

  it('never forces out a busy key; when all are busy it grows past the cap', () => {
    const keys = store(2);
    keys.insert('a', state(Number.POSITIVE_INFINITY, 1), 0);
    keys.insert('b', state(), 0);
    keys.insert('c', state(), 0);
    expect(keys.peek('a')).toBeDefined();
    expect(keys.peek('b')).toBeUndefined();
    const busy = store(1);
    busy.insert('a', state(Number.POSITIVE_INFINITY, 1), 0);
    busy.insert('b', state(Number.POSITIVE_INFINITY, 1), 0);
    expect(busy.size).toBe(2);
  });

  it('lists the top keys by use and by refusals', () => {
    const keys = store(10);
    for (const [key, used, rejected] of [
      ['a', 5, 0],
      ['b', 9, 1],
      ['c', 1, 7],
      ['d', 0, 0],
    ] as const) {
      keys.insert(key, { ...state(), used, rejected }, 0);
    }
    expect(keys.top(2, 'used')).toEqual([
      { key: 'b', used: 9, rejected: 1 },
      { key: 'a', used: 5, rejected: 0 },
    ]);
    expect(keys.top(5, 'rejected').map((k) => k.key)).toEqual(['c', 'b']);
    expect(keys.top(0, 'used')).toEqual([]);
  });
});

// A million new keys take a few seconds (hashing fresh strings and collecting them): a generous timeout
// keeps a loaded machine from failing what is not a timing test.
describe('a flood of 1,000,000 distinct keys', { timeout: 60_000 }, () => {
  it('at one instant: the cap holds, each new key forcing out an unused one', () => {
    const limiter = keyedLimiter(tokenBucket({ rate: 10, burst: 20 }), { maxKeys: 10_000 });
    for (let i = 0; i < 1_000_000; i++) limiter.take(`k${i}`, 0);
    expect(limiter.size).toBe(10_000);
    expect(limiter.inspect(0)).toMatchObject({ keys: 10_000, allowed: 1_000_000, evictedForced: 990_000 });
  });

  it('spread over time: idle keys go first, and the cap is never reached', () => {
    // One new key every 0.1 ms; a key used once is back to new 100 ms later (one token at 10/s), so about
    // 1,000 keys are live at any time.
    const limiter = keyedLimiter(tokenBucket({ rate: 10, burst: 20 }), { maxKeys: 10_000 });
    let most = 0;
    for (let i = 0; i < 1_000_000; i++) {
      limiter.take(`k${i}`, i / 10);
      if (i % 1000 === 0) most = Math.max(most, limiter.size);
    }
    expect(most).toBeLessThan(2_100);
    expect(limiter.inspect(0)).toMatchObject({ evictedForced: 0 });
  });

  it('keeps the busy keys of a concurrency limit through the flood', () => {
    const limiter = keyedLimiter(concurrency({ limit: 1 }), { maxKeys: 1000 });
    limiter.take('busy', 0);
    for (let i = 0; i < 100_000; i++) {
      limiter.take(`k${i}`, 0);
      limiter.release(`k${i}`);
    }
    expect(limiter.take('busy', 0).allowed).toBe(false);
    expect(limiter.size).toBeLessThanOrEqual(1000);
  });
});
