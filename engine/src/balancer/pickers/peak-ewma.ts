/**
 * Peak EWMA (Finagle, Linkerd, tower): per target a latency estimate that jumps to any slower response
 * and decays towards faster ones with time constant tau; cost = estimate * (inFlight + 1), and two random
 * choices (distinct eligible targets) keep the cheaper, the first draw on a tie. O(n) per pick.
 * Prefer it when targets' latency differs or changes: it shifts traffic off a slowing target within a
 * response or two. It ignores weights. As in Finagle and tower, reading a drawn target's cost first
 * decays its estimate towards 0, so a target nobody picks (it spiked, or it was never tried) is tried again.
 */
import type { Candidate, Pick, Picker } from '../picker.ts';

const id = 'peak-ewma';

interface Estimate {
  /** Latency estimate in ms, as of `stamp`. */
  rttMs: number;
  /** ctx.now() of the last update (a response, or a read when drawn), or of when the target was first seen. */
  stamp: number;
}

/** Options: `tau` (ms > 0, default 10_000 as in Finagle), `defaultRttMs` (ms >= 0, default 100) for targets not yet heard from. */
export function peakEwma(options: Record<string, unknown> = {}): Picker {
  const tau = nonNegative(options, 'tau', 10_000, { allowZero: false });
  const defaultRttMs = nonNegative(options, 'defaultRttMs', 100, { allowZero: true });
  const estimates = new Map<string, Estimate>();

  const known = (target: string, now: number): Estimate => {
    let estimate = estimates.get(target);
    if (!estimate) estimates.set(target, (estimate = { rttMs: defaultRttMs, stamp: now }));
    return estimate;
  };
  const decay = (estimate: Estimate, now: number) => Math.exp(-Math.max(0, now - estimate.stamp) / tau);
  /** The estimate a read at `now` sees: decayed towards 0 since the last update (Finagle's `observe(0)`). */
  const readAt = (target: string, now: number): number => {
    const estimate = estimates.get(target);
    return estimate ? estimate.rttMs * decay(estimate, now) : defaultRttMs;
  };

  return {
    id,
    pick(candidates, ctx): Pick {
      if (estimates.size > candidates.length) {
        const present = new Set(candidates.map((c) => c.id));
        for (const target of estimates.keys()) if (!present.has(target)) estimates.delete(target);
      }
      const eligible = candidates.filter((c) => c.eligible);
      if (eligible.length === 0) return { target: null, reason: `${id}: no eligible target` };
      const now = ctx.now();

      const firstIndex = Math.floor(ctx.rng() * eligible.length);
      const first = eligible[firstIndex];
      let second = first;
      if (eligible.length > 1) {
        const draw = Math.floor(ctx.rng() * (eligible.length - 1));
        second = eligible[draw >= firstIndex ? draw + 1 : draw];
      }
      const scored = (c: Candidate): Scored => {
        const estimateMs = readAt(c.id, now);
        return { id: c.id, inFlight: c.inFlight, estimateMs, cost: estimateMs * (c.inFlight + 1) };
      };
      const a = scored(first);
      const b = scored(second);
      for (const drawn of [first, second]) {
        const estimate = known(drawn.id, now);
        estimate.rttMs = readAt(drawn.id, now);
        estimate.stamp = now;
      }
      const target = b.cost < a.cost ? second : first;
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: id,
          reason: explain(a, first === second ? undefined : b, target.id),
          candidates: candidates.map((c) => {
            const estimateMs = readAt(c.id, now);
            return {
              id: c.id,
              inFlight: c.inFlight,
              estimateMs,
              cost: estimateMs * (c.inFlight + 1),
              eligible: c.eligible,
              drawn: c === first || c === second,
              chosen: c === target,
            };
          }),
        },
      };
    },
    onSettled(outcome, ctx) {
      const now = ctx.now();
      const estimate = known(outcome.target, now);
      const rtt = outcome.durationMs;
      if (rtt > estimate.rttMs) estimate.rttMs = rtt;
      else {
        const d = decay(estimate, now);
        estimate.rttMs = estimate.rttMs * d + rtt * (1 - d);
      }
      estimate.stamp = now;
    },
    /** Estimates as of each target's last update (`updatedAt`, ctx time): a reader decays them to its own now. */
    state(candidates) {
      return candidates.map((c) => {
        const estimate = estimates.get(c.id);
        const estimateMs = estimate?.rttMs ?? defaultRttMs;
        return { id: c.id, inFlight: c.inFlight, estimateMs, cost: estimateMs * (c.inFlight + 1), updatedAt: estimate?.stamp ?? null };
      });
    },
  };
}

interface Scored {
  id: string;
  inFlight: number;
  estimateMs: number;
  cost: number;
}

/** "peak-ewma: drew t1 (cost 200 = 100 ms x 2) and t3 (cost 100 = 100 ms x 1); t3 costs less". */
function explain(first: Scored, second: Scored | undefined, chosen: string): string {
  const cost = (c: Scored) => `cost ${round(c.cost)} = ${round(c.estimateMs)} ms x ${c.inFlight + 1}`;
  if (!second) return `${id}: ${first.id} is the only eligible target (${cost(first)})`;
  const drew = `${id}: drew ${first.id} (${cost(first)}) and ${second.id} (${cost(second)})`;
  if (first.cost === second.cost) return `${drew}; a tie goes to the first draw, ${chosen}`;
  return `${drew}; ${chosen} costs less`;
}

function nonNegative(options: Record<string, unknown>, name: string, fallback: number, { allowZero }: { allowZero: boolean }): number {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${id}: ${name} must be a number ${allowZero ? '>= 0' : '> 0'} (ms), got ${String(value)}`);
  }
  return value;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
