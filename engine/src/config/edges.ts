/**
 * The edges of a config's topology: which upstreams each node names, with the path of the field that
 * names it, for validation (cycles, unknown ids) and the fault targets (an edge is `from->to`).
 */
import type { NodeConfigParsed } from './schema.ts';

export interface ConfigError {
  /** `nodes[3].targets[0]`, or `(root)` for the document itself. */
  path: string;
  message: string;
}

/**
 * The upstreams a node sends to, with the config path of each reference; a gateway's name their
 * route (an aggregate route sends to each of its upstreams).
 */
export function upstreamsOf(node: NodeConfigParsed, index: number): Array<{ to: string; path: string; route?: number }> {
  switch (node.kind) {
    case 'proxy':
      return [{ to: node.to, path: `nodes[${index}].to` }];
    case 'gateway':
      return node.routes.flatMap((r, i) =>
        r.to !== undefined
          ? [{ to: r.to, path: `nodes[${index}].routes[${i}].to`, route: i }]
          : (r.aggregate?.upstreams ?? []).map((u, j) => ({
              to: u.to,
              path: `nodes[${index}].routes[${i}].aggregate.upstreams[${j}].to`,
              route: i,
            })),
      );
    case 'balancer':
      return node.targets.map((t, i) =>
        typeof t === 'string' ? { to: t, path: `nodes[${index}].targets[${i}]` } : { to: t.to, path: `nodes[${index}].targets[${i}].to` },
      );
    case 'service':
      return [];
  }
}
