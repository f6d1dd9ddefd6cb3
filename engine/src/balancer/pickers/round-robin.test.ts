import { describe, expect, it } from 'vitest';
import { candidates as targets, context } from '../testing.ts';
import { roundRobin } from './round-robin.ts';

const ctx = context();

function sequence(spec: string, picks: number): string[] {
  const picker = roundRobin();
  const candidates = targets(spec);
  return Array.from({ length: picks }, () => {
    const pick = picker.pick(candidates, ctx);
    return pick.target?.id ?? 'none';
  });
}

describe('round-robin', () => {
  it.each([
    ['ooo', 7, 't1 t2 t3 t1 t2 t3 t1'],
    ['oxo', 4, 't1 t3 t1 t3'],
    ['xxo', 3, 't3 t3 t3'],
    ['xxx', 2, 'none none'],
    ['o', 3, 't1 t1 t1'],
  ])('targets %s (o eligible, x not) give %i picks: %s', (spec, picks, expected) => {
    expect(sequence(spec, picks).join(' ')).toBe(expected);
  });

  it('keeps its place when a target comes back', () => {
    const picker = roundRobin();
    const up = targets('ooo');
    const down = targets('oxo');
    const ids = [up, up, down, down, up, up].map((c) => picker.pick(c, ctx).target?.id);
    expect(ids).toEqual(['t1', 't2', 't3', 't1', 't2', 't3']);
  });

  it('explains the pick, naming skipped targets', () => {
    const picker = roundRobin();
    picker.pick(targets('ooo'), ctx);
    const pick = picker.pick(targets('oxo'), ctx);
    expect(pick.target?.id).toBe('t3');
    if (pick.target) expect(pick.decision.reason).toBe('round-robin: t3 is next in rotation (position 3 of 3); skipped t2 (not eligible)');
  });

  it('peek names the next pick without moving the rotation', () => {
    const picker = roundRobin();
    const c = targets('ooo');
    expect(picker.peek?.(c)).toBe('t1');
    expect(picker.peek?.(c)).toBe('t1');
    expect(picker.pick(c, ctx).target?.id).toBe('t1');
    expect(picker.peek?.(c)).toBe('t2');
  });
});
