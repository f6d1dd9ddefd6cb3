/**
 * The reverse proxy's first stage, when its config has a `filter`: the request filter (proxy/filter/)
 * decides before anything is forwarded, from the client address (behind another engine node, the
 * client it names) and the request head. A refusal answers at once with its code and status and says
 * why in the trace; a request that passes goes on without a step (nothing was decided about it).
 * A chunked body (or an HTTP/2 one without Content-Length), whose size no header announces, is
 * counted on its way up instead: past the limit the forward fails with 413 (its Content-Length, when
 * there is one, was judged with the head).
 */
import type { FilterConfig } from '../../config/proxy/filter.ts';
import { hasHttp2Body } from '../../pipeline/headers.ts';
import { clientOf } from '../../pipeline/real-ip.ts';
import { SKIP, type Stage } from '../../pipeline/verdict.ts';
import { BodyLimit } from '../filter/body-limit.ts';
import { compileFilter } from '../filter/request-filter.ts';

export function createFilterStage(config: FilterConfig): Stage {
  const filter = compileFilter(config);
  const { bodyBytes } = filter;
  return {
    name: 'filter',
    run(exchange) {
      const { req } = exchange;
      const refusal = filter.check(req, clientOf(exchange));
      if (refusal === undefined) {
        if (bodyBytes !== undefined && (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] === undefined && hasHttp2Body(req))))
          exchange.requestBody = req.pipe(new BodyLimit(bodyBytes));
        return SKIP;
      }
      return { kind: 'respond', error: refusal.code, headers: refusal.headers, decision: { stage: 'filter', reason: refusal.reason } };
    },
  };
}
