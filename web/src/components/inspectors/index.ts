/**
 * One inspector view per node kind, below the generic part of the node inspector. A new algorithm or
 * kind adds its view here; each gets the node, its metrics and its latest decisions.
 */
import type { Component } from 'svelte';
import type { NodeKind, NodeMetrics, TopologyNode } from '../../lib/api-types.ts';
import type { DecisionRecord } from '../../state/lab-state.svelte.ts';
import BalancerInspector from './BalancerInspector.svelte';
import GatewayInspector from './GatewayInspector.svelte';
import ProxyInspector from './ProxyInspector.svelte';
import ServiceInspector from './ServiceInspector.svelte';

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
