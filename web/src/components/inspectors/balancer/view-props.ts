/** What every algorithm view of the balancer inspector receives. */
import type { TopologyNode } from '../../../lib/api-types.ts';
import type { PickerId } from '../../../lib/balancer/algorithms.ts';
import type { PickRecord } from '../../../lib/balancer/pick-history.ts';
import type { Why } from '../../../lib/traces/why.ts';
import type { WhyTip } from '../../../lib/why-tip.svelte.ts';
import type { AlgorithmView } from '../../../state/stream-ingest.svelte.ts';

export type Target = NonNullable<TopologyNode['targets']>[number];

export interface AlgorithmViewProps {
  nodeId: string;
  algorithm: PickerId;
  /** The engine's latest report of this balancer: next pick, targets, the picker's state. */
  state: AlgorithmView;
  /** The engine's next pick when known to be current (reported after the latest pick seen). */
  next: string | undefined;
  /** The targets in config order (the engine's, or the config's while none is reported). */
  targets: Target[];
  /** This algorithm's picks, newest first. */
  picks: PickRecord[];
  /** A target's colour, the same in every view. */
  colourOf: (id: string) => string;
  /** Short labels for crowded places (`1` for `users-1`). */
  shortName: (id: string) => string;
  /** The inspector's why tip, shared by its views. */
  tip: WhyTip;
}

export function pickWhy(nodeId: string, pick: PickRecord): Why {
  return { node: nodeId, to: pick.to, decision: pick.decision };
}
