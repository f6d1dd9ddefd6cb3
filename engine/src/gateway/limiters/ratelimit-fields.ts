/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11), written as RFC 9651
 * structured-field lists with the structured-headers library, one item per policy in force:
 *   RateLimit-Policy: "per-second";q=20;w=2, "per-day";q=10000;w=86400, "in-flight";q=5;qu="concurrent-requests"
 *   RateLimit: "per-second";r=0;t=1, "per-day";r=9876;t=51234, "in-flight";r=4
 * The name is a String; `q` the quota, `w` the window in seconds; a concurrency limit is not over time, so
 * it has no `w` and says its unit (`qu`, default "requests") is "concurrent-requests" (section 3.1.2).
 * `r` the requests that remain, `t` the seconds until more quota. No `pk`: the partition key would send
 * the limit's key (a client's header value) back in every answer. Seconds are rounded up,
 * so a client that waits `t` (or Retry-After) finds the quota back: intermediaries must not loosen them.
 * Retry-After (RFC 9110 section 10.2.3) goes on a refusal, and wins over `t`.
 */
import { serializeInteger, serializeItem, serializeKey, serializeList, type Item } from 'structured-headers';
import type { Decision } from './limiter.ts';

export interface Policy {
  /** The policy name, printable ASCII (config `name`, or `gateway-0`, `route-1`). */
  readonly name: string;
  readonly quota: number;
  /** Whole seconds, or undefined for a limit that is not over time. */
  readonly windowSeconds: number | undefined;
}

/** The quota unit of a limit on requests in flight (draft section 3.1.2; the default unit is "requests"). */
const CONCURRENT_REQUESTS = 'concurrent-requests';

/** `RateLimit-Policy`: fixed for a set of limits, so written once when they are compiled. */
export function rateLimitPolicyField(policies: readonly Policy[]): string {
  return serializeList(
    policies.map((policy): Item => {
      const params = new Map<string, number | string>([['q', policy.quota]]);
      if (policy.windowSeconds !== undefined) params.set('w', policy.windowSeconds);
      else params.set('qu', CONCURRENT_REQUESTS);
      return [policy.name, params];
    }),
  );
}

/**
 * The writer of `RateLimit` for a set of policies: per request, each policy's remaining quota and seconds
 * until more (per decision, in order). What never changes (the names, the keys) is serialised once by
 * the library; per request only the integers are (serializeInteger), joined as serializeList joins
 * items: the same bytes as serializeList over the whole list (a test holds it to that) at a tenth of the
 * cost (~2 µs a request through serializeList on the dev machine, most of it re-checking the names).
 */
export function rateLimitFieldWriter(policies: readonly Policy[]): (decisions: readonly Decision[]) => string {
  const remainingKey = `;${serializeKey('r')}=`;
  const resetKey = `;${serializeKey('t')}=`;
  const parts = policies.map((policy) => ({
    name: serializeItem(policy.name),
    quota: policy.quota,
    overTime: policy.windowSeconds !== undefined,
  }));
  return (decisions) => {
    let field = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const decision = decisions[i];
      if (i > 0) field += ', ';
      field += part.name + remainingKey + serializeInteger(Math.max(0, Math.min(part.quota, Math.floor(decision.remaining))));
      if (part.overTime) field += resetKey + serializeInteger(wholeSeconds(decision.resetMs));
    }
    return field;
  };
}

/** Retry-After in delta-seconds for a refusal: rounded up, and at least 1 (0 would invite an instant retry). */
export function retryAfterField(retryAfterMs: number): string {
  return String(Math.max(1, wholeSeconds(retryAfterMs)));
}

function wholeSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
