/**
 * Leaky bucket exactly as nginx's limit_req (ngx_http_limit_req_module.c, lookup and account): per key,
 * `excess` in thousandths of a request and the time of the last accepted one, in integer ms. A request
 * makes `excess = max(0, excess - rate * ms / 1000 + 1000)` (integer division; rate in thousandths of a
 * request a second), and is refused when that exceeds `burst * 1000`; a refused request leaves the state
 * as it was. An accepted one goes at once when its excess is at most `delay * 1000` (`nodelay`: always),
 * else it waits `(excess - delay * 1000) * 1000 / rate` ms. A key never seen starts at excess 0.
 * Cost: O(1), two integers per key. Prefer it to smooth traffic into a steady rate (queueing with delay).
 * Where we differ on purpose: refusals answer 429, not nginx's default 503. `now` is floored to whole
 * ms, as nginx's clock ticks.
 */
import { decision, formatMs, type Algorithm, type Decision, type KeyState } from './limiter.ts';

export interface LeakyBucketOptions {
  /** Requests a second (nginx's `rate=10r/s`; `30r/m` is 0.5). */
  rate: number;
  /** Excess requests held beyond the rate (nginx `burst`, default 0). */
  burst?: number;
  /** Excess requests that go at once (nginx `delay=N`); the rest wait. Default 0: every excess waits. */
  delay?: number;
  /** No excess request waits (nginx `nodelay`). */
  nodelay?: boolean;
}

interface LeakyState extends KeyState {
  /** Thousandths of a request. */
  excess: number;
  /** Integer ms of the last accepted request; -Infinity for a key never seen (it leaks everything). */
  last: number;
}

export function leakyBucket({ rate, burst = 0, delay = 0, nodelay = false }: LeakyBucketOptions): Algorithm<LeakyState> {
  // ngx_http_limit_req_zone: `ctx->rate = rate * 1000 / scale`, integer (30r/m is 500). The slack keeps
  // a rate given as 30/60 from flooring to 499.
  const milliRate = Math.floor(rate * 1000 + 1e-6);
  if (milliRate < 1) throw new Error(`leaky-bucket rate ${rate}: at least 0.001 requests a second`);
  const burstMilli = burst * 1000;
  const delayMilli = nodelay ? Number.POSITIVE_INFINITY : delay * 1000;
  const quota = burst + 1;

  /** nginx's `ms`: time since the last accepted request; a clock that went back counts as 0 (or 1 past a minute). */
  const elapsed = (state: LeakyState, now: number) => {
    const ms = now - state.last;
    return ms < -60_000 ? 1 : ms < 0 ? 0 : ms;
  };
  /** `lr->excess - ctx->rate * ms / 1000`, before the request's own 1000 is added. */
  const drained = (state: LeakyState, ms: number) => state.excess - Math.floor((milliRate * ms) / 1000);
  /** Until the excess has drained by `milli` thousandths (whole ms, as nginx's integer leak needs). */
  const untilDrained = (milli: number) => (milli <= 0 ? 0 : Math.ceil((milli * 1000) / milliRate));

  return {
    id: 'leaky-bucket',
    quota,
    windowSeconds: Math.max(1, Math.ceil(quota / rate)),
    fresh: () => ({ used: 0, rejected: 0, ref: false, excess: 0, last: Number.NEGATIVE_INFINITY }),
    decide(state, at, commit): Decision {
      const now = Math.floor(at);
      const ms = elapsed(state, now);
      const left = drained(state, ms);
      const excess = Math.max(0, left + 1000);
      if (excess > burstMilli) {
        // The request passes once `left + 1000 <= burst * 1000`; the leak so far already counts.
        const wait = untilDrained(left + 1000 - burstMilli);
        return decision('leaky-bucket', false, quota, 0, wait, wait, excess / 1000);
      }
      if (commit) {
        state.excess = excess;
        if (ms !== 0) state.last = now;
      }
      const delayMs = excess <= delayMilli ? 0 : Math.floor(((excess - delayMilli) * 1000) / milliRate);
      // More requests now: each adds 1000 to the excess, up to the burst.
      const remaining = Math.floor((burstMilli - excess) / 1000);
      const reset = untilDrained(excess - (burstMilli - 1000 * (remaining + 1)));
      return decision('leaky-bucket', true, quota, remaining, reset, 0, excess / 1000, delayMs);
    },
    // A drained key decides as a new one once its next excess would be 0: `left + 1000 <= 0`.
    idle: (state, now) => drained(state, elapsed(state, Math.floor(now))) <= -1000,
    view: (state, at) => {
      const now = Math.floor(at);
      return {
        kind: 'leaky-bucket',
        excess: Math.max(0, drained(state, elapsed(state, now))) / 1000,
        burst,
        ratePerSecond: milliRate / 1000,
        delay: nodelay ? 'nodelay' : delay,
        lastMs: Number.isFinite(state.last) ? state.last : null,
      };
    },
    explain: (d) => {
      const at = `excess ${d.level.toFixed(3)} of burst ${burst} at ${milliRate / 1000} r/s`;
      return d.allowed ? `is at ${at}` : `would be at ${at}; retry in ${formatMs(d.retryAfterMs)}`;
    },
  };
}
