/**
 * One inspector view per node kind, below the generic part of the node inspector. A new algorithm or
 * kind adds its view here; each gets the node, its metrics and its latest decisions. A kind whose main
 * job has a view a learner comes for (a proxy's cache) leads with it, above the metrics, so it is seen
 * without scrolling.
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

export const KIND_INSPECTORS: Record<NodeKind, Component<KindInspectorProps>> = {
  proxy: ProxyInspector,
  gateway: GatewayInspector,
  balancer: BalancerInspector,
  service: ServiceInspector,
};

/** The views shown first, right under a node's facts. */
export const KIND_LEADS: Partial<Record<NodeKind, Component<KindInspectorProps>>> = {
  proxy: CachePanel,
};
