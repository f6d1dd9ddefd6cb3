/**
 * The gateway's first stage: find the route that owns the request in the route table (routing/:
 * normalised path, most specific route first), keep it on the exchange for the stages after, or
 * answer 404 naming the closest route, or 400 for a path no route may see (an encoded slash).
 */
import type { GatewayConfig } from '../../config/schema.ts';
import type { Stage } from '../../pipeline/verdict.ts';
import type { GatewayRequest } from '../request.ts';
import type { RouteTable } from '../routing/route-table.ts';

/** `hits[i]` counts the requests route i took (the inspector's route table). */
export function createRouteStage(_config: GatewayConfig, table: RouteTable, hits: number[]): Stage<GatewayRequest> {
  return {
    name: 'route',
    run: (exchange) => {
      const { req } = exchange;
      const method = req.method ?? 'GET';
      const target = req.url ?? '/';
      const hit = table.match(method, req.headers.host, target, req.headers);
      if (hit === undefined) {
        const reason = table.explainMiss(method, req.headers.host, target, req.headers);
        return { kind: 'respond', error: 'EDGE_NO_ROUTE', decision: { stage: 'route', reason } };
      }
      if (hit.kind === 'refused') return { kind: 'respond', error: hit.error, decision: { stage: 'route', reason: hit.reason } };
      hits[hit.route]++;
      exchange.local = { hit, decision: { stage: 'route', route: hit.route, reason: hit.reason } };
      return { kind: 'continue', reason: hit.reason };
    },
  };
}
