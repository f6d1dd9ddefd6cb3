import { describe, expect, it } from 'vitest';
import type { Candidate, Pick } from '../picker.ts';
import { candidates as targets, context } from '../testing.ts';
import { weightedRoundRobin } from './weighted-round-robin.ts';

const ctx = context();

function sequence(spec: string, weights: number[], picks: number): string {
  const picker = weightedRoundRobin();
  const candidates = targets(spec, weights);
  return Array.from({ length: picks }, () => picker.pick(candidates, ctx).target?.id ?? 'none').join(' ');
}

function reasonOf(pick: Pick): string {
  return pick.target ? pick.decision.reason : pick.reason;
}

describe('weighted-round-robin', () => {
  it.each([
    ['ooo', [5, 1, 1], 7, 't1 t1 t2 t1 t3 t1 t1'],
    ['ooo', [5, 1, 1], 14, 't1 t1 t2 t1 t3 t1 t1 t1 t1 t2 t1 t3 t1 t1'],
    ['oo', [2, 1], 6, 't1 t2 t1 t1 t2 t1'],
    ['ooo', [1, 1, 1], 6, 't1 t2 t3 t1 t2 t3'],
    ['ooo', [4, 4, 4], 6, 't1 t2 t3 t1 t2 t3'],
    ['oxo', [5, 1, 1], 6, 't1 t1 t1 t3 t1 t1'],
    ['oxo', [1, 1, 1], 4, 't1 t3 t1 t3'],
    ['xxo', [5, 5, 1], 3, 't3 t3 t3'],
    ['xxx', [1, 1, 1], 2, 'none none'],
    ['o', [3], 3, 't1 t1 t1'],
  ])('targets %s (o eligible, x not) with weights %j give %i picks: %s', (spec, weights, picks, expected) => {
    expect(sequence(spec, weights, picks)).toBe(expected);
  });

  it.each([
    // nginx skips a down peer in the loop, so its current weight waits unchanged while it is out:
    // rounds 1-5 are ooo, oxo, ooo, ooo, ooo over equal weights.
    [['ooo', 'oxo', 'ooo', 'ooo', 'ooo'], 't1 t3 t2 t3 t1'],
    [['ooo', 'xoo', 'xoo', 'ooo'], 't1 t2 t3 t2'],
  ])('eligibility changing between picks %j gives %s', (specs, expected) => {
    const picker = weightedRoundRobin();
    expect(specs.map((spec) => picker.pick(targets(spec), ctx).target?.id).join(' ')).toBe(expected);
  });

  it('keeps its weights per target id, so the candidate list may be rebuilt for every pick', () => {
    const picker = weightedRoundRobin();
    const ids = Array.from({ length: 7 }, () => picker.pick(targets('ooo', [5, 1, 1]), ctx).target?.id);
    expect(ids.join(' ')).toBe('t1 t1 t2 t1 t3 t1 t1');
  });

  it('explains the pick with each current weight and the total', () => {
    const picker = weightedRoundRobin();
    const candidates = targets('oxo', [5, 1, 2]);
    const first = picker.pick(candidates, ctx);
    expect(reasonOf(first)).toBe('weighted-round-robin: t1 had the highest current weight 5 of total 7; skipped t2 (not eligible)');
    const second = picker.pick(candidates, ctx);
    expect(reasonOf(second)).toBe('weighted-round-robin: t3 had the highest current weight 4 of total 7; skipped t2 (not eligible)');
    if (second.target) {
      expect(second.decision).toMatchObject({ stage: 'pick', algorithm: 'weighted-round-robin' });
      expect(second.decision.candidates).toEqual([
        { id: 't1', eligible: true, weight: 5, effective: 5, current: 3, chosen: false, position: 1 },
        { id: 't2', eligible: false, weight: 1, effective: 1, current: 0, chosen: false, position: 2 },
        { id: 't3', eligible: true, weight: 2, effective: 2, current: 4, chosen: true, position: 3 },
      ]);
    }
  });

  it('returns none with a reason when nothing is eligible', () => {
    expect(weightedRoundRobin().pick(targets('xx'), ctx)).toEqual({ target: null, reason: 'weighted-round-robin: no eligible target' });
  });

  it('peek names the next pick without changing any weight', () => {
    const picker = weightedRoundRobin();
    const candidates = targets('ooo', [5, 1, 1]);
    picker.pick(candidates, ctx);
    const before = picker.state?.(candidates);
    expect(picker.peek?.(candidates)).toBe('t1');
    expect(picker.peek?.(candidates)).toBe('t1');
    expect(picker.state?.(candidates)).toEqual(before);
    expect(picker.pick(candidates, ctx).target?.id).toBe('t1');
    expect(picker.peek?.(candidates)).toBe('t2');
    expect(picker.peek?.(targets('xxx'))).toBeUndefined();
  });

  it('state shows each current and effective weight', () => {
    const picker = weightedRoundRobin();
    const candidates = targets('ooo', [5, 1, 1]);
    expect(picker.state?.(candidates)).toEqual([
      { id: 't1', weight: 5, current: 0, effective: 5 },
      { id: 't2', weight: 1, current: 0, effective: 1 },
      { id: 't3', weight: 1, current: 0, effective: 1 },
    ]);
    picker.pick(candidates, ctx);
    expect(picker.state?.(candidates)).toEqual([
      { id: 't1', weight: 5, current: -2, effective: 5 },
      { id: 't2', weight: 1, current: 1, effective: 1 },
      { id: 't3', weight: 1, current: 1, effective: 1 },
    ]);
  });

  describe('failure feedback through onSettled (nginx effective weight)', () => {
    const failT1 = (picker: ReturnType<typeof weightedRoundRobin>) =>
      picker.onSettled?.({ target: 't1', durationMs: 5, failed: true }, ctx);

    it('a failure drops effective weight by weight / maxFails, and every round climbs it back by 1', () => {
      const picker = weightedRoundRobin();
      const candidates = targets('ooo', [5, 1, 1]);
      picker.pick(candidates, ctx);
      failT1(picker);
      expect(picker.state?.(candidates)).toContainEqual({ id: 't1', weight: 5, current: -2, effective: 0 });
      // By hand: currents (-2,2,2) total 2 -> t2; (-1,1,3) total 3 -> t3; (1,2,1) total 5 -> t2; (4,-2,2) total 5 -> t1.
      const after = Array.from({ length: 4 }, () => picker.pick(candidates, ctx).target?.id);
      expect(after.join(' ')).toBe('t2 t3 t2 t1');
      expect(picker.state?.(candidates)).toContainEqual({ id: 't1', weight: 5, current: -1, effective: 4 });
      picker.pick(candidates, ctx);
      picker.pick(candidates, ctx);
      expect((picker.state?.(candidates) as Array<{ effective: number }>)[0].effective).toBe(5);
    });

    it.each([
      [{}, 0],
      [{ maxFails: 2 }, 3],
      [{ maxFails: 0 }, 5],
    ])('with options %j a failure leaves effective weight 5 at %i', (options, effective) => {
      const picker = weightedRoundRobin(options);
      const candidates = targets('oo', [5, 1]);
      picker.pick(candidates, ctx);
      failT1(picker);
      expect((picker.state?.(candidates) as Array<{ effective: number }>)[0].effective).toBe(effective);
    });

    it('a success changes nothing, and effective never goes below 0', () => {
      const picker = weightedRoundRobin();
      const candidates = targets('oo', [5, 1]);
      picker.pick(candidates, ctx);
      picker.onSettled?.({ target: 't1', durationMs: 5, failed: false }, ctx);
      expect((picker.state?.(candidates) as Array<{ effective: number }>)[0].effective).toBe(5);
      failT1(picker);
      failT1(picker);
      expect((picker.state?.(candidates) as Array<{ effective: number }>)[0].effective).toBe(0);
    });

    it('still picks when every eligible target has effective weight 0', () => {
      const picker = weightedRoundRobin();
      const candidates: Candidate[] = targets('o', [2]);
      picker.pick(candidates, ctx);
      failT1(picker);
      expect(picker.pick(candidates, ctx).target?.id).toBe('t1');
    });
  });

  it('a changed weight takes effect at once', () => {
    const picker = weightedRoundRobin();
    picker.pick(targets('oo', [1, 1]), ctx);
    picker.pick(targets('oo', [1, 1]), ctx);
    const ids = Array.from({ length: 4 }, () => picker.pick(targets('oo', [3, 1]), ctx).target?.id);
    expect(ids.join(' ')).toBe('t1 t1 t2 t1');
  });

  it('rejects an invalid maxFails when built', () => {
    expect(() => weightedRoundRobin({ maxFails: -1 })).toThrow(RangeError);
    expect(() => weightedRoundRobin({ maxFails: 'one' })).toThrow(RangeError);
  });
});
