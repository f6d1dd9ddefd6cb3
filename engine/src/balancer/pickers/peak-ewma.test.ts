import { describe, expect, it } from 'vitest';
import type { PickContext, Picker } from '../picker.ts';
import { candidates as targets, context, seededRng } from '../testing.ts';
import { peakEwma } from './peak-ewma.ts';

/** A context with a clock the test moves, and an rng that may be scripted. */
function clock(rng: () => number = seededRng(1)): PickContext & { at: number } {
  const ctx = { at: 0, now: () => ctx.at, rng };
  return ctx;
}

function scripted(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

function estimates(picker: Picker, spec = 'ooo', inFlight: number[] = []): number[] {
  return (picker.state?.(targets(spec, [], inFlight)) as Array<{ estimateMs: number }>).map((s) => s.estimateMs);
}

describe('peak-ewma', () => {
  describe('estimate', () => {
    const decayAfterTau = 300 * Math.exp(-1) + 100 * (1 - Math.exp(-1));

    it.each([
      ['a slower response replaces the estimate at once (the peak)', [[0, 300]], 300],
      [
        'a faster response with no time elapsed changes nothing',
        [
          [0, 300],
          [0, 100],
        ],
        300,
      ],
      [
        'a faster response one tau later moves it 1 - 1/e of the way',
        [
          [0, 300],
          [10_000, 100],
        ],
        decayAfterTau,
      ],
      [
        'a faster response long after replaces it almost entirely',
        [
          [0, 300],
          [400_000, 100],
        ],
        100,
      ],
      ['a new target starts at defaultRttMs, so a fast first answer at once changes nothing', [[0, 20]], 100],
    ])('%s', (_, responses, expected) => {
      const picker = peakEwma();
      const ctx = clock();
      picker.pick(targets('o'), ctx);
      for (const [at, durationMs] of responses) {
        ctx.at = at;
        picker.onSettled?.({ target: 't1', durationMs, failed: false }, ctx);
      }
      expect(estimates(picker, 'o')[0]).toBeCloseTo(expected, 9);
    });

    it('reads tau and defaultRttMs from its options', () => {
      const picker = peakEwma({ tau: 1000, defaultRttMs: 50 });
      const ctx = clock();
      expect(estimates(picker, 'o')).toEqual([50]);
      picker.pick(targets('o'), ctx);
      ctx.at = 1000;
      picker.onSettled?.({ target: 't1', durationMs: 10, failed: false }, ctx);
      expect(estimates(picker, 'o')[0]).toBeCloseTo(50 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), 9);
    });

    it.each([[{ tau: 0 }], [{ tau: -5 }], [{ tau: 'slow' }], [{ defaultRttMs: -1 }], [{ defaultRttMs: Number.NaN }]])(
      'rejects %j when built',
      (options) => {
        expect(() => peakEwma(options)).toThrow(RangeError);
      },
    );
  });

  it('state shows each estimate and its cost, estimate x (inFlight + 1)', () => {
    const picker = peakEwma();
    const ctx = clock();
    picker.pick(targets('oo'), ctx);
    picker.onSettled?.({ target: 't2', durationMs: 250, failed: false }, ctx);
    expect(picker.state?.(targets('oo', [], [3, 1]))).toEqual([
      { id: 't1', inFlight: 3, estimateMs: 100, cost: 400, updatedAt: 0 },
      { id: 't2', inFlight: 1, estimateMs: 250, cost: 500, updatedAt: 0 },
    ]);
  });

  it.each([
    // Two distinct draws: the first rng value picks among all eligible, the second among the rest.
    ['ooo', [2, 0, 0], [0.1, 0.9], 't3', 'peak-ewma: drew t1 (cost 300 = 100 ms x 3) and t3 (cost 100 = 100 ms x 1); t3 costs less'],
    [
      'ooo',
      [0, 0, 0],
      [0.9, 0.1],
      't3',
      'peak-ewma: drew t3 (cost 100 = 100 ms x 1) and t1 (cost 100 = 100 ms x 1); a tie goes to the first draw, t3',
    ],
    // the second draw skips the first: 0.1 of the remaining [t2, t3] is t2, never t1 again
    ['ooo', [0, 1, 0], [0.1, 0.1], 't1', 'peak-ewma: drew t1 (cost 100 = 100 ms x 1) and t2 (cost 200 = 100 ms x 2); t1 costs less'],
    ['xoo', [0, 4, 0], [0.1, 0.1], 't3', 'peak-ewma: drew t2 (cost 500 = 100 ms x 5) and t3 (cost 100 = 100 ms x 1); t3 costs less'],
    ['xox', [0, 4, 0], [0.5], 't2', 'peak-ewma: t2 is the only eligible target (cost 500 = 100 ms x 5)'],
  ])('%s in flight %j, rng %j: %s', (spec, inFlight, draws, expected, reason) => {
    const pick = peakEwma().pick(targets(spec, [], inFlight), clock(scripted(...draws)));
    expect(pick.target?.id).toBe(expected);
    expect(pick.target && pick.decision.reason).toBe(reason);
  });

  it('marks both draws and their costs in the decision', () => {
    const pick = peakEwma().pick(targets('oxo', [], [2, 0, 0]), clock(scripted(0.1, 0.1)));
    expect(pick.target && pick.decision.candidates).toEqual([
      { id: 't1', inFlight: 2, estimateMs: 100, cost: 300, eligible: true, drawn: true, chosen: false },
      { id: 't2', inFlight: 0, estimateMs: 100, cost: 100, eligible: false, drawn: false, chosen: false },
      { id: 't3', inFlight: 0, estimateMs: 100, cost: 100, eligible: true, drawn: true, chosen: true },
    ]);
  });

  it('returns none with a reason when nothing is eligible', () => {
    expect(peakEwma().pick(targets('xx'), context())).toEqual({ target: null, reason: 'peak-ewma: no eligible target' });
  });

  it('moves traffic off a target that turns slow, and back once its estimate has decayed', () => {
    const picker = peakEwma();
    const ctx = clock(seededRng(3));
    const candidates = targets('ooo');
    const latency: Record<string, number> = { t1: 20, t2: 20, t3: 20 };
    /** Sequential traffic, one request every 100 ms, each settled with its target's latency: t3's share. */
    const share = (picks: number): number => {
      let slow = 0;
      for (let i = 0; i < picks; i++) {
        ctx.at += 100;
        const id = picker.pick(candidates, ctx).target!.id;
        if (id === 't3') slow++;
        picker.onSettled?.({ target: id, durationMs: latency[id], failed: false }, ctx);
      }
      return slow / picks;
    };

    share(600); // a minute for every estimate to settle from the 100 ms default to 20 ms
    expect(share(300)).toBeGreaterThan(0.2);
    ctx.at += 100;
    picker.onSettled?.({ target: 't3', durationMs: 2000, failed: false }, ctx);
    expect(estimates(picker)[2]).toBe(2000);
    // For the next 30 s t3's estimate stays above the others' 20 ms (2000 ms x e^-3 = 100 ms), so it
    // loses every pair it is drawn in.
    expect(share(300)).toBe(0);
    // After about tau x ln(2000 / 20) = 46 s it is cheap enough to win again, and answers fast.
    share(300);
    expect(share(300)).toBeGreaterThan(0.2);
  });

  it('reading a drawn target decays its estimate towards 0, so a spike is forgotten without new answers', () => {
    const picker = peakEwma();
    const ctx = clock(scripted(0.1, 0.9));
    picker.pick(targets('ooo'), ctx);
    picker.onSettled?.({ target: 't3', durationMs: 2000, failed: false }, ctx);
    ctx.at = 10_000;
    const pick = picker.pick(targets('ooo'), ctx);
    const t3 = pick.target && pick.decision.candidates?.find((c) => c.id === 't3');
    expect(t3?.estimateMs).toBeCloseTo(2000 * Math.exp(-1), 9);
    expect(picker.state?.(targets('ooo'))).toContainEqual({
      id: 't3',
      inFlight: 0,
      estimateMs: t3?.estimateMs,
      cost: t3?.estimateMs,
      updatedAt: 10_000,
    });
  });
});
