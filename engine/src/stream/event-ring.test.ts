import { describe, expect, it } from 'vitest';
import { EventRing, type HeldEvent } from './event-ring.ts';

const event = (seq: number): HeldEvent => ({ seq, json: JSON.stringify({ type: 'config.applied', name: 'test', nodes: 1, seq, ts: seq }) });
const seqs = (events: HeldEvent[]) => events.map((e) => e.seq);

describe('EventRing', () => {
  it('returns the events after a seq, oldest first', () => {
    const ring = new EventRing(5);
    for (let seq = 1; seq <= 3; seq++) ring.push(event(seq));
    expect(seqs(ring.after(0))).toEqual([1, 2, 3]);
    expect(seqs(ring.after(2))).toEqual([3]);
    expect(seqs(ring.after(3))).toEqual([]);
    expect(seqs(ring.after(99))).toEqual([]);
  });

  it('overwrites the oldest events past its capacity', () => {
    const ring = new EventRing(4);
    for (let seq = 1; seq <= 11; seq++) ring.push(event(seq));
    expect(ring.size).toBe(4);
    expect(seqs(ring.after(0))).toEqual([8, 9, 10, 11]);
    expect(seqs(ring.after(9))).toEqual([10, 11]);
  });

  it('finds the resume point when seqs have gaps', () => {
    const ring = new EventRing(8);
    for (const seq of [2, 5, 6, 9, 12]) ring.push(event(seq));
    expect(seqs(ring.after(5))).toEqual([6, 9, 12]);
    expect(seqs(ring.after(7))).toEqual([9, 12]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new EventRing(0)).toThrow(RangeError);
  });
});
