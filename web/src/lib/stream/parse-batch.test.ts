import { describe, expect, it } from 'vitest';
import { isDroppedNotice, parseBatch } from './parse-batch.ts';

const received = { type: 'request.received', seq: 1, ts: 1000, rid: 'r1', node: 'edge', from: 'client', method: 'GET', path: '/', peer: '127.0.0.1' };

describe('parseBatch', () => {
  it('reads an array batch in order', () => {
    const batch = parseBatch(JSON.stringify([received, { ...received, seq: 2, rid: 'r2' }]));
    expect(batch.map((e) => ('seq' in e ? e.seq : 0))).toEqual([1, 2]);
  });

  it('treats a lone object as a batch of one', () => {
    expect(parseBatch(JSON.stringify(received))).toHaveLength(1);
  });

  it('keeps dropped notices, recognisably', () => {
    const [notice] = parseBatch(JSON.stringify([{ type: 'stream.dropped', dropped: 3, total: 10 }]));
    expect(isDroppedNotice(notice)).toBe(true);
  });

  it.each([['not json'], ['42'], ['null'], ['[1, "x", null, {"no":"type"}]'], ['']])('skips junk: %s', (data) => {
    expect(parseBatch(data)).toEqual([]);
  });
});
