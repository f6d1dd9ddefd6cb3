import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contrast } from '../../test/contrast.ts';
import { NEUTRAL_COLOUR, TARGET_PALETTE, TargetColours, naturalCompare, targetIds } from './target-colours.ts';

const SANDBOX = ['orders-1', 'users-1', 'users-2', 'users-3'];
const coloursOf = (ids: readonly string[], within = ids) => {
  const colours = new TargetColours(within);
  return Object.fromEntries(ids.map((id) => [id, colours.colour(id)]));
};

describe('target colours', () => {
  it('gives the same colours after a reload (a fresh assignment) and after the targets are reordered', () => {
    const first = coloursOf(SANDBOX);
    expect(coloursOf(SANDBOX)).toEqual(first);
    expect(coloursOf(SANDBOX, [...SANDBOX].reverse())).toEqual(first);
    expect(coloursOf(SANDBOX, ['users-2', 'orders-1', 'users-3', 'users-1'])).toEqual(first);
  });

  it('recolours none of the sandbox services when one is added, or when any one of them is removed', () => {
    const before = coloursOf(SANDBOX);
    expect(coloursOf(SANDBOX, [...SANDBOX, 'users-4'])).toEqual(before);
    expect(coloursOf(SANDBOX, [...SANDBOX, 'auth'])).toEqual(before);
    for (const gone of SANDBOX) {
      const kept = SANDBOX.filter((id) => id !== gone);
      expect(coloursOf(kept, kept)).toEqual(coloursOf(kept, SANDBOX));
    }
  });

  it('never recolours an id that sorts before the one added or removed (any set, any id)', () => {
    const id = fc.stringMatching(/^[a-z]{1,6}(-[0-9]{1,2})?$/);
    fc.assert(
      fc.property(fc.uniqueArray(id, { minLength: 1, maxLength: 10 }), id, (ids, added) => {
        fc.pre(!ids.includes(added));
        const without = new TargetColours(ids);
        const withIt = new TargetColours([...ids, added]);
        for (const other of ids) if (naturalCompare(other, added) < 0) expect(withIt.slot(other)).toBe(without.slot(other));
      }),
    );
  });

  it('gives distinct colours to as many ids as the palette has colours, whatever their names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: TARGET_PALETTE.length }), (ids) => {
        const colours = new TargetColours(ids);
        expect(new Set(ids.map((id) => colours.colour(id))).size).toBe(ids.length);
      }),
    );
  });

  it('is grey for no target or an unknown one', () => {
    const colours = new TargetColours(SANDBOX);
    expect(colours.colour(undefined)).toBe(NEUTRAL_COLOUR);
    expect(colours.colour('gone')).toBe(NEUTRAL_COLOUR);
    expect(colours.slot('gone')).toBe(-1);
    expect(TARGET_PALETTE).not.toContain(NEUTRAL_COLOUR);
  });

  it('stands out on the dark stage and panels (at least 3:1, the WCAG contrast for graphics)', () => {
    for (const colour of [...TARGET_PALETTE, NEUTRAL_COLOUR]) {
      for (const background of ['#0e1420', '#151d2c', '#1b2536']) expect(contrast(colour, background)).toBeGreaterThanOrEqual(3);
    }
  });

  it('colours every service and every target of a balancer, and nothing else', () => {
    const ids = targetIds([
      { id: 'edge', kind: 'proxy', upstreams: [{ to: 'front' }] },
      { id: 'front', kind: 'balancer', upstreams: [{ to: 'cache-a' }, { to: 'cache-b' }] },
      { id: 'cache-a', kind: 'proxy', upstreams: [{ to: 'app' }] },
      { id: 'cache-b', kind: 'proxy', upstreams: [{ to: 'app' }] },
      { id: 'app', kind: 'service', upstreams: [] },
    ]);
    expect(new Set(ids)).toEqual(new Set(['cache-a', 'cache-b', 'app']));
  });

  it('sorts names with their numbers as numbers', () => {
    expect(['users-10', 'users-2', 'orders-1', 'users-1'].sort(naturalCompare)).toEqual(['orders-1', 'users-1', 'users-2', 'users-10']);
  });
});
