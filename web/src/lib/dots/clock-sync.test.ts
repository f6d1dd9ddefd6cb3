import { describe, expect, it } from 'vitest';
import { ClockSync } from './clock-sync.ts';

describe('ClockSync', () => {
  it('is the identity before it has seen anything', () => {
    expect(new ClockSync().toBrowser(1234)).toBe(1234);
  });

  it('uses the fastest delivery seen as the offset', () => {
    const clock = new ClockSync();
    clock.observe(1000, 1510);
    clock.observe(2000, 2503);
    clock.observe(3000, 3540);
    expect(clock.toBrowser(4000)).toBe(4503);
  });

  it('recovers from a clock jump after two windows', () => {
    const clock = new ClockSync(1000);
    clock.observe(1000, 1000);
    expect(clock.toBrowser(5000)).toBe(5000);
    // The engine's clock now runs 800 ms behind: every delivery looks 800 ms slower.
    clock.observe(2000, 2800);
    clock.observe(3000, 3800);
    clock.observe(4000, 4800);
    expect(clock.toBrowser(5000)).toBe(5800);
  });
});
