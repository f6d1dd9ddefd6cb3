import { describe, expect, it } from 'vitest';
import { slowStartFactor } from './slow-start.ts';

describe('slow start factor', () => {
  const linear = { windowMs: 1_000, aggression: 1, minWeightPercent: 10 };
  it.each([
    [0, 0.1], // the floor
    [50, 0.1],
    [250, 0.25],
    [500, 0.5],
    [999, 0.999],
    [1_000, 1],
    [5_000, 1],
  ])('linear: %i ms in, the weight is at %f', (elapsed, factor) => {
    expect(slowStartFactor(elapsed, linear)).toBeCloseTo(factor, 6);
  });

  it('aggression 2 rises faster at first (square root)', () => {
    expect(slowStartFactor(250, { ...linear, aggression: 2 })).toBeCloseTo(0.5, 6);
  });

  it('a floor of 0 starts from nothing', () => {
    expect(slowStartFactor(0, { ...linear, minWeightPercent: 0 })).toBe(0);
  });
});
