/**
 * A traffic flow's `failover`: more entry addresses for the same service, as DNS with several A records
 * or a second virtual IP gives a client. The flow's clients send to `to`; when a connection to the entry
 * in use is refused, reset or times out (never on an HTTP error status) they retry that request once at
 * the next entry, and keep sending there. After `failback` on a later entry, one request tries the first
 * again (a re-probe): answered, the flow goes back to it; refused, it fails over again (traffic/entries.ts).
 *
 *   to: edge-a
 *   failover: [edge-b]     # tried in order after `to`
 *   failback: 10s          # time on a later entry before the first is tried again (default 10s)
 */
import { z } from 'zod';
import { Duration } from '../duration.ts';
import { limitedArray } from '../fields.ts';
import { LIMITS } from '../limits.ts';
import { Upstream } from '../upstream.ts';

/** The default time a flow stays on a later entry before one request re-probes the first. */
export const DEFAULT_FAILBACK_MS = 10_000;

export const TrafficFailoverFields = {
  failover: limitedArray(Upstream, LIMITS.failoverEntries)
    .min(1, 'expected at least one entry (or leave failover out)')
    .optional()
    .meta({
      description:
        'more entries (node ids or URLs), tried in order when a connection to the one in use is refused, reset or times out: the request is retried there once',
    }),
  failback: Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' })
    .optional()
    .meta({ description: 'with failover: how long the flow stays on a later entry before one request tries the first again (default 10s)' }),
};

/** The failover rules that read the flow's `to` too: no entry twice, and no `failback` without a list. */
export function checkTrafficFailover(flow: { to: string; failover?: string[]; failback?: number }, ctx: z.RefinementCtx): void {
  if (flow.failback !== undefined && flow.failover === undefined) {
    ctx.addIssue({ code: 'custom', path: ['failback'], message: 'applies only with a failover list' });
  }
  const seen = new Set([flow.to]);
  flow.failover?.forEach((entry, i) => {
    if (seen.has(entry)) {
      const twice = entry === flow.to ? `"${entry}" is already the flow's to` : `"${entry}" is listed twice`;
      ctx.addIssue({ code: 'custom', path: ['failover', i], message: twice });
    }
    seen.add(entry);
  });
}
