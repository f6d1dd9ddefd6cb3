/**
 * The API gateway: routes each request by method, path, headers or query to the service that owns it.
 * Its stages, in order: route, then (when a route needs them) transform and aggregate, then forward.
 */
import type { GatewayConfig } from '../config/schema.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import type { Stage } from '../pipeline/verdict.ts';
import type { GatewayRequest } from './request.ts';
import { compileRouteTable, type RouteTable } from './routing/route-table.ts';
import { REQUEST_ID_HEADER } from '../pipeline/headers.ts';
import { DEFAULT_TIMEOUTS } from '../pipeline/upstream-pools.ts';
import { createAggregateStage, type Fanout } from './stages/aggregate.ts';
import { createForwardStage } from './stages/forward.ts';
import { createTransformStage } from './stages/transform.ts';
import { createRouteStage } from './stages/route.ts';

export class GatewayNode extends ForwardingNode<GatewayConfig, GatewayRequest> {
  readonly kind = 'gateway' as const;

  #table: RouteTable | undefined;

  protected buildStages(config: GatewayConfig): Stage<GatewayRequest>[] {
    const table = (this.#table = compileRouteTable(config.routes));
    const stages: Array<Stage<GatewayRequest> | undefined> = [
      createRouteStage(config, table),
      createTransformStage(config),
      createAggregateStage(config, this.#fanout(config)),
      createForwardStage(),
    ];
    return stages.filter((stage) => stage !== undefined);
  }

  /** An aggregate's calls: GETs over this node's pools, each reported as a forward of its request. */
  #fanout(config: GatewayConfig): Fanout {
    return {
      timeoutMs: config.timeouts?.response ?? DEFAULT_TIMEOUTS.response,
      headers: (exchange) => this.upstreamHeaders(exchange),
      get: async (upstream, path, headers, timeoutMs, signal) => {
        const rid = headers[REQUEST_ID_HEADER];
        if (typeof rid === 'string') {
          this.ctx.bus.emit({
            type: 'request.forwarded',
            rid,
            node: this.id,
            to: upstream,
            decision: { stage: 'aggregate', reason: `aggregate: GET ${path} from ${upstream}` },
          });
        }
        const res = await this.get(upstream, path, headers as Record<string, string | string[]>, timeoutMs, signal);
        return { status: res.statusCode, headers: res.headers, body: res.body };
      },
    };
  }
}
