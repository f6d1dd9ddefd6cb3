import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../engine/src/events.ts';
import { chosenCandidate, distribution, numberField, PickHistory, picksBy, type PickRecord } from './pick-history.ts';

function pick(to: string, n: number, algorithm = 'round-robin', candidates?: Decision['candidates']): PickRecord {
  return { rid: `r${n}`, ts: n, to, decision: { stage: 'pick', algorithm, reason: `${algorithm}: ${to}`, candidates } };
}

describe('pick history', () => {
  it('keeps the newest picks per balancer, newest first, up to its capacity', () => {
    const history = new PickHistory(3);
    for (let n = 1; n <= 5; n++) history.record('users', pick(`t${n}`, n));
    history.record('other', pick('x', 9));
    expect(history.snapshot().users.map((p) => p.rid)).toEqual(['r5', 'r4', 'r3']);
    expect(history.latest('users')?.rid).toBe('r5');
    history.clear();
    expect(history.snapshot()).toEqual({});
  });

  it('shares come from the engine’s pick counts, in target order', () => {
    expect(distribution([{ id: 'a', picks: 5 }, { id: 'b', picks: 1 }, { id: 'c', picks: 1 }])).toEqual({
      total: 7,
      shares: [
        { id: 'a', count: 5, share: 5 / 7 },
        { id: 'b', count: 1, share: 1 / 7 },
        { id: 'c', count: 1, share: 1 / 7 },
      ],
    });
  });

  it('zeroes shares before any pick, and reads a missing count as none', () => {
    expect(distribution([{ id: 'a', picks: 0 }, { id: 'b' }])).toEqual({
      total: 0,
      shares: [
        { id: 'a', count: 0, share: 0 },
        { id: 'b', count: 0, share: 0 },
      ],
    });
  });

  it('filters by algorithm and reads the chosen candidate’s numbers', () => {
    const picks = [pick('a', 2, 'maglev', [{ id: 'a', eligible: true, chosen: true, slot: 17 }]), pick('b', 1)];
    expect(picksBy(picks, 'maglev').map((p) => p.to)).toEqual(['a']);
    expect(numberField(chosenCandidate(picks[0]), 'slot')).toBe(17);
    expect(numberField(chosenCandidate(picks[0]), 'keyHash')).toBeUndefined();
    expect(chosenCandidate(picks[1])).toBeUndefined();
  });
});
