/**
 * Sliding window log: the times of a key's accepted requests within the last `window`; a request passes
 * when fewer than `limit` are in (now - window, now]. Exact in every window, but memory grows with the
 * limit (one number per accepted request), so its keys are capped lower (see WINDOW_LOG_ENTRIES).
 * Cost: O(1) amortised per decision (each time is forgotten once). Prefer it for small limits that must never be exceeded.
 */
import { decision, formatMs, type Algorithm, type Decision, type KeyState } from './limiter.ts';
import type { WindowOptions } from './fixed-window.ts';

interface LogState extends KeyState {
  /** Accepted times, oldest first; those before `head` have left the window. */
  times: number[];
  head: number;
}

/** Compact the log once this many dropped times lead it and they are over half of it. */
const COMPACT_AFTER = 32;

export function slidingWindowLog({ limit, window }: WindowOptions): Algorithm<LogState> {
  /** Index of the oldest time still in (now - window, now]. */
  const firstIn = (state: LogState, now: number) => {
    let first = state.head;
    while (first < state.times.length && state.times[first] <= now - window) first++;
    return first;
  };
  return {
    id: 'sliding-window-log',
    quota: limit,
    windowSeconds: Math.max(1, Math.ceil(window / 1000)),
    fresh: () => ({ used: 0, rejected: 0, ref: false, times: [], head: 0 }),
    decide(state, now, commit): Decision {
      // Forgetting times that left the window changes no decision, so a check may do it too (the clock
      // only goes forward); it keeps repeated checks from walking them again.
      const first = firstIn(state, now);
      state.head = first;
      const count = state.times.length - first;
      if (count >= limit) {
        const wait = state.times[first] + window - now;
        return decision('sliding-window-log', false, limit, 0, wait, wait, count);
      }
      // More quota comes back when the oldest request in the window leaves it (this one, if alone).
      const oldest = count > 0 ? state.times[first] : now;
      if (commit) {
        state.times.push(now);
        if (first > COMPACT_AFTER && first * 2 > state.times.length) {
          state.times.splice(0, first);
          state.head = 0;
        }
      }
      return decision('sliding-window-log', true, limit, limit - count - 1, oldest + window - now, 0, count + 1);
    },
    idle: (state, now) => firstIn(state, now) === state.times.length,
    view: (state, now) => ({ kind: 'sliding-window-log', times: state.times.slice(firstIn(state, now)), windowMs: window, limit }),
    explain: (d) =>
      d.allowed
        ? `made ${d.level} of ${limit} requests in the last ${formatMs(window)}`
        : `made ${d.level} of ${limit} requests in the last ${formatMs(window)}; the oldest leaves in ${formatMs(d.retryAfterMs)}`,
  };
}
