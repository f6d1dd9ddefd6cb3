/**
 * Fixed window: a counter per key and window; windows are aligned to multiples of `window` on the
 * caller's clock (a 1 min window starts on the minute, as Kong's counters do). At most `limit` requests
 * pass in one window, so up to twice the limit can pass across a boundary: the weakness learners see.
 * Cost: O(1), two numbers per key. Prefer it when a simple "per minute / per day" quota is what is sold.
 */
import { decision, formatMs, type Algorithm, type Decision, type KeyState } from './limiter.ts';

export interface WindowOptions {
  /** Requests per window. */
  limit: number;
  /** Window length in ms. */
  window: number;
}

interface WindowState extends KeyState {
  start: number;
  count: number;
}

export function fixedWindow({ limit, window }: WindowOptions): Algorithm<WindowState> {
  const startOf = (now: number) => Math.floor(now / window) * window;
  const countAt = (state: WindowState, start: number) => (state.start === start ? state.count : 0);
  return {
    id: 'fixed-window',
    quota: limit,
    windowSeconds: Math.max(1, Math.ceil(window / 1000)),
    fresh: (now) => ({ used: 0, rejected: 0, ref: false, start: startOf(now), count: 0 }),
    decide(state, now, commit): Decision {
      const start = startOf(now);
      const count = countAt(state, start);
      const reset = start + window - now;
      if (count >= limit) return decision('fixed-window', false, limit, 0, reset, reset, count);
      if (commit) {
        state.start = start;
        state.count = count + 1;
      }
      return decision('fixed-window', true, limit, limit - count - 1, reset, 0, count + 1);
    },
    idle: (state, now) => countAt(state, startOf(now)) === 0,
    view: (state, now) => {
      const start = startOf(now);
      return { kind: 'fixed-window', windowStart: start, windowMs: window, count: countAt(state, start), limit };
    },
    explain: (d) =>
      d.allowed
        ? `made ${d.level} of ${limit} requests in this ${formatMs(window)} window`
        : `made ${d.level} of ${limit} requests in this ${formatMs(window)} window; it ends in ${formatMs(d.retryAfterMs)}`,
  };
}
