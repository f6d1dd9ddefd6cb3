/**
 * The inspector views of each node kind. A new algorithm or kind adds its view here; each gets the node,
 * its metrics and its latest decisions. The view of a kind's main job, the one a learner comes for (a
 * proxy's cache, a gateway's routes and limits, a balancer's picks), leads: it comes right under the
 * node's facts, above capacity and metrics, so it is seen without scrolling. The rest of a kind's view
 * comes after the metrics.
 */
import type { Component } from 'svelte';
import type { NodeKind, NodeMetrics, TopologyNode } from '../../lib/api-types.ts';
import type { DecisionRecord } from '../../state/stream-ingest.svelte.ts';
import BalancerInspector from './BalancerInspector.svelte';
import GatewayInspector from './GatewayInspector.svelte';
import ProxyInspector from './ProxyInspector.svelte';
import ServiceInspector from './ServiceInspector.svelte';
import CachePanel from './proxy/CachePanel.svelte';

export interface KindInspectorProps {
  node: TopologyNode;
  metrics: NodeMetrics | undefined;
  /** Newest first. */
  decisions: DecisionRecord[];
}

/** The views shown after the metrics. */
export const KIND_INSPECTORS: Partial<Record<NodeKind, Component<KindInspectorProps>>> = {
  proxy: ProxyInspector,
  service: ServiceInspector,
};

/** The views shown first, right under a node's facts. */
export const KIND_LEADS: Partial<Record<NodeKind, Component<KindInspectorProps>>> = {
  proxy: CachePanel,
  gateway: GatewayInspector,
  balancer: BalancerInspector,
};
