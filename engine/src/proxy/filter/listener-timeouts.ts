/**
 * What a filter's `timeouts` mean for the node's HTTP listener (node:http createServer options), which
 * enforces them: `headers` is `headersTimeout` (time to the end of the request head), `headers + body`
 * is `requestTimeout` (time to the end of the whole request, counted from its start: Node has no
 * separate body timer). Both answer 408. Node checks them every `connectionsCheckingInterval`, so that
 * interval must be well under the shorter timeout for them to fire near their time.
 */
import type { FilterConfig } from '../../config/proxy/filter.ts';

export interface ListenerTimeouts {
  headersMs: number;
  requestMs: number;
  checkEveryMs: number;
}

/** The listener's timeouts under `filter`, from the node's `defaults` for what it leaves out. */
export function listenerTimeoutsOf(filter: FilterConfig | undefined, defaults: ListenerTimeouts): ListenerTimeouts {
  const timeouts = filter?.timeouts;
  if (timeouts === undefined) return defaults;
  const headersMs = timeouts.headers ?? defaults.headersMs;
  // Node refuses a headersTimeout above a non-zero requestTimeout.
  const requestMs = timeouts.body !== undefined ? headersMs + timeouts.body : Math.max(defaults.requestMs, headersMs);
  // A check at least every quarter of the shorter timeout: a timeout fires within 25% of its time.
  const checkEveryMs = Math.max(10, Math.min(defaults.checkEveryMs, Math.floor(headersMs / 4)));
  return { headersMs, requestMs, checkEveryMs };
}
