/** Who may take a request: table cases for backups, retries and slow start, then fast-check properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leftOut, type EligibilityQuestion } from './eligibility.ts';

const ids = ['a', 'b', 'c'];
const ask = (extra: Partial<EligibilityQuestion>): EligibilityQuestion => ({
  ids,
  backup: [false, false, false],
  ruledOut: [],
  tried: [],
  ...extra,
});

describe('eligibility', () => {
  it('leaves backups out while a primary is eligible', () => {
    expect(leftOut(ask({ backup: [false, false, true] }))).toEqual([
      undefined,
      undefined,
      'backup (used only when no primary is eligible)',
    ]);
  });

  it('uses backups once no primary is', () => {
    expect(leftOut(ask({ backup: [false, false, true], ruledOut: ['ejected', 'draining'] }))).toEqual(['ejected', 'draining', undefined]);
  });

  it('a retry leaves out what it tried, and goes to a backup when every primary was tried', () => {
    expect(leftOut(ask({ tried: ['a'] }))).toEqual(['already tried', undefined, undefined]);
    expect(leftOut(ask({ backup: [false, false, true], tried: ['a', 'b'] }))).toEqual(['already tried', 'already tried', undefined]);
  });

  it('a retry goes back to a tried target only when nothing else is eligible', () => {
    expect(leftOut(ask({ ruledOut: [undefined, 'ejected', 'draining'], tried: ['a'] }))).toEqual([undefined, 'ejected', 'draining']);
  });

  it('slow start holds a warming target back with the chance its ramp leaves, never every target', () => {
    const warming = (i: number) => (i === 1 ? 0.25 : undefined);
    expect(leftOut(ask({ warming, rng: () => 0.5 }))[1]).toBe('slow start (at 25% of its weight, not admitted this time)');
    expect(leftOut(ask({ warming, rng: () => 0.1 }))[1]).toBeUndefined();
    const alone = ask({ ruledOut: ['ejected', undefined, 'draining'], warming, rng: () => 0.99 });
    expect(leftOut(alone)).toEqual(['ejected', undefined, 'draining']);
  });
});

const scenario = fc
  .array(
    fc.record({
      backup: fc.boolean(),
      out: fc.boolean(),
      tried: fc.boolean(),
      warming: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    }),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  .chain((targets) =>
    fc.tuple(fc.constant(targets), fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 8, maxLength: 8 })),
  );

describe('eligibility properties', () => {
  it('holds for any targets, exclusions, tries and slow-start ramps', () => {
    fc.assert(
      fc.property(scenario, ([targets, draws]) => {
        const names = targets.map((_, i) => `t${i}`);
        let draw = 0;
        const why = leftOut({
          ids: names,
          backup: targets.map((t) => t.backup),
          ruledOut: targets.map((t) => (t.out ? 'ejected' : undefined)),
          tried: names.filter((_, i) => targets[i].tried),
          warming: (i) => targets[i].warming ?? undefined,
          rng: () => draws[draw++ % draws.length],
        });
        const eligible = targets.map((_, i) => why[i] === undefined);
        const usable = targets.map((t) => !t.out);
        const fresh = targets.map((t) => !t.out && !t.tried);
        // A target ruled out on its own is never eligible.
        targets.forEach((t, i) => t.out && expect(eligible[i]).toBe(false));
        // "None" only when nothing is usable.
        expect(eligible.some(Boolean)).toBe(usable.some(Boolean));
        // A fresh primary exists: only fresh primaries are eligible.
        if (targets.some((t, i) => fresh[i] && !t.backup))
          targets.forEach((t, i) => eligible[i] && expect(fresh[i] && !t.backup).toBe(true));
        // No fresh primary but a fresh backup: only fresh backups are eligible.
        else if (targets.some((t, i) => fresh[i] && t.backup))
          targets.forEach((t, i) => eligible[i] && expect(fresh[i] && t.backup).toBe(true));
        // A tried target is eligible only when no target at all is fresh.
        targets.forEach((t, i) => {
          if (eligible[i] && t.tried) expect(fresh.some(Boolean)).toBe(false);
        });
      }),
      { numRuns: 500 },
    );
  });
});
