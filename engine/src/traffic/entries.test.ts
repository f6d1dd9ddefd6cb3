/** The sticky failover rule, driven with an explicit clock: exact sequences of entries. */
import { describe, expect, it } from 'vitest';
import { EntryChoice } from './entries.ts';

describe('EntryChoice', () => {
  it('sends to the first entry while it answers', () => {
    const choice = new EntryChoice(['a', 'b'], 1_000);
    for (let t = 0; t < 5; t++) {
      expect(choice.pick(t)).toBe(0);
      choice.answered(0);
    }
    expect(choice.counts()).toEqual([
      { to: 'a', sent: 5, answered: 5, unreached: 0 },
      { to: 'b', sent: 0, answered: 0, unreached: 0 },
    ]);
    expect(choice.failovers).toBe(0);
  });

  it('fails over once per request, stays on the entry that works, and re-probes the first after failback', () => {
    const choice = new EntryChoice(['a', 'b'], 1_000);
    expect(choice.pick(0)).toBe(0);
    expect(choice.unreached(0, 0, true)).toBe(1);
    expect(choice.inUse).toBe('b');
    choice.answered(1);
    // Sticky: the next requests go to b at once, without trying a again.
    expect(choice.pick(10)).toBe(1);
    expect(choice.pick(999)).toBe(1);
    // failback passed: one request re-probes a; the others still go to b.
    expect(choice.pick(1_000)).toBe(0);
    expect(choice.pick(1_001)).toBe(1);
    // a still refuses: the probe is retried at b (the entry in use), and the next probe is failback later.
    expect(choice.unreached(0, 1_002, true)).toBe(1);
    expect(choice.inUse).toBe('b');
    expect(choice.pick(1_999)).toBe(1);
    expect(choice.pick(2_000)).toBe(0);
    // a answers again: the flow is back on it.
    choice.answered(0);
    expect(choice.inUse).toBe('a');
    expect(choice.pick(2_001)).toBe(0);
    expect(choice.failovers).toBe(2);
  });

  it('a request already in flight to the old entry is retried at the one in use; a retry that fails is not retried again', () => {
    const choice = new EntryChoice(['a', 'b', 'c'], 1_000);
    choice.pick(0);
    choice.pick(0);
    expect(choice.unreached(0, 5, true)).toBe(1);
    // The second request failed at a after the flow moved to b: retried at b, b stays in use.
    expect(choice.unreached(0, 6, true)).toBe(1);
    expect(choice.inUse).toBe('b');
    // b fails a retry: the flow moves on to c, and that request is lost.
    expect(choice.unreached(1, 7, false)).toBeUndefined();
    expect(choice.inUse).toBe('c');
    expect(choice.pick(8)).toBe(2);
  });

  it('with one entry there is nowhere to fail over to', () => {
    const choice = new EntryChoice(['a'], 1_000);
    choice.pick(0);
    expect(choice.unreached(0, 0, true)).toBeUndefined();
    expect(choice.inUse).toBe('a');
    expect(choice.failovers).toBe(0);
  });
});
