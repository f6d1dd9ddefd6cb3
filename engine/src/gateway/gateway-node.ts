/**
 * The API gateway: routes each request by method, path, headers or query to the service that owns it.
 * Its stages, in order: route, then forward.
 */
import type { GatewayConfig } from '../config/schema.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import type { Stage } from '../pipeline/verdict.ts';
import type { GatewayRequest } from './request.ts';
import { compileRouteTable, type RouteTable } from './routing/route-table.ts';
import { createForwardStage } from './stages/forward.ts';
import { createRouteStage } from './stages/route.ts';

export class GatewayNode extends ForwardingNode<GatewayConfig, GatewayRequest> {
  readonly kind = 'gateway' as const;

  #table: RouteTable | undefined;

  protected buildStages(config: GatewayConfig): Stage<GatewayRequest>[] {
    const table = (this.#table = compileRouteTable(config.routes));
    return [createRouteStage(config, table), createForwardStage()];
  }
}
