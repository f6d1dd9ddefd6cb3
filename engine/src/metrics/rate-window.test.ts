import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window.ts';

describe('RateWindow', () => {
  it('counts completions of the last second in 100 ms buckets', () => {
    const window = new RateWindow();
    for (let t = 0; t < 1000; t += 10) window.record(t);
    expect(window.perSecond(999)).toBe(100);
    // At 1050 the bucket [0, 100) has left the window; [1000, 1100) is current and empty.
    expect(window.perSecond(1050)).toBe(90);
    expect(window.perSecond(1950)).toBe(0);
  });

  it('reuses a bucket for a new slot instead of adding to the stale count', () => {
    const window = new RateWindow();
    window.record(50);
    window.record(1050);
    expect(window.perSecond(1050)).toBe(1);
  });

  it('reads zero after reset', () => {
    const window = new RateWindow();
    window.record(10);
    window.reset();
    expect(window.perSecond(10)).toBe(0);
  });
});
