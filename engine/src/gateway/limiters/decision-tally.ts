/**
 * One gateway instance's own count of a limit decided elsewhere (in Redis, shared by several
 * instances): how many of its requests the limit let pass, made wait or refused, and its busiest and
 * most refused keys. The limit's real count lives in the shared store, where no instance can list its
 * keys cheaply; what this instance decided it can count as it goes, and that is what its inspector shows.
 *
 * The keys sit in a KeyStore (key-store.ts), so a flood of distinct keys stays bounded: past `maxKeys`
 * the least recently used key goes (CLOCK), and its counts with it; the totals never forget.
 * Cost per decision: one Map lookup and two increments (an insert for a key not held).
 */
import { KeyStore, type KeyState } from './key-store.ts';
import type { Decision, LimiterId, LimiterSummary } from './limiter.ts';

/** Keys one tally holds: enough for an inspector's top lists, small beside a limiter's 100,000. */
export const TALLY_MAX_KEYS = 10_000;

export class DecisionTally {
  // A tally's key is never "back to new" (its counts are the point): keys leave only at the cap.
  private keys: KeyStore<KeyState>;
  private allowed = 0;
  private rejected = 0;
  private delayed = 0;

  constructor(maxKeys = TALLY_MAX_KEYS) {
    this.keys = new KeyStore<KeyState>(maxKeys, () => false);
  }

  /** Count one decision this instance carried out for `key`. */
  record(key: string, decision: Decision, now: number): void {
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { used: 0, rejected: 0, ref: false };
      this.keys.insert(key, state, now);
    }
    if (decision.allowed) {
      state.used++;
      this.allowed++;
      if (decision.delayMs > 0) this.delayed++;
    } else {
      state.rejected++;
      this.rejected++;
    }
  }

  /** Start counting again from nothing: the keys go too, as they hold nothing but counts. */
  resetCounts(): void {
    this.keys = new KeyStore<KeyState>(this.keys.maxKeys, () => false);
    this.allowed = this.rejected = this.delayed = 0;
  }

  /** The counts in the inspector's shape; keys are raw (`limit-set.ts` puts them in words). */
  summary(limiter: LimiterId, top: number): LimiterSummary {
    return {
      limiter,
      keys: this.keys.size,
      maxKeys: this.keys.maxKeys,
      allowed: this.allowed,
      rejected: this.rejected,
      delayed: this.delayed,
      evictedIdle: this.keys.evictedIdle,
      evictedForced: this.keys.evictedForced,
      topByUse: this.keys.top(top, 'used'),
      topByRejections: this.keys.top(top, 'rejected'),
    };
  }
}
