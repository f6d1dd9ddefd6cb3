/**
 * Goals the reverse-proxy lessons share, as data builders: a caching proxy's hit ratio, and the share of
 * a proxy's requests that went on to the service behind it. Both are ratios over a window (checker.ts),
 * judged once enough requests have been counted for the share to mean something.
 */
import type { CompareOp, RatioGoal } from './format.ts';

/**
 * The proxy's hit ratio as its cache panel counts it (proxy/cache-tally.ts): answered from the store
 * without waiting on the origin's body (HIT, STALE, COLLAPSED), over every lookup (those, MISS and REVALIDATED).
 */
export function hitRatio(proxy: string, op: CompareOp, value: number, atLeast: number): RatioGoal {
  return {
    type: 'ratio',
    label: `${proxy}’s hit ratio`,
    counted: 'lookups',
    part: { node: proxy, metrics: ['cache.HIT', 'cache.STALE', 'cache.COLLAPSED'] },
    whole: { node: proxy, metrics: ['cache.HIT', 'cache.STALE', 'cache.COLLAPSED', 'cache.MISS', 'cache.REVALIDATED'] },
    atLeast,
    op,
    value,
  };
}

/** The share of the requests `proxy` handled that reached `service`: the load the proxy passes on. */
export function reachedService(proxy: string, service: string, op: CompareOp, value: number, atLeast: number): RatioGoal {
  return {
    type: 'ratio',
    label: `the share of ${proxy}’s requests that reached ${service}`,
    counted: `requests at ${proxy}`,
    part: { node: service, metrics: ['requests'] },
    whole: { node: proxy, metrics: ['requests'] },
    atLeast,
    op,
    value,
  };
}
