/** One fetch per key: take, wait, release and the lock timeout, with real promises. */
import { describe, expect, it } from 'vitest';
import { KeyLocks } from './key-locks.ts';

describe('KeyLocks', () => {
  it('lets one caller take a key, wakes every waiter on release, and frees the key', async () => {
    const locks = new KeyLocks(60_000);
    const lock = locks.take('k');
    expect([lock?.key, locks.take('k'), locks.take('other')?.key]).toEqual(['k', undefined, 'other']);
    const waits = [locks.wait('k'), locks.wait('k')];
    locks.release(lock!);
    expect(await Promise.all(waits)).toEqual(['released', 'released']);
    expect(locks.take('k')).toBeDefined();
  });

  it('answers released at once for a free key', async () => {
    expect(await new KeyLocks(60_000).wait('free')).toBe('released');
  });

  it('times a lock out: its waiters go, the key is free again, and the late holder cannot release the next lock', async () => {
    const locks = new KeyLocks(10);
    const first = locks.take('k')!;
    expect(await locks.wait('k')).toBe('timed-out');
    const second = locks.take('k')!;
    locks.release(first);
    expect(locks.take('k')).toBeUndefined();
    locks.release(second);
    expect(locks.size).toBe(0);
  });
});
