import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../../engine/src/events.ts';
import { Recorder } from './recorder.ts';

const tick = (seq: number): EngineEvent => ({ type: 'metrics.tick', seq, ts: seq, nodes: {} });
const seqs = (batches: { items: readonly unknown[] }[]) => batches.flatMap((b) => b.items.map((i) => (i as { seq: number }).seq));

describe('Recorder', () => {
  it('hands back the batches between two times, in arrival order, after `from` and up to `to`', () => {
    const recorder = new Recorder();
    recorder.record([tick(1), tick(2)], 1000);
    recorder.record([tick(3)], 2000);
    recorder.record([tick(4)], 3000);
    expect(seqs(recorder.between(1000, 3000))).toEqual([3, 4]);
    expect(seqs(recorder.between(0, 2500))).toEqual([1, 2, 3]);
    expect(seqs(recorder.between(3000, 9000))).toEqual([]);
    expect(seqs(recorder.between(2500, 1000))).toEqual([]);
  });

  it('keeps arrival order when a batch says it arrived before the one before it', () => {
    const recorder = new Recorder();
    recorder.record([tick(1)], 2000);
    recorder.record([tick(2)], 1500);
    expect(seqs(recorder.between(0, 1999))).toEqual([]);
    expect(seqs(recorder.between(0, 2000))).toEqual([1, 2]);
  });

  it('forgets what is older than its window', () => {
    const recorder = new Recorder({ keepMs: 10_000 });
    for (let s = 0; s <= 30; s++) recorder.record([tick(s)], s * 1000);
    expect(recorder.oldest).toBe(20_000);
    expect(recorder.newest).toBe(30_000);
    expect(recorder.size).toBe(11);
    expect(seqs(recorder.between(-Infinity, Infinity))[0]).toBe(20);
  });

  it('holds no more than its item count however busy the stream, dropping whole batches from the front', () => {
    const recorder = new Recorder({ keepMs: 120_000, maxItems: 100 });
    for (let i = 0; i < 5000; i++) recorder.record([tick(2 * i), tick(2 * i + 1)], i);
    expect(recorder.size).toBe(100);
    const kept = seqs(recorder.between(-Infinity, Infinity));
    expect(kept).toHaveLength(100);
    expect(kept.at(-1)).toBe(9999);
    expect(kept[0]).toBe(9900);
  });

  it('ignores empty batches and starts again when cleared', () => {
    const recorder = new Recorder();
    recorder.record([], 5);
    expect(recorder.oldest).toBeUndefined();
    recorder.record([tick(1)], 10);
    recorder.clear();
    expect(recorder.size).toBe(0);
    expect(recorder.between(-Infinity, Infinity)).toEqual([]);
  });
});
