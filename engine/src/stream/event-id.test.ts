import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus.ts';
import { formatEventId, isRunId, parseEventId } from './event-id.ts';

describe('event ids', () => {
  it('round-trips a run id and a seq', () => {
    expect(formatEventId('a1b2c3d4', 42)).toBe('a1b2c3d4-42');
    expect(parseEventId('a1b2c3d4-42')).toEqual({ runId: 'a1b2c3d4', seq: 42 });
    expect(parseEventId(' a1b2c3d4-0 ')).toEqual({ runId: 'a1b2c3d4', seq: 0 });
  });

  it.each([
    ['a bare seq, from before ids named their run', '5000'],
    ['an empty string', ''],
    ['no seq', 'a1b2c3d4-'],
    ['no run', '-42'],
    ['a negative seq', 'a1b2c3d4--1'],
    ['a fractional seq', 'a1b2c3d4-1.5'],
    ['a seq past what a number holds exactly', 'a1b2c3d4-1234567890123456'],
    ['an upper-case run id', 'A1B2-4'],
    ['a run id with a dash', 'a1-b2-4'],
    ['a run id longer than 16', `${'a'.repeat(17)}-4`],
    ['trailing junk', 'a1b2c3d4-42x'],
  ])('reads %s as no id of any run', (_, id) => {
    expect(parseEventId(id)).toBeUndefined();
  });

  it('gives every bus a fresh run id that ids can carry, or the one it is given', () => {
    const runs = new Set(Array.from({ length: 50 }, () => new EventBus().runId));
    expect(runs.size).toBe(50);
    for (const run of runs) expect(parseEventId(formatEventId(run, 7))).toEqual({ runId: run, seq: 7 });
    expect(new EventBus(undefined, 'fixed1').runId).toBe('fixed1');
    expect(isRunId('fixed-1')).toBe(false);
    expect(() => new EventBus(undefined, 'fixed-1')).toThrow(RangeError);
  });
});
