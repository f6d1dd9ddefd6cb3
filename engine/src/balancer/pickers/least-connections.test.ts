import { describe, expect, it } from 'vitest';
import type { Candidate, Picker } from '../picker.ts';
import { candidates as targets, context } from '../testing.ts';
import { leastConnections } from './least-connections.ts';
import { roundRobin } from './round-robin.ts';
import { weightedRoundRobin } from './weighted-round-robin.ts';

const ctx = context();

/** Each request finishes before the next starts: in-flight stays 0. */
function sequential(picker: Picker, spec: string, weights: number[], picks: number): string {
  const candidates = targets(spec, weights);
  return Array.from({ length: picks }, () => picker.pick(candidates, ctx).target?.id ?? 'none').join(' ');
}

/** Mutable targets whose inFlight the test drives, as the balancer does. */
function live(spec: string, weights: number[] = [], inFlight: number[] = []): Array<Candidate & { inFlight: number }> {
  return targets(spec, weights, inFlight);
}

describe('least-connections', () => {
  it.each([
    ['ooo', [1, 1, 1]],
    ['oxo', [1, 1, 1]],
    ['oooo', [1, 1, 1, 1]],
  ])('sequential traffic over %s looks exactly like round robin', (spec, weights) => {
    expect(sequential(leastConnections(), spec, weights, 12)).toBe(sequential(roundRobin(), spec, weights, 12));
  });

  it.each([
    ['ooo', [5, 1, 1], 't1 t1 t2 t1 t3 t1 t1'],
    ['oo', [2, 1], 't1 t2 t1'],
  ])('sequential traffic over %s with weights %j is smooth weighted round robin: %s', (spec, weights, expected) => {
    expect(sequential(leastConnections(), spec, weights, expected.split(' ').length)).toBe(expected);
    expect(sequential(weightedRoundRobin(), spec, weights, 14)).toBe(sequential(leastConnections(), spec, weights, 14));
  });

  it.each([
    ['ooo', [1, 1, 1], [3, 1, 4], 't2'],
    ['ooo', [1, 1, 1], [2, 2, 0], 't3'],
    ['oo', [3, 1], [2, 1], 't1'], // 2/3 < 1/1
    ['oo', [1, 1], [2, 1], 't2'],
    ['oo', [1, 4], [1, 3], 't2'], // 3/4 < 1/1
    ['xoo', [1, 1, 1], [0, 2, 1], 't3'], // the idle t1 is not eligible
    ['oxx', [1, 1, 1], [9, 0, 0], 't1'],
    ['xxx', [1, 1, 1], [0, 0, 0], 'none'],
  ])('targets %s, weights %j, in flight %j: picks %s', (spec, weights, inFlight, expected) => {
    expect(leastConnections().pick(targets(spec, weights, inFlight), ctx).target?.id ?? 'none').toBe(expected);
  });

  it('under concurrency starves a target whose requests pile up', () => {
    const picker = leastConnections();
    const candidates = live('ooo');
    const counts: Record<string, number> = { t1: 0, t2: 0, t3: 0 };
    // Each tick sends 3 requests; t1 and t2 answer within the tick, t3 never answers.
    for (let tick = 0; tick < 100; tick++) {
      candidates[0].inFlight = 0;
      candidates[1].inFlight = 0;
      for (let i = 0; i < 3; i++) {
        const target = picker.pick(candidates, ctx).target!;
        counts[target.id]++;
        candidates.find((c) => c.id === target.id)!.inFlight++;
      }
    }
    // Round robin would have sent t3 100 requests; least-connections stops once t3 holds 2. The fast pair
    // is not split evenly: the two tie-breaks of each tick alternate in step with the tick, as in nginx.
    expect(counts).toEqual({ t1: 100, t2: 198, t3: 2 });
  });

  it('never picks a busy target while an idle one is eligible', () => {
    const picker = leastConnections();
    const candidates = targets('ooo', [], [0, 0, 20]);
    const ids = new Set(Array.from({ length: 50 }, () => picker.pick(candidates, ctx).target?.id));
    expect(ids).toEqual(new Set(['t1', 't2']));
  });

  it('with nothing finishing, in-flight requests settle in proportion to weight', () => {
    const picker = leastConnections();
    const candidates = live('ooo', [3, 1, 2]);
    for (let i = 0; i < 60; i++) {
      const target = picker.pick(candidates, ctx).target!;
      candidates.find((c) => c.id === target.id)!.inFlight++;
    }
    expect(candidates.map((c) => c.inFlight)).toEqual([30, 10, 20]);
  });

  it('explains a clear winner with each in-flight count', () => {
    const pick = leastConnections().pick(targets('ooo', [], [3, 1, 4]), ctx);
    expect(pick.target?.id).toBe('t2');
    if (!pick.target) return;
    expect(pick.decision.reason).toBe('least-connections: t2 had 1 in flight, t1 had 3, t3 had 4');
    expect(pick.decision.candidates).toEqual([
      { id: 't1', eligible: true, inFlight: 3, weight: 1, tied: false, chosen: false },
      { id: 't2', eligible: true, inFlight: 1, weight: 1, tied: false, chosen: true },
      { id: 't3', eligible: true, inFlight: 4, weight: 1, tied: false, chosen: false },
    ]);
  });

  it.each([
    [[1, 1, 1], [3, 1, 4], 'least-connections: t2 had 1 in flight, t1 had 3, t3 had 4'],
    [[1, 4, 1], [2, 2, 4], 'least-connections: t2 had 2 in flight at weight 4, t1 had 2 at weight 1, t3 had 4 at weight 1'],
    [
      [1, 1, 1],
      [0, 0, 4],
      'least-connections: t1, t2 tied at 0 in flight (t3 had 4); smooth weighted round robin chose t1, current weight 1 of total 2',
    ],
    [
      [1, 2, 1],
      [1, 2, 4],
      'least-connections: t1, t2 tied at 1 in flight per unit of weight (t3 had 4 at weight 1); smooth weighted round robin chose t2, current weight 2 of total 3',
    ],
  ])('weights %j, in flight %j: "%s"', (weights, inFlight, reason) => {
    const pick = leastConnections().pick(targets('ooo', weights, inFlight), ctx);
    expect(pick.target && pick.decision.reason).toBe(reason);
  });

  it('peek names the next pick without changing the tie-break weights', () => {
    const picker = leastConnections();
    const candidates = targets('ooo');
    picker.pick(candidates, ctx);
    const before = picker.state?.(candidates);
    expect(picker.peek?.(candidates)).toBe('t2');
    expect(picker.state?.(candidates)).toEqual(before);
    expect(picker.pick(candidates, ctx).target?.id).toBe('t2');
    expect(picker.peek?.(targets('ooo', [], [1, 1, 0]))).toBe('t3');
    expect(picker.peek?.(targets('xxx'))).toBeUndefined();
  });

  it("a failure lowers the target's share of ties until its effective weight climbs back", () => {
    const picker = leastConnections();
    const candidates = targets('oo', [4, 4]);
    picker.pick(candidates, ctx);
    picker.onSettled?.({ target: 't1', durationMs: 3, failed: true }, ctx);
    expect(picker.state?.(candidates)).toEqual([
      { id: 't1', weight: 4, current: -4, effective: 0, inFlight: 0 },
      { id: 't2', weight: 4, current: 4, effective: 4, inFlight: 0 },
    ]);
    expect(sequential(picker, 'oo', [4, 4], 5)).toBe('t2 t2 t2 t2 t1');
  });
});
