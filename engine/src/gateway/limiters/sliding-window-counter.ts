/**
 * Sliding window counter (HAProxy's and Cloudflare's): two fixed-window counts per key, the previous
 * window's and the current one's; the count over the last `window` is estimated as
 * `previous * (1 - elapsed / window) + current`, assuming the previous window's requests were spread
 * evenly. A request passes when the estimate with it is at most `limit`. Never more than `limit` in one
 * aligned window; across a boundary it smooths fixed-window's double burst (bursty previous windows can
 * still let through up to `limit * (1 + elapsed / window)` in a sliding window: it is an estimate).
 * Cost: O(1), three numbers per key. Prefer it for large limits where a log would be too big.
 */
import { decision, formatMs, type Algorithm, type Decision, type KeyState } from './limiter.ts';
import type { WindowOptions } from './fixed-window.ts';

interface CounterState extends KeyState {
  start: number;
  previous: number;
  current: number;
}

export function slidingWindowCounter({ limit, window }: WindowOptions): Algorithm<CounterState> {
  const startOf = (now: number) => Math.floor(now / window) * window;
  /** The counts in force at `start`: [previous, current]; windows roll over when time has moved on. */
  const countsAt = (state: CounterState, start: number): [number, number] => {
    if (state.start === start) return [state.previous, state.current];
    if (state.start === start - window) return [state.current, 0];
    return [0, 0];
  };
  /**
   * From `elapsed` into the window, until the estimate is at most `target`, with no more requests:
   * the previous count's weight falls through this window, then the current count's through the next.
   * Rounded up to whole ms, so that waiting it is always enough.
   */
  const untilEstimate = (previous: number, current: number, elapsed: number, target: number) => {
    const left = window - elapsed;
    if (current <= target) {
      if (previous === 0) return 0;
      return Math.ceil(Math.max(0, Math.min(left, left - ((target - current) * window) / previous)));
    }
    return Math.ceil(left + window - (target * window) / current);
  };
  return {
    id: 'sliding-window-counter',
    quota: limit,
    windowSeconds: Math.max(1, Math.ceil(window / 1000)),
    fresh: (now) => ({ used: 0, rejected: 0, ref: false, start: startOf(now), previous: 0, current: 0 }),
    decide(state, now, commit): Decision {
      const start = startOf(now);
      const [previous, current] = countsAt(state, start);
      const elapsed = now - start;
      // Compared in whole numbers: previous * (window - elapsed) / window + current + 1 <= limit.
      const weighted = previous * (window - elapsed);
      if (weighted + (current + 1) * window > limit * window) {
        const wait = untilEstimate(previous, current, elapsed, limit - 1);
        return decision('sliding-window-counter', false, limit, 0, wait, wait, weighted / window + current);
      }
      if (commit) {
        state.start = start;
        state.previous = previous;
        state.current = current + 1;
      }
      const estimate = weighted / window + current + 1;
      const remaining = Math.max(0, Math.floor(limit - estimate));
      // One more than `remaining` fits once the estimate is at most limit - remaining - 1 (>= 0: estimate >= 1 here).
      const reset = untilEstimate(previous, current + 1, elapsed, limit - remaining - 1);
      return decision('sliding-window-counter', true, limit, remaining, reset, 0, estimate);
    },
    idle: (state, now) => {
      const [previous, current] = countsAt(state, startOf(now));
      return previous === 0 && current === 0;
    },
    view: (state, now) => {
      const start = startOf(now);
      const [previous, current] = countsAt(state, start);
      return {
        kind: 'sliding-window-counter',
        windowStart: start,
        windowMs: window,
        previous,
        current,
        estimate: (previous * (window - (now - start))) / window + current,
        limit,
      };
    },
    explain: (d) => {
      const at = `an estimated ${round1(d.level)} of ${limit} requests in the last ${formatMs(window)}`;
      return d.allowed ? `is at ${at}` : `is at ${at}; retry in ${formatMs(d.retryAfterMs)}`;
    },
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
