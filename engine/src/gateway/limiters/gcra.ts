/**
 * GCRA, the generic cell rate algorithm (ATM's, and redis-cell's and Stripe's): one timestamp per key,
 * the theoretical arrival time (TAT) of the next request at the steady rate. With period `T = 1/rate`
 * and tolerance `tau = T * burst`: `tat = max(tat, now)`; a request passes when `tat - now <= tau`, and
 * then `tat += T`. So one request plus `burst` pass at once, then one per `T`: a token bucket of
 * `burst + 1` in a single number. Cost: O(1), one number per key. Prefer it where state is precious
 * (a shared store: one value per key).
 */
import { decision, formatMs, type Algorithm, type Decision, type KeyState } from './limiter.ts';

export interface GcraOptions {
  /** Requests a second (the steady rate). */
  rate: number;
  /** Requests allowed at once beyond the first (default 0). */
  burst?: number;
}

interface GcraState extends KeyState {
  /** Theoretical arrival time, ms; -Infinity for a key never seen. */
  tat: number;
}

/**
 * Float slack: adding a period that is not a whole ms (rate 3: 333.33 ms) drifts far below a microsecond.
 * Waits are rounded up to whole ms, so that waiting them is enough.
 */
const EPSILON_MS = 1e-6;

export function gcra({ rate, burst = 0 }: GcraOptions): Algorithm<GcraState> {
  const period = 1000 / rate;
  const tolerance = period * burst;
  const quota = burst + 1;
  return {
    id: 'gcra',
    quota,
    windowSeconds: Math.max(1, Math.ceil(quota / rate)),
    fresh: () => ({ used: 0, rejected: 0, ref: false, tat: Number.NEGATIVE_INFINITY }),
    decide(state, now, commit): Decision {
      const tat = Math.max(state.tat, now);
      if (tat - now > tolerance + EPSILON_MS) {
        const wait = Math.ceil(tat - tolerance - now - EPSILON_MS);
        return decision('gcra', false, quota, 0, wait, wait, tat - now);
      }
      const next = tat + period;
      if (commit) state.tat = next;
      // Each further request now pushes the TAT one period on; it passes while the TAT stays within tolerance.
      const ahead = next - now;
      const remaining = ahead > tolerance + EPSILON_MS ? 0 : Math.floor((tolerance - ahead) / period + EPSILON_MS) + 1;
      // One more fits once the TAT is `remaining + 1` periods within the tolerance.
      const reset = Math.max(0, Math.ceil(ahead - tolerance + remaining * period - EPSILON_MS));
      return decision('gcra', true, quota, remaining, reset, 0, ahead);
    },
    idle: (state, now) => state.tat <= now,
    view: (state, now) => ({ kind: 'gcra', tat: Math.max(state.tat, now), now, periodMs: period, toleranceMs: tolerance }),
    explain: (d) => {
      const ahead = `has its theoretical arrival time ${formatMs(d.level)} ahead of now (tolerance ${formatMs(tolerance)})`;
      return d.allowed ? ahead : `${ahead}; retry in ${formatMs(d.retryAfterMs)}`;
    },
  };
}
