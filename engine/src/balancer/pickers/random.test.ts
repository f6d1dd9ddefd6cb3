import { describe, expect, it } from 'vitest';
import type { PickContext } from '../picker.ts';
import { candidates as targets, context } from '../testing.ts';
import { drawWeighted, random } from './random.ts';

/** A context whose rng returns these values in turn, to pin a draw exactly. */
function scripted(...values: number[]): PickContext {
  let i = 0;
  return { now: () => 0, rng: () => values[i++ % values.length] };
}

function shares(spec: string, weights: number[], picks: number, seed: number): Record<string, number> {
  const picker = random();
  const candidates = targets(spec, weights);
  const ctx = context({ seed });
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const id = picker.pick(candidates, ctx).target?.id ?? 'none';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

describe('random', () => {
  it.each([
    [[5, 1, 1], 0, 't1'],
    [[5, 1, 1], 4.99 / 7, 't1'],
    [[5, 1, 1], 5 / 7, 't2'],
    [[5, 1, 1], 6 / 7, 't3'],
    [[5, 1, 1], 0.999999, 't3'],
    [[1, 1], 0.5, 't2'],
  ])('weights %j with rng %d draw %s', (weights, value, expected) => {
    expect(random().pick(targets('o'.repeat(weights.length), weights), scripted(value)).target?.id).toBe(expected);
  });

  it('draws only among eligible targets, by their weights', () => {
    const candidates = targets('xoo', [100, 1, 3]);
    expect(random().pick(candidates, scripted(0)).target?.id).toBe('t2');
    expect(random().pick(candidates, scripted(0.25)).target?.id).toBe('t3');
  });

  it('returns none with a reason when nothing is eligible', () => {
    expect(random().pick(targets('xx'), context())).toEqual({ target: null, reason: 'random: no eligible target' });
  });

  // 10k picks: a share p has binomial standard deviation sqrt(n p (1 - p)), at most 50 picks here; we
  // allow 4 deviations, which a correct draw exceeds with probability about 6e-5 for any seed.
  it.each([
    ['ooo', [5, 1, 1]],
    ['ooo', [1, 1, 1]],
    ['oxo', [2, 9, 3]],
    ['oooo', [1, 2, 3, 4]],
  ])('over 10k picks, targets %s with weights %j get shares in proportion to weight', (spec, weights) => {
    const n = 10_000;
    const counts = shares(spec, weights, n, 42);
    const eligible = [...spec].map((c, i) => (c === 'o' ? weights[i] : 0));
    const total = eligible.reduce((a, b) => a + b, 0);
    eligible.forEach((weight, i) => {
      const p = weight / total;
      const std = Math.sqrt(n * p * (1 - p));
      expect(Math.abs((counts[`t${i + 1}`] ?? 0) - n * p)).toBeLessThanOrEqual(4 * std);
    });
  });

  it('repeats exactly with the same seed', () => {
    expect(shares('ooo', [3, 2, 1], 50, 7)).toEqual(shares('ooo', [3, 2, 1], 50, 7));
  });

  it('explains the draw with the chance each target had', () => {
    const pick = random().pick(targets('oxo', [3, 5, 1]), scripted(0.9));
    expect(pick.target?.id).toBe('t3');
    if (!pick.target) return;
    expect(pick.decision).toMatchObject({ stage: 'pick', algorithm: 'random' });
    expect(pick.decision.reason).toBe('random: drew t3, which had a 25% chance (weight 1 of 4)');
    expect(pick.decision.candidates).toEqual([
      { id: 't1', eligible: true, weight: 3, chance: 0.75, chosen: false },
      { id: 't2', eligible: false, weight: 5, chance: 0, chosen: false },
      { id: 't3', eligible: true, weight: 1, chance: 0.25, chosen: true },
    ]);
  });

  it('drawWeighted falls back to a uniform draw when every weight is 0', () => {
    const zero = targets('ooo', [0, 0, 0]);
    expect([0, 0.5, 0.99].map((value) => drawWeighted(zero, () => value))).toEqual([0, 1, 2]);
  });

  it('drawWeighted never lands on a weight-0 target among weighted ones', () => {
    const mixed = targets('ooo', [0, 2, 0]);
    expect([0, 0.5, 0.999999].map((value) => drawWeighted(mixed, () => value))).toEqual([1, 1, 1]);
  });
});
