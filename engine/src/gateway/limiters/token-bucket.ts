/**
 * Token bucket: a key's bucket holds up to `burst` tokens and refills continuously at `rate` tokens a
 * second; a request takes one token or is refused. Allows bursts up to `burst`, then `rate` on average.
 * Cost: O(1) per decision, two numbers per key. Prefer it for APIs that tolerate short bursts.
 * Tokens are kept in thousandths (as nginx keeps its excess), so integer rates at integer ms are exact.
 */
import { decision, formatMs, type Algorithm, type Decision, type KeyState } from './limiter.ts';

export interface TokenBucketOptions {
  /** Tokens a second. */
  rate: number;
  /** Bucket size (default: one second of tokens, at least 1). */
  burst?: number;
}

interface BucketState extends KeyState {
  /** Thousandths of a token at `last`. */
  milli: number;
  last: number;
}

/** Float slack for fractional rates: far below a thousandth of a token. */
const EPSILON = 1e-6;

export function tokenBucket({ rate, burst = Math.max(1, Math.ceil(rate)) }: TokenBucketOptions): Algorithm<BucketState> {
  const capacity = burst * 1000;
  /** Thousandths of a token at `now`. */
  const levelAt = (state: BucketState, now: number) => Math.min(capacity, state.milli + rate * Math.max(0, now - state.last));
  /** Until the level reaches `target` thousandths, rounded up to whole ms so that waiting it is enough. */
  const untilLevel = (level: number, target: number) => Math.max(0, Math.ceil((target - level) / rate - EPSILON));
  return {
    id: 'token-bucket',
    quota: burst,
    windowSeconds: Math.max(1, Math.ceil(burst / rate)),
    fresh: (now) => ({ used: 0, rejected: 0, ref: false, milli: capacity, last: now }),
    decide(state, now, commit): Decision {
      const level = levelAt(state, now);
      if (level < 1000 - EPSILON) {
        const wait = untilLevel(level, 1000);
        return decision('token-bucket', false, burst, 0, wait, wait, level / 1000);
      }
      const after = Math.max(0, level - 1000);
      if (commit) {
        state.milli = after;
        state.last = now;
      }
      const whole = Math.floor(after / 1000 + EPSILON);
      const reset = after >= capacity - EPSILON ? 0 : untilLevel(after, (whole + 1) * 1000);
      return decision('token-bucket', true, burst, whole, reset, 0, after / 1000);
    },
    idle: (state, now) => levelAt(state, now) >= capacity,
    view: (state, now) => ({ kind: 'token-bucket', tokens: levelAt(state, now) / 1000, capacity: burst, ratePerSecond: rate }),
    explain: (d) =>
      d.allowed
        ? `took a token, ${d.remaining} of ${burst} left`
        : `has ${Math.floor(d.level + EPSILON)} of ${burst} tokens; refill in ${formatMs(d.retryAfterMs)}`,
  };
}
