/**
 * The reverse proxy's first stage, when its config has a `filter`: the request filter (proxy/filter/)
 * decides before anything is forwarded, from the client address (behind another engine node, the
 * client it names) and the request head. A refusal answers at once with its code and status and says
 * why in the trace; a request that passes goes on without a step (nothing was decided about it).
 */
import type { FilterConfig } from '../../config/proxy/filter.ts';
import { clientOf } from '../../pipeline/real-ip.ts';
import { SKIP, type Stage } from '../../pipeline/verdict.ts';
import { compileFilter } from '../filter/request-filter.ts';

export function createFilterStage(config: FilterConfig): Stage {
  const filter = compileFilter(config);
  return {
    name: 'filter',
    run(exchange) {
      const refusal = filter.check(exchange.req, clientOf(exchange));
      if (refusal === undefined) return SKIP;
      return { kind: 'respond', error: refusal.code, headers: refusal.headers, decision: { stage: 'filter', reason: refusal.reason } };
    },
  };
}
