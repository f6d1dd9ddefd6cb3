/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), written as RFC 9651
 * structured-field lists with the structured-headers library, one item per policy in force:
 *   RateLimit-Policy: "per-second";q=20;w=2, "per-day";q=10000;w=86400
 *   RateLimit: "per-second";r=0;t=1, "per-day";r=9876;t=51234
 * The name is a String; `q` the quota, `w` the window in seconds (none for a concurrency limit, which is
 * not over time); `r` the requests that remain, `t` the seconds until more quota. Seconds are rounded up,
 * so a client that waits `t` (or Retry-After) finds the quota back: intermediaries must not loosen them.
 * Retry-After (RFC 9110 section 10.2.3) goes on a refusal, and wins over `t`.
 */
import { serializeList, type Item } from 'structured-headers';
import type { Decision } from './limiter.ts';

export interface Policy {
  /** The policy name, printable ASCII (config `name`, or `gateway-0`, `route-1`). */
  readonly name: string;
  readonly quota: number;
  /** Whole seconds, or undefined for a limit that is not over time. */
  readonly windowSeconds: number | undefined;
}

/** `RateLimit-Policy`: fixed for a set of limits, so written once when they are compiled. */
export function rateLimitPolicyField(policies: readonly Policy[]): string {
  return serializeList(
    policies.map((policy): Item => {
      const params = new Map<string, number>([['q', policy.quota]]);
      if (policy.windowSeconds !== undefined) params.set('w', policy.windowSeconds);
      return [policy.name, params];
    }),
  );
}

/** `RateLimit` for one request: each policy's remaining quota and seconds until more (per decision, in order). */
export function rateLimitField(policies: readonly Policy[], decisions: readonly Decision[]): string {
  return serializeList(
    policies.map((policy, i): Item => {
      const decision = decisions[i];
      const params = new Map<string, number>([['r', Math.max(0, Math.min(policy.quota, Math.floor(decision.remaining)))]]);
      if (policy.windowSeconds !== undefined) params.set('t', wholeSeconds(decision.resetMs));
      return [policy.name, params];
    }),
  );
}

/** Retry-After in delta-seconds for a refusal: rounded up, and at least 1 (0 would invite an instant retry). */
export function retryAfterField(retryAfterMs: number): string {
  return String(Math.max(1, wholeSeconds(retryAfterMs)));
}

function wholeSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
