/** One fetch per key: take, wait, release and the timeout, with real promises. */
import { describe, expect, it } from 'vitest';
import { KeyLocks } from './key-locks.ts';

describe('KeyLocks', () => {
  it('lets one caller take a key, wakes every waiter on release, and frees the key', async () => {
    const locks = new KeyLocks(60_000);
    expect([locks.take('k'), locks.take('k'), locks.take('other')]).toEqual([true, false, true]);
    const waits = [locks.wait('k'), locks.wait('k')];
    locks.release('k');
    expect(await Promise.all(waits)).toEqual(['released', 'released']);
    expect([locks.held('k'), locks.take('k')]).toEqual([false, true]);
  });

  it('answers released at once for a free key, and timed-out after the timeout', async () => {
    const locks = new KeyLocks(10);
    expect(await locks.wait('free')).toBe('released');
    locks.take('k');
    expect(await locks.wait('k')).toBe('timed-out');
    expect(locks.held('k')).toBe(true);
  });
});
