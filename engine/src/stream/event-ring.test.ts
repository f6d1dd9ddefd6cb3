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

  it('counts the events before its start as lost, never as sampled out', () => {
    const ring = new EventRing(10, 2, Number.POSITIVE_INFINITY, 4);
    expect(ring.evictedThrough).toBe(4);
    for (let seq = 5; seq <= 7; seq++) ring.push(event(seq));
    expect(seqs(ring.after(0))).toEqual([5, 6, 7]);
    expect(ring.sampledOutAfter(0, 7, 3)).toBe(0);
    expect(ring.sampledOutAfter(5, 7, 2)).toBe(0);
  });

  it('rejects a capacity, batch size or request-event budget that is not positive', () => {
    expect(() => new EventRing(0)).toThrow(RangeError);
    expect(() => new EventRing(10, 0)).toThrow(RangeError);
    expect(() => new EventRing(10, 2, 0)).toThrow(RangeError);
    expect(() => new EventRing(10, 2, Number.NaN)).toThrow(RangeError);
    expect(() => new EventRing(10, 2, 10, -1)).toThrow(RangeError);
  });
});

describe('EventRing history sample', () => {
  /** A per-request event of request `rid` at `ts` ms. */
  const requestEvent = (seq: number, rid: string, ts: number): EngineEvent =>
    ({ type: 'request.received', rid, node: 'edge', from: 'client', method: 'GET', path: '/', peer: '127.0.0.1', seq, ts }) as EngineEvent;
  const aggregate = (seq: number, ts: number): EngineEvent => ({ type: 'metrics.tick', nodes: {}, seq, ts }) as EngineEvent;
  const held = (ring: EventRing, after = 0): EngineEvent[] => {
    const out = ring.after(after);
    return JSON.parse(`[${out.json.join(',')}]`) as EngineEvent[];
  };

  it('keeps every event while the previous second stayed within the budget', () => {
    const ring = new EventRing(1_000, 16, 10);
    let seq = 0;
    for (let i = 0; i < 10; i++) ring.push(requestEvent(++seq, `a${i}`, 1_000 + i));
    for (let i = 0; i < 10; i++) ring.push(requestEvent(++seq, `b${i}`, 2_000 + i));
    expect(ring.sampleOneIn).toBe(1);
    expect(held(ring)).toHaveLength(20);
    expect(ring.sampledOut).toBe(0);
  });

  it('above the budget keeps whole requests, 1 in rate/budget, and every aggregate event', () => {
    const ring = new EventRing(10_000, 64, 100);
    let seq = 0;
    // Second 1: 400 per-request events (4 per request), four times the budget.
    for (let r = 0; r < 100; r++) for (let hop = 0; hop < 4; hop++) ring.push(requestEvent(++seq, `first-${r}`, 1_000 + r));
    // Second 2: sampled 1 in 4, by request; the metrics ticks stay.
    for (let r = 0; r < 400; r++) {
      for (let hop = 0; hop < 4; hop++) ring.push(requestEvent(++seq, `second-${r}`, 2_000 + r));
      if (r % 100 === 0) ring.push(aggregate(++seq, 2_000 + r));
    }
    expect(ring.sampleOneIn).toBe(4);
    const second = held(ring).filter((e) => e.ts >= 2_000);
    const perRequest = new Map<string, number>();
    for (const e of second) if ('rid' in e) perRequest.set(e.rid, (perRequest.get(e.rid) ?? 0) + 1);
    expect([...perRequest.values()].every((n) => n === 4)).toBe(true);
    // FNV-1a spreads the ids: about a quarter of the 400 requests are kept.
    expect(perRequest.size).toBeGreaterThan(60);
    expect(perRequest.size).toBeLessThan(140);
    expect(second.filter((e) => e.type === 'metrics.tick')).toHaveLength(4);
    expect(ring.sampledOut).toBe((400 - perRequest.size) * 4);
  });

  it('keeps everything again after a quiet second', () => {
    const ring = new EventRing(10_000, 64, 10);
    let seq = 0;
    for (let r = 0; r < 100; r++) ring.push(requestEvent(++seq, `busy-${r}`, 1_000 + r));
    for (let r = 0; r < 100; r++) ring.push(requestEvent(++seq, `sampled-${r}`, 2_000 + r));
    expect(ring.sampleOneIn).toBe(10);
    // Second 3 had no request events at all: second 4 keeps every request.
    for (let r = 0; r < 5; r++) ring.push(requestEvent(++seq, `calm-${r}`, 4_000 + r));
    expect(ring.sampleOneIn).toBe(1);
    expect(held(ring).filter((e) => e.ts >= 4_000)).toHaveLength(5);
  });

  it('accounts for every event after a resume point: held, sampled out, or evicted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 400 }),
        (capacity, batchSize, budget, seconds, resumeAt) => {
          const ring = new EventRing(capacity, batchSize, budget);
          let seq = 0;
          let rid = 0;
          seconds.forEach(([requests, aggregates, seal], second) => {
            for (let r = 0; r < requests; r++) {
              rid++;
              for (let hop = 0; hop < 3; hop++) ring.push(requestEvent(++seq, `r${rid}`, (second + 1) * 1_000 + r));
            }
            for (let a = 0; a < aggregates; a++) ring.push(aggregate(++seq, (second + 1) * 1_000 + 999));
            if (seal) ring.seal();
          });
          const from = Math.min(resumeAt, seq);
          const kept = held(ring, from);
          const lost = Math.max(0, ring.evictedThrough - from);
          expect(kept.length + ring.sampledOutAfter(from, seq, kept.length) + lost).toBe(seq - from);
          expect(ring.sampledOutAfter(from, seq, kept.length)).toBeGreaterThanOrEqual(0);
          expect(kept.every((e) => e.seq > Math.max(from, ring.evictedThrough))).toBe(true);
        },
      ),
    );
  });
});
