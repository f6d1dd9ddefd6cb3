/** Key popularity: the hand-written Zipf sampler against theory, and the uniform one. */
import { describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { keySampler, zipfProbability } from './keys.ts';
import { WeightedChoice } from './weighted.ts';

const DRAWS = 200_000;

function frequencies(sample: () => number, count: number): number[] {
  const seen = new Array<number>(count + 1).fill(0);
  for (let i = 0; i < DRAWS; i++) seen[sample()]++;
  return seen.map((n) => n / DRAWS);
}

/** Four standard errors of a share p over DRAWS draws: a seeded run fails this only when the sampler is wrong. */
const tolerance = (p: number) => 4 * Math.sqrt((p * (1 - p)) / DRAWS);

describe('WeightedChoice', () => {
  it.each([
    [0, 0],
    [0.0999, 0],
    [0.1, 1],
    [0.3999, 1],
    [0.4, 2],
    [0.9999, 2],
  ])('weights 1, 3, 6: a draw of %f picks index %i (the inverse CDF)', (u, index) => {
    expect(new WeightedChoice([1, 3, 6]).indexAt(u)).toBe(index);
  });

  it('never picks a zero weight, and refuses weights that cannot be drawn', () => {
    const choice = new WeightedChoice([0, 2, 0, 1]);
    for (const u of [0, 0.5, 0.66, 0.67, 0.99]) expect([1, 3]).toContain(choice.indexAt(u));
    expect(() => new WeightedChoice([0, 0])).toThrow(/sum to 0/);
    expect(() => new WeightedChoice([1, -1])).toThrow(/weight 1/);
  });
});

describe('keySampler', () => {
  it('zipf: rank 1 takes 1/H(n, s) of the draws, and each rank its 1/k^s share', () => {
    const spec = { count: 1_000, distribution: 'zipf', s: 1.1 } as const;
    const seen = frequencies(keySampler(spec, seededRng(42)), spec.count);
    for (const k of [1, 2, 3, 10, 100]) {
      const p = zipfProbability(k, spec.count, spec.s);
      expect(Math.abs(seen[k] - p)).toBeLessThan(tolerance(p));
    }
    // The theory itself, computed independently (Python: 1 / sum(1/k**1.1 for k in 1..1000)): the head is hot.
    expect(zipfProbability(1, 1_000, 1.1)).toBeCloseTo(0.179442, 5);
  });

  it('zipf with s = 1 over 10 keys matches 1/(k · H10) for every key', () => {
    const seen = frequencies(keySampler({ count: 10, distribution: 'zipf', s: 1 }, seededRng(5)), 10);
    for (let k = 1; k <= 10; k++) {
      const p = zipfProbability(k, 10, 1);
      expect(Math.abs(seen[k] - p)).toBeLessThan(tolerance(p));
    }
  });

  it('uniform: every key equally often, and only keys 1..count', () => {
    const seen = frequencies(keySampler({ count: 20, distribution: 'uniform', s: 1 }, seededRng(9)), 20);
    expect(seen[0]).toBe(0);
    for (let k = 1; k <= 20; k++) expect(Math.abs(seen[k] - 0.05)).toBeLessThan(tolerance(0.05));
  });
});
