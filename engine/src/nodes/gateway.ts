/** The API gateway: routes each request by method, path, headers or query to the service that owns it. */
import type { GatewayConfig } from '../config/schema.ts';
import { compileRoutes, splitTarget } from '../gateway/routes.ts';
import { ForwardingNode } from './forwarding-node.ts';
import type { Stage } from './verdict.ts';

export class GatewayNode extends ForwardingNode<GatewayConfig> {
  readonly kind = 'gateway' as const;

  protected buildStages(config: GatewayConfig): Stage[] {
    const routes = compileRoutes(config.routes);
    const needsQuery = config.routes.some((r) => r.match.query !== undefined);
    return [
      {
        name: 'route',
        run: (exchange) => {
          const url = exchange.req.url ?? '/';
          const { pathname, search } = splitTarget(url);
          const query = needsQuery ? new URLSearchParams(search) : undefined;
          const method = exchange.req.method ?? 'GET';
          for (const route of routes) {
            if (!route.matches(method, pathname, query, exchange.req.headers)) continue;
            return {
              kind: 'forward',
              upstream: route.to,
              path: route.rewrite(url),
              decision: {
                stage: 'route',
                route: route.index,
                reason: `route ${route.index + 1} (${route.describe}) sends ${pathname} to ${route.to}`,
              },
            };
          }
          return {
            kind: 'respond',
            error: 'EDGE_NO_ROUTE',
            decision: { stage: 'route', reason: `no route matches ${method} ${pathname}` },
          };
        },
      },
    ];
  }
}
