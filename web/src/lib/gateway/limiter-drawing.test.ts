import { describe, expect, it } from 'vitest';
import type { LimitSpec } from '../../../../engine/src/config/gateway/rate-limit.ts';
import { LIMITERS } from '../../../../engine/src/gateway/limiters/index.ts';
import type { Limiter } from '../../../../engine/src/gateway/limiters/limiter.ts';
import type { LimitPoint } from './limit-history.ts';
import { drawingAt, fraction, gcraAxis, logAxis, windowStartOf, type DrawnShape } from './limiter-drawing.ts';

/** The engine's own limiter for `spec` (windows in ms, as the config parses them). */
function engineLimiter(spec: DrawnShape): Limiter {
  const make = LIMITERS[spec.algorithm as LimitSpec['algorithm']] as (s: unknown) => Limiter;
  return make({ key: 'ip', ...spec });
}

/** `take` at each time, recorded as the page records the decisions. */
function decide(limiter: Limiter, times: readonly number[], points: LimitPoint[] = []): LimitPoint[] {
  for (const ts of times) {
    const d = limiter.take('k', ts);
    points.push({ limiter: d.limiter, ts, allowed: d.allowed, remaining: d.remaining, quota: d.quota, level: d.level, delayMs: d.delayMs });
  }
  return points;
}

/**
 * The drawing holds to the engine between decisions: after each `take`, at the decision, halfway to
 * the next, a ms before the next (and 2 s on after the last), `field` drawn is the engine's `view`.
 */
function expectAgreement(shape: DrawnShape, times: readonly number[], field: string, digits = 9): void {
  const limiter = engineLimiter(shape);
  const points: LimitPoint[] = [];
  times.forEach((ts, i) => {
    decide(limiter, [ts], points);
    const next = times[i + 1] ?? ts + 2000;
    for (const t of new Set([ts, (ts + next) / 2, Math.max(ts, next - 1)])) {
      const drawn = (drawingAt(points, shape, t) as unknown as Record<string, unknown>)[field];
      const engine = (limiter.view('k', t) as unknown as Record<string, unknown>)[field];
      if (typeof engine === 'number') expect(drawn, `${field} at ${t}`).toBeCloseTo(engine, digits);
      else expect(drawn, `${field} at ${t}`).toEqual(engine);
    }
  });
}

const burst = (at: number, n: number) => Array.from({ length: n }, () => at);

describe('drawingAt', () => {
  it('draws nothing before the first decision, and only from decisions of its own algorithm', () => {
    expect(drawingAt([], { algorithm: 'token-bucket', rate: 10 }, 0)).toBeUndefined();
    // Requests decided just before a switch end after it: the old algorithm's levels mean something else.
    const shape = { algorithm: 'fixed-window', limit: 3, window: 1000 };
    const before = decide(engineLimiter({ algorithm: 'token-bucket', rate: 1, burst: 10 }), [100, 200]);
    expect(drawingAt(before, shape, 300)).toBeUndefined();
    const points = decide(engineLimiter(shape), [150], before);
    expect(drawingAt(points, shape, 300)).toMatchObject({ count: 1, decidedAt: 150 });
  });

  it('token bucket: 5 taken from a full bucket of 20 leaves 15 at once, refilled to 20 at 10/s after 500 ms', () => {
    const shape = { algorithm: 'token-bucket', rate: 10, burst: 20 };
    const points = decide(engineLimiter(shape), burst(0, 5));
    expect(drawingAt(points, shape, 0)).toMatchObject({ kind: 'token-bucket', tokens: 15, capacity: 20, ratePerSecond: 10 });
    expect(drawingAt(points, shape, 200)).toMatchObject({ tokens: 17 });
    expect(drawingAt(points, shape, 500)).toMatchObject({ tokens: 20 });
    expect(drawingAt(points, shape, 5000)).toMatchObject({ tokens: 20 });
    // And the engine agrees between decisions, after refusals too.
    expectAgreement(shape, [...burst(0, 5), ...burst(600, 25), 700, 730, 731, 1500], 'tokens');
    expectAgreement({ algorithm: 'token-bucket', rate: 3, burst: 2 }, [0, 0, 0, 100, 350, 360, 700], 'tokens');
  });

  it('leaky bucket: the excess drains at the rate; a refusal leaves it as it was; the delay setting shows', () => {
    const shape = { algorithm: 'leaky-bucket', rate: 2, burst: 3 };
    const points = decide(engineLimiter(shape), burst(1000, 6));
    expect(points.map((p) => (p.allowed ? (p.delayMs > 0 ? 'D' : 'A') : 'R')).join('')).toBe('ADDDRR');
    expect(drawingAt(points, shape, 1000)).toMatchObject({ kind: 'leaky-bucket', excess: 3, burst: 3, ratePerSecond: 2, delay: 0 });
    expect(drawingAt(points, shape, 1500)).toMatchObject({ excess: 2 });
    expect(drawingAt(points, shape, 9000)).toMatchObject({ excess: 0 });
    // nginx leaks in whole thousandths: the drawing is within one of them.
    expectAgreement(shape, [...burst(1000, 6), 1100, 1400, 1401, 2000, 2900], 'excess', 2);
    expect(drawingAt(points, { ...shape, nodelay: true }, 1000)).toMatchObject({ delay: 'nodelay' });
  });

  it('fixed window: the count holds inside the clock-aligned window and is 0 from its boundary', () => {
    const shape = { algorithm: 'fixed-window', limit: 3, window: 2000 };
    const limiter = engineLimiter(shape);
    const points = decide(limiter, [2500, 2600, 2700, 2800]);
    expect(points.map((p) => p.allowed)).toEqual([true, true, true, false]);
    expect(drawingAt(points, shape, 3999)).toMatchObject({ kind: 'fixed-window', windowStart: 2000, windowMs: 2000, count: 3, limit: 3 });
    expect(drawingAt(points, shape, 4000)).toMatchObject({ windowStart: 4000, count: 0 });
    for (const t of [2800, 3999, 4000, 4500]) expect(drawingAt(points, shape, t)).toMatchObject(limiter.view('k', t));
    expectAgreement(shape, [2500, 2600, 2700, 2800, 3999, 4000, 4001, 4002, 4003, 7000], 'count');
  });

  it('sliding log: each accepted request stays in the window for its length; the count follows them out', () => {
    const shape = { algorithm: 'sliding-window-log', limit: 3, window: 1000 };
    const points = decide(engineLimiter(shape), [0, 300, 600, 700, 1100]);
    expect(drawingAt(points, shape, 700)).toMatchObject({ kind: 'sliding-window-log', times: [0, 300, 600], count: 3, seen: true });
    expect(drawingAt(points, shape, 1200)).toMatchObject({ times: [300, 600, 1100], count: 3 });
    expect(drawingAt(points, shape, 1300)).toMatchObject({ times: [600, 1100], count: 2 });
    expectAgreement(shape, [0, 300, 600, 700, 1100, 1299, 1300, 1301, 2500], 'times');
  });

  it('sliding log: when the page missed a request, it holds the engine count and says so', () => {
    const shape = { algorithm: 'sliding-window-log', limit: 3, window: 1000 };
    const points = decide(engineLimiter(shape), [0, 300, 600]);
    points.splice(1, 1);
    expect(drawingAt(points, shape, 900)).toMatchObject({ times: [0, 600], count: 3, seen: false });
  });

  it('sliding counter: previous and current windows weighted as the engine estimates them', () => {
    const shape = { algorithm: 'sliding-window-counter', limit: 10, window: 1000 };
    const points = decide(engineLimiter(shape), [...burst(100, 6), 1200, 1300]);
    // At 1250: previous 6 weighted by 75% left of the window, plus 1 in this one.
    expect(drawingAt(points, shape, 1250)).toMatchObject({ kind: 'sliding-window-counter', windowStart: 1000, previous: 6, current: 1, estimate: 5.5, seen: true });
    const schedule = [...burst(100, 6), 1200, 1300, ...burst(1900, 8), 2100, 2500, 3700];
    for (const field of ['previous', 'current', 'estimate']) expectAgreement(shape, schedule, field);
    // Missing one of the previous window's requests: the engine's estimate no longer adds up, so it is held.
    const missed = points.filter((_, i) => i !== 0);
    expect(drawingAt(missed, shape, 1800)).toMatchObject({ previous: undefined, current: undefined, estimate: points.at(-1)!.level, seen: false });
  });

  it('gcra: each accepted request moves the TAT one period on; a refusal leaves it; now catches up with it', () => {
    const shape = { algorithm: 'gcra', rate: 10, burst: 2 };
    const limiter = engineLimiter(shape);
    const tats: number[] = [];
    const points: LimitPoint[] = [];
    for (let i = 0; i < 4; i++) {
      decide(limiter, [0], points);
      tats.push((drawingAt(points, shape, 0) as { tat: number }).tat);
    }
    expect(points.map((p) => p.allowed)).toEqual([true, true, true, false]);
    expect(tats).toEqual([100, 200, 300, 300]);
    expect(drawingAt(points, shape, 0)).toMatchObject({ kind: 'gcra', periodMs: 100, toleranceMs: 200 });
    expect(drawingAt(points, shape, 250)).toMatchObject({ tat: 300 });
    expect(drawingAt(points, shape, 400)).toMatchObject({ tat: 400 });
    expectAgreement(shape, [0, 0, 0, 0, 50, 120, 121, 400, 1000], 'tat');
  });

  it('concurrency: the slots of the last decision, with when it was', () => {
    const shape = { algorithm: 'concurrency', limit: 3 };
    const points = decide(engineLimiter(shape), [10, 20, 30, 40]);
    expect(drawingAt(points, shape, 500)).toMatchObject({ kind: 'concurrency', inUse: 3, limit: 3, decidedAt: 40, at: 500, counted: 'decided' });
  });

  it('concurrency: a slot given back shows as its request ends, as the engine counts it', () => {
    const shape = { algorithm: 'concurrency', limit: 3 };
    const limiter = engineLimiter(shape);
    const points = decide(limiter, [10, 20, 30]);
    // The request decided at 20 ends at 60: its completion says what its release left.
    const left = limiter.release('k')!;
    points.push({ limiter: 'concurrency', ts: 60, allowed: true, remaining: 3 - left, quota: 3, level: left, delayMs: 0, release: true });
    expect(drawingAt(points, shape, 50)).toMatchObject({ inUse: 3, counted: 'decided' });
    expect(drawingAt(points, shape, 70)).toMatchObject({ inUse: 2, decidedAt: 60, counted: 'ended' });
    expect((limiter.view('k', 70) as { inUse: number }).inUse).toBe(2);
  });
});

describe('geometry', () => {
  it('fraction stays within 0..1', () => {
    expect([fraction(5, 20), fraction(-1, 20), fraction(30, 20), fraction(1, 0)]).toEqual([0.25, 0, 1, 0]);
  });

  it('windows start on multiples of their length', () => {
    expect([windowStartOf(3999, 2000), windowStartOf(4000, 2000)]).toEqual([2000, 4000]);
  });

  it('the GCRA line holds the tolerance and a period past it, or the TAT when further', () => {
    const axis = gcraAxis({ at: 1000, tat: 1100, periodMs: 100, toleranceMs: 200 });
    expect(axis.spanMs).toBe(350);
    expect(axis.x(200)).toBeCloseTo(200 / 350, 9);
    expect(gcraAxis({ at: 0, tat: 900, periodMs: 100, toleranceMs: 200 }).spanMs).toBe(900);
  });

  it('the log axis ends at now and shows a quarter window before the window', () => {
    const axis = logAxis(2000, 1000);
    expect(axis.from).toBe(750);
    expect([axis.x(750), axis.x(1000), axis.x(2000)]).toEqual([0, 0.2, 1]);
  });
});
