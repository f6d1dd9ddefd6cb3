import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../events.ts';
import { EventRing, type HeldEvents } from './event-ring.ts';

const event = (seq: number): EngineEvent => ({ type: 'config.applied', name: 'test', nodes: 1, seq, ts: seq }) as EngineEvent;
const seqs = (held: HeldEvents): number[] => {
  const events = JSON.parse(`[${held.json.join(',')}]`) as EngineEvent[];
  expect(events).toHaveLength(held.count);
  return events.map((e) => e.seq);
};

describe('EventRing', () => {
  it('returns the events after a seq, oldest first, sealed or still pending', () => {
    const ring = new EventRing(5, 2);
    for (let seq = 1; seq <= 3; seq++) ring.push(event(seq));
    expect(ring.pending).toBe(1);
    expect(seqs(ring.after(0))).toEqual([1, 2, 3]);
    expect(seqs(ring.after(2))).toEqual([3]);
    expect(seqs(ring.after(3))).toEqual([]);
    expect(seqs(ring.after(99))).toEqual([]);
  });

  it('resumes from the middle of a batch', () => {
    const ring = new EventRing(100, 10);
    for (let seq = 1; seq <= 25; seq++) ring.push(event(seq));
    expect(seqs(ring.after(13))).toEqual([14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  });

  it('drops the oldest batches past its capacity, keeping at least capacity minus one batch', () => {
    const ring = new EventRing(4, 2);
    for (let seq = 1; seq <= 11; seq++) ring.push(event(seq));
    ring.seal();
    expect(ring.size).toBe(3);
    expect(seqs(ring.after(0))).toEqual([9, 10, 11]);
    expect(seqs(ring.after(9))).toEqual([10, 11]);
  });

  it('keeps only the newest events of one batch larger than the whole ring', () => {
    const ring = new EventRing(3, 10);
    for (let seq = 1; seq <= 7; seq++) ring.push(event(seq));
    ring.seal();
    expect(seqs(ring.after(0))).toEqual([5, 6, 7]);
  });

  it('finds the resume point when seqs have gaps', () => {
    const ring = new EventRing(8, 2);
    for (const seq of [2, 5, 6, 9, 12]) ring.push(event(seq));
    expect(seqs(ring.after(5))).toEqual([6, 9, 12]);
    expect(seqs(ring.after(7))).toEqual([9, 12]);
  });

  it('always returns exactly the held events after any seq, and never holds more than its capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.oneof(fc.constant('seal' as const), fc.integer({ min: 1, max: 5 })), { maxLength: 80 }),
        fc.integer({ min: 0, max: 200 }),
        (capacity, batchSize, steps, resumeAt) => {
          const ring = new EventRing(capacity, batchSize);
          let seq = 0;
          for (const step of steps) {
            if (step === 'seal') ring.seal();
            else for (let i = 0; i < step; i++) ring.push(event(++seq));
            expect(ring.size - ring.pending).toBeLessThanOrEqual(capacity);
          }
          const held = seqs(ring.after(0));
          // Contiguous, ending at the newest event, at most `capacity` of them, and no fewer than a batch short.
          expect(held).toEqual(Array.from({ length: held.length }, (_, i) => seq - held.length + 1 + i));
          expect(held.length).toBeLessThanOrEqual(capacity);
          expect(held.length).toBeGreaterThanOrEqual(Math.min(seq, capacity - batchSize + 1));
          expect(seqs(ring.after(resumeAt))).toEqual(held.filter((s) => s > resumeAt));
        },
      ),
    );
  });

  it('rejects a capacity or batch size that is not a positive integer', () => {
    expect(() => new EventRing(0)).toThrow(RangeError);
    expect(() => new EventRing(10, 0)).toThrow(RangeError);
  });
});
