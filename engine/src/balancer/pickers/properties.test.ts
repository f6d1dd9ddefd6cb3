/**
 * Properties every picker must keep, over random candidate lists and random sequences of picks and
 * settled requests: the contract of picker.ts, checked by fast-check rather than by examples.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candidate, PickContext, Picker } from '../picker.ts';
import { seededRng } from '../testing.ts';
import { leastConnections } from './least-connections.ts';
import { p2c } from './p2c.ts';
import { peakEwma } from './peak-ewma.ts';
import { random } from './random.ts';
import { roundRobin } from './round-robin.ts';
import { weightedRoundRobin } from './weighted-round-robin.ts';

const pickers: Array<[string, () => Picker]> = [
  ['round-robin', () => roundRobin()],
  ['weighted-round-robin', () => weightedRoundRobin()],
  ['least-connections', () => leastConnections()],
  ['random', () => random()],
  ['p2c', () => p2c()],
  ['peak-ewma', () => peakEwma()],
];

const targetSpec = fc.record({
  eligible: fc.boolean(),
  weight: fc.integer({ min: 1, max: 10 }),
  inFlight: fc.integer({ min: 0, max: 20 }),
});

/** Targets t1..tn: the same ids recur from step to step, as when the balancer rebuilds its list. */
const candidateList = fc
  .array(targetSpec, { minLength: 1, maxLength: 8 })
  .map((specs) => specs.map((spec, i): Candidate => ({ id: `t${i + 1}`, address: `127.0.0.1:${9001 + i}`, ...spec })));

const step = fc.record({
  candidates: candidateList,
  advanceMs: fc.integer({ min: 0, max: 20_000 }),
  settled: fc.option(fc.record({ index: fc.nat(), durationMs: fc.integer({ min: 0, max: 5_000 }), failed: fc.boolean() })),
});

function clock(seed: number): PickContext & { at: number } {
  const ctx = { at: 0, now: () => ctx.at, rng: seededRng(seed) };
  return ctx;
}

describe.each(pickers)('%s keeps the picker contract', (id, create) => {
  it('picks an eligible candidate whenever one exists, none only when none is, and explains the pick', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(step, { minLength: 1, maxLength: 40 }), (seed, steps) => {
        const picker = create();
        const ctx = clock(seed);
        expect(picker.id).toBe(id);
        for (const { candidates, advanceMs, settled } of steps) {
          ctx.at += advanceMs;
          const anyEligible = candidates.some((c) => c.eligible);
          const next = picker.peek?.(candidates);
          const pick = picker.pick(candidates, ctx);
          if (pick.target === null) {
            expect(anyEligible).toBe(false);
            expect(pick.reason).toMatch(new RegExp(`^${id}: `));
          } else {
            expect(candidates).toContain(pick.target);
            expect(pick.target.eligible).toBe(true);
            expect(pick.decision).toMatchObject({ stage: 'pick', algorithm: id });
            expect(pick.decision.reason).toMatch(new RegExp(`^${id}: `));
            expect(pick.decision.candidates?.map((c) => c.id)).toEqual(candidates.map((c) => c.id));
            expect(pick.decision.candidates?.filter((c) => c.chosen).map((c) => c.id)).toEqual([pick.target.id]);
          }
          if (picker.peek) expect(next).toBe(pick.target?.id);
          const state = picker.state?.(candidates);
          if (state !== undefined) expect(JSON.parse(JSON.stringify(state))).toEqual(state);
          if (settled) {
            const target = candidates[settled.index % candidates.length].id;
            picker.onSettled?.({ target, durationMs: settled.durationMs, failed: settled.failed }, ctx);
          }
        }
      }),
    );
  });
});

/** Weights 1-10 on 1-8 targets, some not eligible, at least one eligible. */
const weightedTargets = fc
  .array(fc.record({ eligible: fc.boolean(), weight: fc.integer({ min: 1, max: 10 }) }), { minLength: 1, maxLength: 8 })
  .filter((specs) => specs.some((s) => s.eligible))
  .map((specs) => specs.map((spec, i): Candidate => ({ id: `t${i + 1}`, address: `127.0.0.1:${9001 + i}`, inFlight: 0, ...spec })));

function counts(picker: Picker, candidates: Candidate[], picks: number, ctx: PickContext): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const id = picker.pick(candidates, ctx).target!.id;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

describe('long-run shares follow the weights', () => {
  it.each([
    ['weighted-round-robin', () => weightedRoundRobin()],
    ['least-connections with nothing in flight', () => leastConnections()],
  ])('%s: every total-weight picks give each eligible target exactly its weight', (_, create) => {
    fc.assert(
      fc.property(weightedTargets, fc.integer({ min: 1, max: 3 }), (candidates, rounds) => {
        const eligible = candidates.filter((c) => c.eligible);
        const total = eligible.reduce((sum, c) => sum + c.weight, 0);
        const got = counts(create(), candidates, total * rounds, clock(1));
        expect(Object.fromEntries(got)).toEqual(Object.fromEntries(eligible.map((c) => [c.id, c.weight * rounds])));
      }),
    );
  });

  it('random: 10k picks land within 6 binomial deviations of weight / total', () => {
    // Each run checks up to 8 shares; fast-check draws new cases every time, so the bound must hold for
    // any seed: a correct draw strays past 6 deviations with probability 2e-9 per share, which keeps a
    // false failure below 1e-6 per run of this test, yet a draw that ignored weights would miss by far more.
    fc.assert(
      fc.property(weightedTargets, fc.integer(), (candidates, seed) => {
        const n = 10_000;
        const eligible = candidates.filter((c) => c.eligible);
        const total = eligible.reduce((sum, c) => sum + c.weight, 0);
        const got = counts(random(), candidates, n, clock(seed));
        for (const c of eligible) {
          const p = c.weight / total;
          expect(Math.abs((got.get(c.id) ?? 0) - n * p)).toBeLessThanOrEqual(6 * Math.sqrt(n * p * (1 - p)));
        }
      }),
      { numRuns: 50 },
    );
  });
});
