/**
 * The gateway's aggregate stage: a route with `aggregate` calls its upstreams at once and answers
 * their JSON merged (gateway/aggregate/), instead of forwarding. Each call is a real request the
 * upstream sees, reported as a `request.forwarded` so the lab draws it; the stage answers itself.
 */
import type { GatewayConfig } from '../../config/schema.ts';
import type { Exchange } from '../../pipeline/exchange.ts';
import { HANDLED, SKIP, type Stage, type Verdict } from '../../pipeline/verdict.ts';
import { createAggregator, type Aggregator, type UpstreamCall } from '../aggregate/aggregate.ts';
import type { GatewayRequest } from '../request.ts';
import { scopeOf } from './transform.ts';

/**
 * What the stage needs of its node: the request's upstream headers, and a GET over the node's pools
 * (which reports each call as a `request.forwarded` of the request its `x-request-id` names).
 */
export interface Fanout {
  /** The gateway's response timeout: the timeout of a part that gives none. */
  readonly timeoutMs: number;
  headers(exchange: Exchange): Record<string, string | string[]>;
  get: UpstreamCall;
}

/** The aggregate stage, or undefined when no route aggregates. */
export function createAggregateStage(config: GatewayConfig, fanout: Fanout): Stage<GatewayRequest> | undefined {
  const byRoute: Array<Aggregator | undefined> = config.routes.map(
    (route) => route.aggregate && createAggregator(route.aggregate, fanout.get, { timeoutMs: fanout.timeoutMs }),
  );
  if (byRoute.every((a) => a === undefined)) return undefined;
  return {
    name: 'aggregate',
    run(exchange) {
      const aggregator = byRoute[exchange.local!.hit.route];
      if (aggregator === undefined) return SKIP;
      return aggregate(exchange, aggregator, fanout);
    },
  };
}

async function aggregate(exchange: Exchange<GatewayRequest>, aggregator: Aggregator, fanout: Fanout): Promise<Verdict> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  exchange.res.once('close', abort);
  const result = await aggregator.run(scopeOf(exchange), fanout.headers(exchange), controller.signal);
  exchange.res.off('close', abort);
  const stageDecision = { stage: 'aggregate' as const, route: exchange.local!.hit.route, reason: result.reason };
  // The client went away: nothing to send.
  if (result.error === 'EDGE_CLIENT_ABORTED') return { ...HANDLED, reason: result.reason };
  if (result.status === 200 && result.failed.length > 0) exchange.partial = result.failed;
  return { kind: 'answer', status: result.status, headers: result.headers, body: result.body, decision: stageDecision, error: result.error };
}
