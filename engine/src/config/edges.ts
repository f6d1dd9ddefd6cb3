/**
 * The edges of a config's topology: which upstreams each node names, with the path of the field that
 * names it, for validation (cycles, unknown ids) and the fault targets (an edge is `from->to`). Also
 * the shape of a config error, which names its place by path and, inside a node, by the node's id.
 */

export interface ConfigError {
  /** `nodes[3].targets[0]`, or `(root)` for the document itself. */
  path: string;
  message: string;
  /** The id of the node the path is in (`nodes[3]` is `users-9`), when it has one. */
  node?: string;
  /** The name that was most likely meant, for a misspelt key, node id or option; the message says it too. */
  suggestion?: string;
}

/** Where an error is, as a person reads it: `nodes[2] (users-9).targets[0]`. */
export function errorPlace(error: Pick<ConfigError, 'path' | 'node'>): string {
  if (error.node === undefined) return error.path;
  return error.path.replace(/^nodes\[\d+\]/, (at) => `${at} (${error.node})`);
}

/**
 * The fields of a node that name upstreams. A parsed node has them; so may a node as written, whose
 * other fields failed their checks: anything here that is not where an upstream goes is skipped.
 */
interface UpstreamFields {
  kind?: unknown;
  to?: unknown;
  routes?: unknown;
  targets?: unknown;
}

/**
 * The upstreams a node sends to, with the config path of each reference; a gateway's name their
 * route (an aggregate route sends to each of its upstreams).
 */
export function upstreamsOf(node: UpstreamFields, index: number): Array<{ to: string; path: string; route?: number }> {
  switch (node.kind) {
    case 'proxy':
      return typeof node.to === 'string' ? [{ to: node.to, path: `nodes[${index}].to` }] : [];
    case 'gateway':
      return listOf(node.routes).flatMap((route, i) => {
        const to = fieldOf(route, 'to');
        if (to !== undefined) return typeof to === 'string' ? [{ to, path: `nodes[${index}].routes[${i}].to`, route: i }] : [];
        return listOf(fieldOf(fieldOf(route, 'aggregate'), 'upstreams')).flatMap((upstream, j) => {
          const named = fieldOf(upstream, 'to');
          return typeof named === 'string' ? [{ to: named, path: `nodes[${index}].routes[${i}].aggregate.upstreams[${j}].to`, route: i }] : [];
        });
      });
    case 'balancer':
      return listOf(node.targets).flatMap((target, i) => {
        if (typeof target === 'string') return [{ to: target, path: `nodes[${index}].targets[${i}]` }];
        const to = fieldOf(target, 'to');
        return typeof to === 'string' ? [{ to, path: `nodes[${index}].targets[${i}].to` }] : [];
      });
    default:
      return [];
  }
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function fieldOf(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}
