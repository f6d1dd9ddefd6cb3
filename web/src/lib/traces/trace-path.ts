/**
 * Where one request went, as the diagram highlights it: the edges it crossed (each hop's arrival, and
 * every forward a node made, a failed try's too: it crossed that edge before it failed) and the boxes
 * it reached (the clients' and each hop's node). Keys are the layout's (`from->to`, node ids), so the
 * topology marks them without knowing traces.
 */
import { CLIENTS_ID, edgeKey } from '../layout/layout.ts';
import { CLIENT, type Trace } from './trace-store.ts';

export interface TracePath {
  edges: ReadonlySet<string>;
  nodes: ReadonlySet<string>;
}

export const NO_PATH: TracePath = { edges: new Set(), nodes: new Set() };

export function tracePath(trace: Trace | null | undefined): TracePath {
  if (trace == null) return NO_PATH;
  const edges = new Set<string>();
  const nodes = new Set<string>();
  for (const hop of trace.hops) {
    nodes.add(hop.node);
    // `?`: the receipt was not seen, so where it came from is not known.
    if (hop.from !== '?') {
      const from = hop.from === CLIENT ? CLIENTS_ID : hop.from;
      nodes.add(from);
      edges.add(edgeKey(from, hop.node));
    }
    for (const forward of hop.forwards) edges.add(edgeKey(hop.node, forward.to));
  }
  return { edges, nodes };
}
