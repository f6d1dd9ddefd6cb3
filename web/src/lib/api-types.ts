/**
 * The shapes the control API answers with, as the web app reads them. Event types come from the
 * engine's one declaration (events.ts); these are the REST bodies around them.
 */
import type { CacheView as CacheOutcome, FaultInfo, NodeMetrics, NodeState, TlsView, XCacheWord } from '../../../engine/src/events.ts';
import type { NodeKind } from '../../../engine/src/config/schema.ts';
import type { TopologyNode, TrafficState } from '../../../engine/src/engine.ts';
import type { GatewayRouteView, GatewayView } from '../../../engine/src/gateway/gateway-node.ts';
import type { CapacityState } from '../../../engine/src/service/service-capacity.ts';

export type { GatewayRouteView, GatewayView };
export type { CapacityState, FaultInfo as Fault, NodeKind, NodeMetrics, NodeState, TopologyNode, TrafficState };

export type TrafficFlowState = TrafficState['flows'][number];

/** A caching proxy's cache as the topology reports it: bytes and entries against its limit, X-Cache counts, hit ratio per second, stored responses. */
export type ProxyCache = NonNullable<TopologyNode['cache']>;
export type CacheItem = ProxyCache['items'][number];
/** What a proxy's cache did with one request (`request.completed`), and the word it said in `X-Cache`. */
export type { CacheOutcome, XCacheWord };
/** A TLS proxy's certificate and protocols, as the topology and `tls.certificate` report them. */
export type { TlsView };

export interface Topology {
  name: string;
  nodes: TopologyNode[];
  traffic: TrafficState;
  /** The config's layout hints, when it has them. */
  layout?: { positions: Record<string, { x: number; y: number }> };
}

export interface MetricsSnapshot {
  ts: number;
  nodes: Record<string, NodeMetrics>;
  traffic: TrafficState;
}

/**
 * One entry of a 400 answer: where in the body, and what is wrong there; inside a config node, the
 * node's id (shown with `errorPlace`), and for a misspelt name the one most likely meant.
 */
export interface ApiFieldError {
  path: string;
  message: string;
  node?: string;
  suggestion?: string;
}
