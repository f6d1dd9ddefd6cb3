/**
 * The one interface every rate limiter implements, and the keyed shell around an algorithm. A limiter
 * decides for one key (a client address, a consumer...) at a time the caller gives (`now`, ms): it
 * never reads a clock. `check` decides without changing anything; `take` decides and, when the request
 * passes, consumes its quota. Several limits on one request check all, then take all (limit-set.ts), so
 * a limit that refuses costs the others nothing. A refused request never changes the limiter's state
 * (only its counters of use), as in nginx's limit_req.
 *
 * An algorithm only knows one key's state; the shell here keeps those states in a bounded KeyStore,
 * counts use and refusals per key, and answers the inspector (top keys).
 */
import { KeyStore, type KeyState } from './key-store.ts';
import type { LimiterId } from './limiter-ids.ts';

export type { KeyState } from './key-store.ts';
export type { LimiterId } from './limiter-ids.ts';

/** One decision for one key. Times are milliseconds from `now`. */
export interface Decision {
  readonly limiter: LimiterId;
  /** False: answer 429 (with Retry-After). */
  readonly allowed: boolean;
  /**
   * How long the request must wait before it goes on (leaky-bucket without `nodelay`, as nginx delays
   * it); 0 for every other algorithm and for refusals.
   */
  readonly delayMs: number;
  /** The policy's quota (`q` of RateLimit-Policy): requests the limit lets through at once from rest. */
  readonly quota: number;
  /** Requests that could still pass now, after this one (`a` of RateLimit, the available quota): 0..quota. */
  readonly remaining: number;
  /** Until at least one more request's quota is back (`w` of RateLimit, the effective window); 0 when nothing is used. */
  readonly resetMs: number;
  /** Until this request would pass (Retry-After); 0 when allowed. */
  readonly retryAfterMs: number;
  /**
   * The algorithm's own measure, for the sentence a learner reads: tokens left (token-bucket), excess in
   * requests (leaky-bucket), requests counted in the window (windows; an estimate for the counter),
   * how far the theoretical arrival time is ahead of now in ms (gcra), requests in flight (concurrency).
   */
  readonly level: number;
}

/** A key's live state, to draw: one shape per algorithm. */
export type LimiterView =
  | { kind: 'token-bucket'; tokens: number; capacity: number; ratePerSecond: number }
  | { kind: 'leaky-bucket'; excess: number; burst: number; ratePerSecond: number; delay: number | 'nodelay'; lastMs: number | null }
  | { kind: 'fixed-window'; windowStart: number; windowMs: number; count: number; limit: number }
  | { kind: 'sliding-window-log'; times: number[]; windowMs: number; limit: number }
  | {
      kind: 'sliding-window-counter';
      windowStart: number;
      windowMs: number;
      previous: number;
      current: number;
      estimate: number;
      limit: number;
    }
  | { kind: 'gcra'; tat: number; now: number; periodMs: number; toleranceMs: number }
  | { kind: 'concurrency'; inUse: number; limit: number };

/** One key in the inspector's lists: how many requests it made pass and how many were refused. */
export interface KeyUse {
  key: string;
  used: number;
  rejected: number;
}

/** The inspector's aggregate view of one limiter. */
export interface LimiterSummary {
  limiter: LimiterId;
  /** Keys held now, and the most it holds. */
  keys: number;
  maxKeys: number;
  allowed: number;
  rejected: number;
  /** Allowed, but made to wait (leaky-bucket). */
  delayed: number;
  /** Keys dropped because their state was back to new (no decision changes), or forced out by the cap. */
  evictedIdle: number;
  evictedForced: number;
  /** The busiest keys held now, most first (at most the `top` asked for). */
  topByUse: KeyUse[];
  topByRejections: KeyUse[];
}

export interface Limiter {
  readonly id: LimiterId;
  /** `q` of RateLimit-Policy. */
  readonly quota: number;
  /** `w` of RateLimit-Policy, whole seconds; undefined where the limit is not over time (concurrency). */
  readonly windowSeconds: number | undefined;
  /** Decide for `key` at `now` without changing any state or counter. */
  check(key: string, now: number): Decision;
  /** Decide for `key` at `now`; an allowed request consumes its quota. */
  take(key: string, now: number): Decision;
  /**
   * The request that `take` allowed for `key` has ended: concurrency frees its slot and says how many of
   * the key's requests are still in flight; the others hold nothing, and answer undefined.
   */
  release(key: string): number | undefined;
  /** The key's state at `now`, to draw (a key never seen shows as new). */
  view(key: string, now: number): LimiterView;
  /** Totals and the top `top` keys by use and by refusals, over the keys held now (cost: one pass over them). */
  inspect(top: number): LimiterSummary;
  /** Zero what `inspect` counts (totals, each key's uses and refusals, evictions); every key's state stays, so no decision changes. */
  resetCounts(): void;
  /** One sentence for a learner: `token-bucket: consumer mobile has 0 of 20 tokens; refill in 180 ms -> 429`. */
  explain(decision: Decision, keyLabel: string): string;
  /** Keys held now. */
  readonly size: number;
}

/** One algorithm over one key's state; the keyed shell (keyedLimiter) does the rest. */
export interface Algorithm<S extends KeyState> {
  readonly id: LimiterId;
  readonly quota: number;
  readonly windowSeconds: number | undefined;
  /** The state of a key never seen (or dropped as idle): deciding on it is deciding for a new key. */
  fresh(now: number): S;
  /** Decide; when `commit` and allowed, change `state` to account for the request. Never mutates otherwise. */
  decide(state: S, now: number, commit: boolean): Decision;
  /** True when `state` decides exactly as `fresh(now)` would, so dropping it changes nothing. */
  idle(state: S, now: number): boolean;
  /** True while the state must not be forced out (concurrency: requests in flight hold it). */
  busy?(state: S): boolean;
  /** A request allowed on `state` has ended: free what it held, and say what is still held. */
  release?(state: S): number;
  view(state: S, now: number): LimiterView;
  /** The sentence after `<id>: ` and the key: `has 0 of 20 tokens; refill in 180 ms`. */
  explain(decision: Decision): string;
}

export interface StoreOptions {
  /** The most keys held at once; past it the least recently used key goes (default DEFAULT_MAX_KEYS). */
  maxKeys?: number;
}

/** What a limiter holds by default: about 15 MB of heap at ~125-150 bytes a key (bench/limiters.mjs measures it). */
export const DEFAULT_MAX_KEYS = 100_000;

/** An algorithm with its states kept per key in a bounded store. */
export function keyedLimiter<S extends KeyState>(algorithm: Algorithm<S>, options: StoreOptions = {}): Limiter {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const store = new KeyStore<S>(maxKeys, algorithm.idle.bind(algorithm), algorithm.busy?.bind(algorithm));
  const totals = { allowed: 0, rejected: 0, delayed: 0 };
  return {
    id: algorithm.id,
    quota: algorithm.quota,
    windowSeconds: algorithm.windowSeconds,
    check(key, now) {
      return algorithm.decide(store.peek(key) ?? algorithm.fresh(now), now, false);
    },
    take(key, now) {
      let state = store.get(key);
      if (state === undefined) {
        state = algorithm.fresh(now);
        store.insert(key, state, now);
      }
      const decision = algorithm.decide(state, now, true);
      if (decision.allowed) {
        state.used++;
        totals.allowed++;
        if (decision.delayMs > 0) totals.delayed++;
      } else {
        state.rejected++;
        totals.rejected++;
      }
      return decision;
    },
    release(key) {
      const state = store.peek(key);
      return state === undefined ? undefined : algorithm.release?.(state);
    },
    view(key, now) {
      return algorithm.view(store.peek(key) ?? algorithm.fresh(now), now);
    },
    inspect(top) {
      return {
        limiter: algorithm.id,
        keys: store.size,
        maxKeys,
        ...totals,
        evictedIdle: store.evictedIdle,
        evictedForced: store.evictedForced,
        topByUse: store.top(top, 'used'),
        topByRejections: store.top(top, 'rejected'),
      };
    },
    resetCounts() {
      totals.allowed = totals.rejected = totals.delayed = 0;
      store.resetCounts();
    },
    explain(decision, keyLabel) {
      return `${algorithm.id}: ${keyLabel} ${algorithm.explain(decision)} -> ${verdictOf(decision)}`;
    },
    get size() {
      return store.size;
    },
  };
}

/** `pass`, `wait 200 ms`, `429`: the end of a reason (each algorithm's sentence says when to retry). */
function verdictOf(decision: Decision): string {
  if (!decision.allowed) return '429';
  return decision.delayMs > 0 ? `wait ${formatMs(decision.delayMs)}` : 'pass';
}

/** `180 ms`, `2.5 s`, `3 min`, `2 h`: a duration as a learner reads it. */
export function formatMs(ms: number): string {
  if (ms < 10_000) return `${Math.ceil(ms)} ms`;
  if (ms < 120_000) return `${Math.ceil(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.ceil(ms / 60_000)} min`;
  return `${Math.ceil(ms / 360_000) / 10} h`;
}

/** A decision from its parts (one shape for every algorithm, so call sites stay monomorphic). */
export function decision(
  limiter: LimiterId,
  allowed: boolean,
  quota: number,
  remaining: number,
  resetMs: number,
  retryAfterMs: number,
  level: number,
  delayMs = 0,
): Decision {
  return { limiter, allowed, delayMs, quota, remaining, resetMs, retryAfterMs, level };
}
