/**
 * Concurrency limit: at most `limit` requests of a key in flight at once; a request takes a slot and
 * gives it back when it ends (`release`). Not over time, so its policy has no window, and a refusal
 * cannot know when a slot frees: Retry-After is a fixed second. Cost: O(1), one number per key.
 * Prefer it to protect a slow upstream from one client's parallel requests.
 */
import { decision, type Algorithm, type Decision, type KeyState } from './limiter.ts';

export interface ConcurrencyOptions {
  /** Requests in flight at once. */
  limit: number;
}

interface SlotsState extends KeyState {
  inUse: number;
}

/** Retry-After for a refusal: a slot frees when some request in flight ends, which no clock foretells. */
export const CONCURRENCY_RETRY_MS = 1000;

export function concurrency({ limit }: ConcurrencyOptions): Algorithm<SlotsState> {
  return {
    id: 'concurrency',
    quota: limit,
    windowSeconds: undefined,
    fresh: () => ({ used: 0, rejected: 0, ref: false, inUse: 0 }),
    decide(state, _now, commit): Decision {
      if (state.inUse >= limit) return decision('concurrency', false, limit, 0, 0, CONCURRENCY_RETRY_MS, state.inUse);
      if (commit) state.inUse++;
      const inUse = commit ? state.inUse : state.inUse + 1;
      return decision('concurrency', true, limit, limit - inUse, 0, 0, inUse);
    },
    idle: (state) => state.inUse === 0,
    busy: (state) => state.inUse > 0,
    release(state) {
      if (state.inUse > 0) state.inUse--;
      return state.inUse;
    },
    view: (state) => ({ kind: 'concurrency', inUse: state.inUse, limit }),
    explain: (d) =>
      d.allowed ? `has ${d.level} of ${limit} requests in flight` : `has ${d.level} of ${limit} requests in flight; retry in 1 s`,
  };
}
