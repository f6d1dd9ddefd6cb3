/**
 * The API gateway: routes each request by method, path, headers or query to the service that owns it.
 * Its stages, in order: route, then (when a route needs them) auth, rate-limit, transform and aggregate,
 * then forward.
 */
import type { GatewayConfig } from '../config/schema.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import type { Stage } from '../pipeline/verdict.ts';
import type { GatewayRequest } from './request.ts';
import type { StageName } from '../events.ts';
import { compileRouteTable, type RouteTable, type RouteTableEntry } from './routing/route-table.ts';
import { REQUEST_ID_HEADER } from '../pipeline/headers.ts';
import { DEFAULT_TIMEOUTS } from '../pipeline/upstream-pools.ts';
import { createAggregateStage, type Fanout } from './stages/aggregate.ts';
import { createAuthStage } from './stages/auth.ts';
import { createRateLimiting, type LimitView, type RateLimiting } from './stages/rate-limit.ts';
import { compileRoutePolicies } from './auth/route-policy.ts';
import { createForwardStage } from './stages/forward.ts';
import { createTransformStage } from './stages/transform.ts';
import { createRouteStage } from './stages/route.ts';

export class GatewayNode extends ForwardingNode<GatewayConfig, GatewayRequest> {
  readonly kind = 'gateway' as const;

  #table: RouteTable | undefined;
  /** Requests each route took since the config was applied, by config index. */
  #hits: number[] = [];
  /** Whether each route asks who the client is (its `auth`, or the gateway's default). */
  #authOn: boolean[] = [];
  #limiting: RateLimiting | undefined;

  protected buildStages(config: GatewayConfig): Stage<GatewayRequest>[] {
    const table = (this.#table = compileRouteTable(config.routes));
    this.#hits = config.routes.map(() => 0);
    // Compiled once: the auth stage decides by them, the inspector's strips show which routes ask who the client is.
    const policies = compileRoutePolicies(config);
    this.#authOn = policies.map((policy) => policy.auth !== 'none');
    this.#limiting?.close();
    this.#limiting = createRateLimiting(config, this.id, this.ctx.bus, this.ctx.generation());
    const stages: Array<Stage<GatewayRequest> | undefined> = [
      createRouteStage(config, table, this.#hits),
      createAuthStage(config, policies),
      this.#limiting?.stage,
      createTransformStage(config),
      createAggregateStage(config, this.#fanout(config)),
      createForwardStage(),
    ];
    return stages.filter((stage) => stage !== undefined);
  }

  /** The gateway as the inspector shows it: its stages, and its route table in the order routes are tried, with hits. */
  view(): GatewayView {
    const stages = this.stages.map((stage) => stage.name);
    const routes = this.config.routes;
    return {
      stages,
      routes: (this.#table?.entries ?? []).map((entry) => ({
        ...entry,
        hits: this.#hits[entry.index] ?? 0,
        stages: routeStages(routes[entry.index], this.#authOn[entry.index], this.#limited(entry.index)),
      })),
      limits: this.#limiting?.view(5) ?? [],
      consumers: (this.config.consumers ?? []).map((consumer) => consumer.name),
    };
  }

  /** Route hits and the limits' tallies back to zero; the limits' state (buckets, windows, slots) stays. */
  override resetCounts(): void {
    super.resetCounts();
    this.#hits.fill(0);
    this.#limiting?.resetCounts();
  }

  #limited(route: number): boolean {
    return this.config.rateLimit !== undefined || this.config.routes[route]?.rateLimit !== undefined;
  }

  override async dispose(): Promise<void> {
    this.#limiting?.close();
    await super.dispose();
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

/** One route of the gateway's table, as the inspector shows it. */
export interface GatewayRouteView extends RouteTableEntry {
  /** Requests it took since the config was applied. */
  hits: number;
  /** The stages a request on this route passes, in order. */
  stages: StageName[];
}

export interface GatewayView {
  /** The gateway's stages, in order. */
  stages: StageName[];
  /** Its routes in the order they are tried (most specific first). */
  routes: GatewayRouteView[];
  /** Its rate limits, each once (a gateway-wide limit applies to every route), with totals and busiest keys. */
  limits: LimitView[];
  /** The consumers its config names, in config order (none without authentication): the page gives each a colour. */
  consumers: string[];
}

/** The stages a request on `route` passes: those its config asks for. */
function routeStages(route: GatewayConfig['routes'][number], auth: boolean, limited: boolean): StageName[] {
  return [
    'route',
    ...(auth ? (['auth'] as const) : []),
    ...(limited ? (['rate-limit'] as const) : []),
    ...(route.transform ? (['transform'] as const) : []),
    route.aggregate ? 'aggregate' : 'forward',
  ];
}
