/**
 * The gateway's first stage: find the route that owns the request (gateway/routes.ts), keep it on the
 * exchange for the stages after, or answer 404 when none does.
 */
import type { GatewayConfig } from '../../config/schema.ts';
import type { Stage } from '../../pipeline/verdict.ts';
import type { GatewayRequest } from '../request.ts';
import { compileRoutes, splitTarget } from '../routes.ts';

export function createRouteStage(config: GatewayConfig): Stage<GatewayRequest> {
  const routes = compileRoutes(config.routes);
  const needsQuery = config.routes.some((r) => r.match.query !== undefined);
  return {
    name: 'route',
    run: (exchange) => {
      const url = exchange.req.url ?? '/';
      const { pathname, search } = splitTarget(url);
      const query = needsQuery ? new URLSearchParams(search) : undefined;
      const method = exchange.req.method ?? 'GET';
      for (const route of routes) {
        if (!route.matches(method, pathname, query, exchange.req.headers)) continue;
        const reason = `route ${route.index + 1} (${route.describe}) sends ${pathname} to ${route.to}`;
        exchange.local = { route, path: route.rewrite(url), decision: { stage: 'route', route: route.index, reason } };
        return { kind: 'continue', reason };
      }
      return {
        kind: 'respond',
        error: 'EDGE_NO_ROUTE',
        decision: { stage: 'route', reason: `no route matches ${method} ${pathname}` },
      };
    },
  };
}
