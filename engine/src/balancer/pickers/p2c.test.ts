import { describe, expect, it } from 'vitest';
import type { PickContext } from '../picker.ts';
import { candidates as targets, context } from '../testing.ts';
import { p2c } from './p2c.ts';

/** A context whose rng returns these values in turn: two values pin the two draws. */
function scripted(...values: number[]): PickContext {
  let i = 0;
  return { now: () => 0, rng: () => values[i++ % values.length] };
}

describe('p2c', () => {
  it.each([
    // equal weights over three targets: rng < 1/3 draws t1, < 2/3 t2, else t3
    ['ooo', [1, 1, 1], [2, 0, 0], [0.1, 0.9], 't3', 'p2c: drew t1 (2 in flight) and t3 (0 in flight); t3 had fewer requests in flight'],
    ['ooo', [1, 1, 1], [0, 0, 5], [0.1, 0.9], 't1', 'p2c: drew t1 (0 in flight) and t3 (5 in flight); t1 had fewer requests in flight'],
    ['ooo', [1, 1, 1], [1, 0, 1], [0.9, 0.1], 't3', 'p2c: drew t3 (1 in flight) and t1 (1 in flight); a tie goes to the first draw, t3'],
    ['ooo', [1, 1, 1], [4, 0, 0], [0.1, 0.2], 't1', 'p2c: drew t1 twice (4 in flight), so t1'],
    // draws are weighted: with weights 1,3 an rng of 0.3 already lands on t2
    ['oo', [1, 3], [0, 1], [0.3, 0.1], 't1', 'p2c: drew t2 (1 in flight) and t1 (0 in flight); t1 had fewer requests in flight'],
    // draws only among the eligible: t1 is out, so 0.1 is t2 and 0.9 is t3
    ['xoo', [1, 1, 1], [0, 3, 2], [0.1, 0.9], 't3', 'p2c: drew t2 (3 in flight) and t3 (2 in flight); t3 had fewer requests in flight'],
  ])('%s weights %j in flight %j, rng %j: %s', (spec, weights, inFlight, draws, expected, reason) => {
    const pick = p2c().pick(targets(spec, weights, inFlight), scripted(...draws));
    expect(pick.target?.id).toBe(expected);
    expect(pick.target && pick.decision.reason).toBe(reason);
  });

  it('returns none with a reason when nothing is eligible', () => {
    expect(p2c().pick(targets('xxx'), context())).toEqual({ target: null, reason: 'p2c: no eligible target' });
  });

  it('marks the two drawn candidates with their counts', () => {
    const pick = p2c().pick(targets('ooo', [], [2, 0, 0]), scripted(0.1, 0.9));
    expect(pick.target && pick.decision.candidates).toEqual([
      { id: 't1', eligible: true, weight: 1, inFlight: 2, drawn: 1, chosen: false },
      { id: 't2', eligible: true, weight: 1, inFlight: 0, drawn: 0, chosen: false },
      { id: 't3', eligible: true, weight: 1, inFlight: 0, drawn: 1, chosen: true },
    ]);
  });

  // 10k picks: a share p has binomial standard deviation sqrt(n p (1 - p)), at most 50 picks here; we
  // allow 4 deviations, which a correct draw exceeds with probability about 6e-5 for any seed.
  it.each([
    // t3 is busy: it wins only when drawn twice (1/9); t1 wins when drawn first, or second after t3 (4/9).
    ['busy target', [1, 1, 1], [0, 0, 10], [4 / 9, 4 / 9, 1 / 9]],
    // all idle: every draw ties, the first draw wins, so shares follow the weights
    ['weights with ties', [3, 1], [0, 0], [3 / 4, 1 / 4]],
    // t1 (weight 3) is busier: t2 wins whenever drawn at all, 1 - (3/4)^2
    ['weights and load', [3, 1], [5, 0], [9 / 16, 7 / 16]],
  ])('over 10k picks, %s: shares match the two-draw odds', (_, weights, inFlight, expected) => {
    const n = 10_000;
    const picker = p2c();
    const candidates = targets('o'.repeat(weights.length), weights, inFlight);
    const ctx = context({ seed: 2024 });
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = picker.pick(candidates, ctx).target!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expected.forEach((p, i) => {
      const std = Math.sqrt(n * p * (1 - p));
      expect(Math.abs((counts.get(`t${i + 1}`) ?? 0) - n * p)).toBeLessThanOrEqual(4 * std);
    });
  });
});
