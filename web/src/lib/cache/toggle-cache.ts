/**
 * Turning a proxy's cache on or off is an edit of the running config, which the engine validates as a
 * whole (as switching an algorithm is): read it, give that one proxy `cache: settings` or take its
 * `cache` away, send it back. Turning it off hands back the settings it had, so turning it on again
 * restores them rather than the defaults.
 */

export type ConfigNode = Record<string, unknown> & { id?: unknown; kind?: unknown };

/** The `cache` of proxy `nodeId` in `config`, when it has one. */
export function cacheSettings(config: unknown, nodeId: string): Record<string, unknown> | undefined {
  const node = proxyOf(config, nodeId)?.node;
  const cache = node?.cache;
  return typeof cache === 'object' && cache !== null && !Array.isArray(cache) ? (cache as Record<string, unknown>) : undefined;
}

/**
 * A copy of `config` with proxy `nodeId` caching with `settings` (`{}`: the defaults), or not caching
 * when `settings` is undefined. Throws when the config has no such proxy.
 */
export function withCache(config: unknown, nodeId: string, settings: Record<string, unknown> | undefined): unknown {
  const found = proxyOf(config, nodeId);
  if (found === undefined) throw new Error(`the running config has no proxy "${nodeId}"`);
  const { cache: _cache, ...rest } = found.node;
  const node: ConfigNode = settings === undefined ? rest : { ...rest, cache: settings };
  return { ...(config as Record<string, unknown>), nodes: found.nodes.map((n, i) => (i === found.index ? node : n)) };
}

/** Proxy `nodeId` of `config`, with the node list and its place in it; undefined when there is none. */
export function proxyOf(config: unknown, nodeId: string): { nodes: ConfigNode[]; index: number; node: ConfigNode } | undefined {
  const nodes = (config as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return undefined;
  const index = (nodes as ConfigNode[]).findIndex((n) => n?.id === nodeId && n?.kind === 'proxy');
  return index === -1 ? undefined : { nodes: nodes as ConfigNode[], index, node: (nodes as ConfigNode[])[index] };
}
