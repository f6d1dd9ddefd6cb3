/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), written as RFC 9651
 * structured-field lists with the structured-headers library, one item per policy in force:
 *   RateLimit-Policy: "per-second";q=20;w=2, "per-day";q=10000;w=86400, "in-flight";q=5;qu="concurrent-requests"
 *   RateLimit: "per-second";r=0;t=1;a=0;w=1, "per-day";r=9876;t=51234;a=9876;w=51234, "in-flight";r=4;a=4
 * A policy is named by a String (a proposal in the WG would also allow a Token and compare names without
 * case; the config already refuses two names that differ only by case). RateLimit-Policy: `q` the quota,
 * `w` the window in seconds; a concurrency limit is not over time, so it has no `w` and says its unit
 * (`qu`, default "requests") is "concurrent-requests".
 *
 * RateLimit carries each value under both drafts' names. Draft -11 (and the issue this gateway was built
 * to) names them `r` (remaining) and `t` (reset); the editors' copy since August 2026, published as -12,
 * renames them `a` (the quota available now) and `w` (the effective window: the seconds within which the
 * client can use no more than `a`), because buckets and GCRA neither count down nor reset. Both drafts tell
 * a client to ignore parameters it does not know, so a client of either reads its own pair and skips the
 * other; the values are the same. No `pk`: the partition key would send the limit's key (a client's header
 * value) back in every answer; no `c`: every request costs 1. Seconds are rounded up, so a client that
 * waits `t` (`w`), or Retry-After, finds the quota back: intermediaries must not loosen them. Retry-After
 * (RFC 9110 section 10.2.3) goes on a refusal, never before the refusing policy's window ends, and wins over it.
 */
import { parseList, serializeInteger, serializeItem, serializeKey, serializeList, Token, type Item } from 'structured-headers';
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
 * The writer of `RateLimit` for a set of policies: per request, each policy's available quota and seconds
 * until more (per decision, in order), under both drafts' names. What never changes (the names, the keys) is serialised once by
 * the library; per request only the integers are (serializeInteger), joined as serializeList joins
 * items: the same bytes as serializeList over the whole list (a test holds it to that) at a tenth of the
 * cost (~2 µs a request through serializeList on the dev machine, most of it re-checking the names).
 */
export function rateLimitFieldWriter(policies: readonly Policy[]): (decisions: readonly Decision[]) => string {
  const remainingKey = `;${serializeKey('r')}=`;
  const resetKey = `;${serializeKey('t')}=`;
  const availableKey = `;${serializeKey('a')}=`;
  const windowKey = `;${serializeKey('w')}=`;
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
      const available = serializeInteger(Math.max(0, Math.min(part.quota, Math.floor(decision.remaining))));
      if (part.overTime) {
        const seconds = serializeInteger(wholeSeconds(decision.resetMs));
        field += part.name + remainingKey + available + resetKey + seconds + availableKey + available + windowKey + seconds;
      } else field += part.name + remainingKey + available + availableKey + available;
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

/**
 * A RateLimit or RateLimit-Policy field that carries the gateway's items (`ours`) and, after them, those
 * the upstream sent (`theirs`, one value or several field lines): the draft lets a list be split and
 * joined, and an intermediary must not drop the origin's limits. An upstream item naming one of the
 * gateway's policies (names compare without case, String or Token alike) is left out, as two items of one
 * policy may not be sent; an upstream value that is not a structured list is left out whole, since a
 * client ignores a malformed field and would lose the gateway's items with it.
 */
export function mergedField(ours: string, theirs: string | number | readonly string[] | undefined): string {
  if (theirs === undefined) return ours;
  let items;
  try {
    items = parseList(typeof theirs === 'object' ? theirs.join(', ') : String(theirs));
  } catch {
    return ours;
  }
  const taken = new Set(parseList(ours).map(([name]) => policyId(name)));
  const kept = items.filter((item): item is Item => {
    const id = policyId(item[0]);
    return id !== undefined && !taken.has(id);
  });
  return kept.length === 0 ? ours : `${ours}, ${serializeList(kept)}`;
}

/** A policy's identifier as the draft compares it: a String's or Token's characters, without case. */
function policyId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  return value instanceof Token ? value.toString().toLowerCase() : undefined;
}
