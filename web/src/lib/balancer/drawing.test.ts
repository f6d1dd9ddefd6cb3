import { describe, expect, it } from 'vitest';
import { arcPath, barScale, hashFraction, niceMax, ownerRuns, polar, shortNames, sparklinePath } from './drawing.ts';

describe('balancer drawing maths', () => {
  it('merges equal neighbours into runs, as fractions of the whole', () => {
    expect(ownerRuns(['a', 'a', 'b', 'a'])).toEqual([
      { id: 'a', from: 0, to: 0.5 },
      { id: 'b', from: 0.5, to: 0.75 },
      { id: 'a', from: 0.75, to: 1 },
    ]);
  });

  it('joins a run that wraps past the top of a ring into one arc', () => {
    expect(ownerRuns(['a', 'b', 'b', 'a'], true)).toEqual([
      { id: 'b', from: 0.25, to: 0.75 },
      { id: 'a', from: 0.75, to: 1.25 },
    ]);
    expect(ownerRuns(['a', 'a'], true)).toEqual([{ id: 'a', from: 0, to: 1 }]);
    expect(ownerRuns([], true)).toEqual([]);
  });

  it('places fractions of a turn clockwise from the top', () => {
    const at = (f: number) => {
      const p = polar(100, 100, 50, f);
      return [Math.round(p.x), Math.round(p.y)];
    };
    expect(at(0)).toEqual([100, 50]);
    expect(at(0.25)).toEqual([150, 100]);
    expect(at(0.5)).toEqual([100, 150]);
    expect(at(0.75)).toEqual([50, 100]);
  });

  it('draws arcs with the large-arc flag past half a turn, and a whole turn as two halves', () => {
    expect(arcPath(100, 100, 50, 0, 0.25)).toBe('M100,50 A50,50 0 0 1 150,100');
    expect(arcPath(100, 100, 50, 0, 0.75)).toBe('M100,50 A50,50 0 1 1 50,100');
    expect(arcPath(100, 100, 50, 0, 1)).toBe('M100,50 A50,50 0 0 1 100,150 A50,50 0 0 1 100,50');
  });

  it('puts a 32-bit hash on the ring', () => {
    expect(hashFraction(0)).toBe(0);
    expect(hashFraction(0x80000000)).toBe(0.5);
    expect(hashFraction(0xffffffff)).toBeLessThan(1);
  });

  it('scales bars that may be negative around one zero line', () => {
    const scale = barScale([6, -3, 3], 90);
    expect(scale.zero).toBe(30);
    expect(scale.bar(6)).toEqual({ x: 30, width: 60 });
    expect(scale.bar(-3)).toEqual({ x: 0, width: 30 });
    const flat = barScale([0, 0], 100);
    expect(flat.zero).toBe(0);
    expect(flat.bar(0)).toEqual({ x: 0, width: 0 });
  });

  it('draws a sparkline through time-ordered points, clamped into its box', () => {
    const box = { width: 100, height: 50, t0: 1000, t1: 2000, vMax: 200 };
    expect(sparklinePath([], box)).toBe('');
    expect(
      sparklinePath(
        [
          { t: 1000, v: 0 },
          { t: 1500, v: 100 },
          { t: 2000, v: 400 },
        ],
        box,
      ),
    ).toBe('M0,50 L50,25 L100,0');
  });

  it.each([
    [0, 1],
    [7, 8],
    [68.4, 80],
    [101, 120],
    [200, 200],
    [0.3, 0.3],
  ])('rounds an axis maximum of %s up to %s', (value, nice) => expect(niceMax(value)).toBe(nice));

  it('shortens target names to what tells them apart', () => {
    expect([...shortNames(['users-1', 'users-2', 'users-10']).values()]).toEqual(['1', '2', '10']);
    expect([...shortNames(['alpha', 'beta']).values()]).toEqual(['alpha', 'beta']);
    expect([...shortNames(['svc', 'svc-b']).values()]).toEqual(['svc', 'svc-b']);
    expect([...shortNames(['only']).values()]).toEqual(['only']);
  });
});
