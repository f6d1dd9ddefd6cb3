/**
 * What each limiter promises, for every schedule fast-check finds: never more than the limit in any
 * window the algorithm promises; a refusal changes nothing; a key whose state is idle decides exactly as
 * a new one (so the store may drop it); and waiting the Retry-After the decision gave lets the request in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concurrency } from './concurrency.ts';
import { fixedWindow } from './fixed-window.ts';
import { gcra } from './gcra.ts';
import { leakyBucket } from './leaky-bucket.ts';
import { keyedLimiter, type Algorithm, type KeyState } from './limiter.ts';
import { slidingWindowCounter } from './sliding-window-counter.ts';
import { slidingWindowLog } from './sliding-window-log.ts';
import { timesFrom } from './testing.ts';
import { tokenBucket } from './token-bucket.ts';

/** Gaps between requests: bursts (0), near a period, and long rests. */
const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 5000 })), {
  minLength: 1,
  maxLength: 120,
});
const rate = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom(0.5, 1.5, 3, 7));
const burst = fc.integer({ min: 0, max: 8 });
const limit = fc.integer({ min: 1, max: 10 });
const window = fc.constantFrom(100, 250, 1000, 3000);

/** The accepted times of a schedule. */
function accepted(algorithm: Algorithm<KeyState>, times: number[]): number[] {
  const limiter = keyedLimiter(algorithm);
  return times.filter((t) => limiter.take('k', t).allowed);
}

/** Most accepted in any [a, b] between accepted times, against a bound that grows with b - a. */
function worstExcess(times: number[], bound: (span: number) => number): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) worst = Math.max(worst, j - i + 1 - bound(times[j] - times[i]));
  }
  return worst;
}

const perAlignedWindow = (times: number[], size: number) => {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / size), (counts.get(Math.floor(t / size)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
};

const SLACK = 1e-9;

describe('limits hold for every schedule', () => {
  it('token-bucket: at most burst + rate * t in any span t', () => {
    fc.assert(
      fc.property(rate, burst, gaps, (r, b, g) => {
        const capacity = Math.max(1, b);
        const times = accepted(tokenBucket({ rate: r, burst: capacity }), timesFrom(g));
        expect(worstExcess(times, (span) => capacity + (r * span) / 1000 + SLACK)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('gcra and leaky-bucket: at most 1 + burst + rate * t in any span t', () => {
    fc.assert(
      fc.property(rate, burst, gaps, fc.boolean(), (r, b, g, nodelay) => {
        const bound = (span: number) => 1 + b + (r * span) / 1000 + SLACK;
        expect(worstExcess(accepted(gcra({ rate: r, burst: b }), timesFrom(g)), bound)).toBeLessThanOrEqual(0);
        expect(worstExcess(accepted(leakyBucket({ rate: r, burst: b, nodelay }), timesFrom(g)), bound)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('fixed-window and sliding-window-counter: at most limit in each aligned window', () => {
    fc.assert(
      fc.property(limit, window, gaps, (l, w, g) => {
        expect(perAlignedWindow(accepted(fixedWindow({ limit: l, window: w }), timesFrom(g)), w)).toBeLessThanOrEqual(l);
        expect(perAlignedWindow(accepted(slidingWindowCounter({ limit: l, window: w }), timesFrom(g)), w)).toBeLessThanOrEqual(l);
      }),
    );
  });

  it('sliding-window-log: at most limit in any window (t - window, t]', () => {
    fc.assert(
      fc.property(limit, window, gaps, (l, w, g) => {
        const times = accepted(slidingWindowLog({ limit: l, window: w }), timesFrom(g));
        for (const t of times) expect(times.filter((s) => s > t - w && s <= t).length).toBeLessThanOrEqual(l);
      }),
    );
  });

  it('concurrency: never more than limit in flight, and never a refusal below it', () => {
    fc.assert(
      fc.property(limit, fc.array(fc.boolean(), { maxLength: 200 }), (l, steps) => {
        const limiter = keyedLimiter(concurrency({ limit: l }));
        let inFlight = 0;
        for (const start of steps) {
          if (start) {
            const allowed = limiter.take('k', 0).allowed;
            expect(allowed).toBe(inFlight < l);
            if (allowed) inFlight++;
          } else if (inFlight > 0) {
            limiter.release('k');
            inFlight--;
          }
          expect(limiter.view('k', 0)).toMatchObject({ inUse: inFlight });
        }
      }),
    );
  });
});

/** Every time-based algorithm with arbitrary parameters, as [id, options] so a counterexample reads well. */
const timedSpec = fc.oneof(
  fc.record({ rate, burst: fc.integer({ min: 1, max: 8 }) }).map((o) => ['token-bucket', o] as const),
  fc.record({ rate, burst, nodelay: fc.boolean() }).map((o) => ['leaky-bucket', o] as const),
  fc.record({ rate, burst, delay: fc.integer({ min: 0, max: 4 }) }).map((o) => ['leaky-bucket', o] as const),
  fc.record({ limit, window }).map((o) => ['fixed-window', o] as const),
  fc.record({ limit, window }).map((o) => ['sliding-window-log', o] as const),
  fc.record({ limit, window }).map((o) => ['sliding-window-counter', o] as const),
  fc.record({ rate, burst }).map((o) => ['gcra', o] as const),
);
const BUILD = {
  'token-bucket': tokenBucket,
  'leaky-bucket': leakyBucket,
  'fixed-window': fixedWindow,
  'sliding-window-log': slidingWindowLog,
  'sliding-window-counter': slidingWindowCounter,
  gcra,
} as Record<string, (options: never) => Algorithm<KeyState>>;
const timed = timedSpec.map(([id, options]) =>
  Object.assign(BUILD[id](options as never), { [fc.toStringMethod]: () => `${id} ${JSON.stringify(options)}` }),
);

describe('every time-based algorithm', () => {
  it('a refusal changes nothing; waiting Retry-After lets the request in; waiting t brings quota back', () => {
    fc.assert(
      fc.property(timed, gaps, (algorithm, g) => {
        const limiter = keyedLimiter(algorithm);
        for (const t of timesFrom(g)) {
          const before = limiter.view('k', t);
          const decision = limiter.take('k', t);
          expect(decision.remaining).toBeGreaterThanOrEqual(0);
          expect(decision.remaining).toBeLessThanOrEqual(decision.quota);
          expect(decision.resetMs).toBeGreaterThanOrEqual(0);
          if (!decision.allowed) {
            expect(limiter.view('k', t)).toEqual(before);
            expect(decision.retryAfterMs).toBeGreaterThan(0);
            expect(limiter.check('k', t + decision.retryAfterMs).allowed).toBe(true);
          } else if (decision.resetMs > 0 && decision.remaining < decision.quota) {
            // After t, one more than `remaining` fits: a check (which counts itself) still leaves `remaining`.
            expect(limiter.check('k', t + decision.resetMs).remaining).toBeGreaterThanOrEqual(decision.remaining);
          }
        }
      }),
    );
  });

  it('resetting its counts changes no decision, and what it counts after is only what came after', () => {
    fc.assert(
      fc.property(timed, gaps, fc.nat(), (algorithm, g, cut) => {
        const times = timesFrom(g);
        const at = cut % times.length;
        const keys = ['a', 'b'];
        const untouched = keyedLimiter(algorithm);
        const reset = keyedLimiter(algorithm);
        const counted = { allowed: 0, rejected: 0 };
        times.forEach((t, i) => {
          if (i === at) {
            reset.resetCounts();
            expect(reset.inspect(2)).toMatchObject({
              allowed: 0,
              rejected: 0,
              delayed: 0,
              evictedIdle: 0,
              evictedForced: 0,
              topByUse: [],
              topByRejections: [],
            });
          }
          const key = keys[i % 2];
          const decision = reset.take(key, t);
          expect(decision).toEqual(untouched.take(key, t));
          if (i >= at) counted[decision.allowed ? 'allowed' : 'rejected']++;
        });
        const summary = reset.inspect(2);
        expect({ allowed: summary.allowed, rejected: summary.rejected }).toEqual(counted);
        expect(summary.keys).toBe(untouched.inspect(2).keys);
      }),
    );
  });

  it('a state it calls idle decides exactly as a new key (so the store may drop it)', () => {
    fc.assert(
      fc.property(timed, gaps, fc.integer({ min: 0, max: 10_000 }), (algorithm, g, later) => {
        const state = algorithm.fresh(0);
        const times = timesFrom(g);
        for (const t of times) algorithm.decide(state, t, true);
        const at = times[times.length - 1] + later;
        if (algorithm.idle(state, at)) {
          expect(algorithm.decide(state, at, false)).toEqual(algorithm.decide(algorithm.fresh(at), at, false));
        }
      }),
    );
  });
});
