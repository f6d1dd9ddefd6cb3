/**
 * The rules that span nodes: duplicate ids, port clashes, references to unknown nodes (with the nearest
 * id offered), a node sending to itself, cycles; and, as a warning, a node nothing leads to. They read
 * the config as written, not as parsed, so that they run even when other fields failed their checks:
 * a config with a misspelt algorithm and a target that names no node gets both errors at once. Every
 * field is read only when it has the type it must have; what does not is the schema's error to report.
 */
import { upstreamsOf, type ConfigError } from './edges.ts';
import { nearestName, suggestionBudget, type SuggestionBudget } from './suggest.ts';
import { checkUpstreamUrl, isExternalUrl, localPortOf, NODE_ID } from './upstream.ts';

export interface TopologyProblems {
  errors: ConfigError[];
  /** Things that run but look unmeant: a balancer or service that nothing sends to. */
  warnings: ConfigError[];
}

/** A node as far as the rules that span nodes need it, read leniently from the config as written. */
interface SketchNode {
  id: string | undefined;
  kind: unknown;
  /** A fixed port, or 0 (any free port, or none that could be read). */
  listen: number;
  /** A TLS proxy's fixed `tls.redirectHttp` port, or 0. */
  redirect: number;
  upstreams: Array<{ to: string; path: string }>;
}

/** A link from one node to another: `shown` is how the cycle message names it (the URL, when it is one). */
interface Edge {
  to: string;
  shown: string;
}

/**
 * `budget`: what the searches for the nearest id may spend, shared with the rest of the check.
 * `controlPort`: the port of the lab's own page and control API, when known (`serve`, `PUT /api/config`):
 * no node may listen there, and no node or flow may send there (it is not a node, and a learner's
 * traffic has no business with the API that steers the lab).
 */
export function checkTopology(input: object, budget: SuggestionBudget = suggestionBudget(), controlPort?: number): TopologyProblems {
  const written = input as { nodes?: unknown; traffic?: unknown };
  const nodes = (Array.isArray(written.nodes) ? written.nodes : []).map((node: unknown, i) => sketchNode(node, i));
  const errors: ConfigError[] = [];
  const byId = new Map<string, number>();
  const byPort = new Map<number, number>();
  /** Who listens on each fixed port: a node, or a TLS proxy's plain HTTP redirect (its second listener). */
  const portUsers = new Map<number, string>();
  const claim = (port: number, path: string, what: 'node' | 'redirect', who: string): boolean => {
    const user = portUsers.get(port);
    if (port === controlPort) {
      errors.push({ path, message: `port ${port} is the lab's own (its page and control API): give the ${what} another port, or 0 for any free one` });
    } else if (user !== undefined) {
      errors.push({ path, message: `port ${port} is already used by ${user}` });
    } else {
      portUsers.set(port, who);
      return true;
    }
    return false;
  };

  nodes.forEach((node, i) => {
    if (node.id === undefined) return;
    const first = byId.get(node.id);
    if (first !== undefined) errors.push({ path: `nodes[${i}].id`, message: `duplicate id "${node.id}" (also nodes[${first}])` });
    else byId.set(node.id, i);
    if (node.listen !== 0 && claim(node.listen, `nodes[${i}].listen`, 'node', `nodes[${i}] ("${node.id}")`)) byPort.set(node.listen, i);
    // A redirect on the proxy's own port is tls.ts's error.
    if (node.redirect !== 0 && node.redirect !== node.listen)
      claim(node.redirect, `nodes[${i}].tls.redirectHttp`, 'redirect', `the plain HTTP redirect of nodes[${i}] ("${node.id}")`);
  });

  const unknownNode = (path: string, to: string): ConfigError => {
    const suggestion = nearestName(to, byId.keys(), budget);
    return suggestion === undefined
      ? { path, message: `unknown node "${to}"` }
      : { path, message: `unknown node "${to}"; did you mean "${suggestion}"?`, suggestion };
  };
  // A URL that reaches a fixed port of this config on this host is an edge to the node listening there.
  const listenerAt = (url: string): string | undefined => {
    const port = localPortOf(url);
    const index = port === undefined ? undefined : byPort.get(port);
    return index === undefined ? undefined : nodes[index].id;
  };
  const edges = new Map<string, Edge[]>();
  nodes.forEach((node, i) => {
    const outs: Edge[] = [];
    for (const { to, path } of node.upstreams) {
      const refused = controlApiProblem(to, controlPort);
      if (refused !== undefined) errors.push({ path, message: refused });
      else if (isExternalUrl(to)) {
        const local = listenerAt(to);
        if (local !== undefined) outs.push({ to: local, shown: `${to} (${local})` });
      } else if (!byId.has(to)) errors.push(unknownNode(path, to));
      else if (to === node.id) errors.push({ path, message: `"${node.id}" cannot send to itself` });
      else outs.push({ to, shown: to });
    }
    if (node.id !== undefined && byId.get(node.id) === i) edges.set(node.id, outs);
  });

  const entries = new Set<string>();
  const checkEntry = (written: unknown, path: string) => {
    const to = upstreamAsKept(written);
    if (to === undefined) return;
    const refused = controlApiProblem(to, controlPort);
    if (refused !== undefined) return void errors.push({ path, message: refused });
    const entry = isExternalUrl(to) ? listenerAt(to) : to;
    if (entry === undefined) return;
    if (byId.has(entry)) entries.add(entry);
    else errors.push(unknownNode(path, to));
  };
  (Array.isArray(written.traffic) ? written.traffic : []).forEach((flow: unknown, i) => {
    if (flow === null || typeof flow !== 'object') return;
    const { to, failover } = flow as { to?: unknown; failover?: unknown };
    checkEntry(to, `traffic[${i}].to`);
    if (Array.isArray(failover)) failover.forEach((entry: unknown, j) => checkEntry(entry, `traffic[${i}].failover[${j}]`));
  });

  const cycle = findCycle([...edges.keys()], edges);
  if (cycle) errors.push({ path: `nodes[${byId.get(cycle[0])}]`, message: `cycle: ${cycle.join(' -> ')}` });

  // A proxy or a gateway is where clients come in; a balancer or a service may be too (a client may call
  // it directly), but one that no node and no traffic sends to is more likely a step not yet taken.
  const targeted = new Set([...edges.values()].flat().map((edge) => edge.to));
  const warnings: ConfigError[] = [];
  nodes.forEach((node, i) => {
    if (node.id === undefined || byId.get(node.id) !== i || targeted.has(node.id) || entries.has(node.id)) return;
    if (node.kind !== 'balancer' && node.kind !== 'service') return;
    warnings.push({
      path: `nodes[${i}]`,
      message: `no node and no traffic sends to "${node.id}": it runs, and answers only clients that call it directly`,
    });
  });
  return { errors, warnings };
}

/**
 * Why an upstream or a flow's entry (a node id, or a URL as the config keeps it) may not be what it is:
 * a URL to the lab's own page and control API. Undefined when it may (or the port is not known).
 */
export function controlApiProblem(upstream: string, controlPort: number | undefined): string | undefined {
  if (controlPort === undefined || !isExternalUrl(upstream) || localPortOf(upstream) !== controlPort) return undefined;
  return `${upstream} is the lab's own page and control API, not a node: requests sent there would steer the lab, not reach a server`;
}

function sketchNode(written: unknown, index: number): SketchNode {
  if (written === null || typeof written !== 'object') return { id: undefined, kind: undefined, listen: 0, redirect: 0, upstreams: [] };
  const node = written as { id?: unknown; kind?: unknown; listen?: unknown; tls?: unknown };
  const tls = node.kind === 'proxy' && node.tls !== null && typeof node.tls === 'object' ? (node.tls as { redirectHttp?: unknown }) : {};
  return {
    id: typeof node.id === 'string' ? node.id : undefined,
    kind: node.kind,
    listen: fixedPort(node.listen),
    redirect: fixedPort(tls.redirectHttp),
    upstreams: upstreamsOf(node, index).flatMap(({ to, path }) => {
      const kept = upstreamAsKept(to);
      return kept === undefined ? [] : [{ to: kept, path }];
    }),
  };
}

/** A port a config fixed (1 to 65535), or 0 (any free port, or none that could be read). */
function fixedPort(written: unknown): number {
  return Number.isInteger(written) && (written as number) > 0 && (written as number) <= 65535 ? (written as number) : 0;
}

/** An upstream as the parsed config keeps it (a node id, or a URL's origin); undefined when the schema refuses it. */
function upstreamAsKept(written: unknown): string | undefined {
  if (typeof written !== 'string') return undefined;
  return NODE_ID.test(written) ? written : checkUpstreamUrl(written).origin;
}

/** The first cycle found, as its members: the first node, then each edge's `shown` back to it. */
function findCycle(ids: string[], edges: Map<string, Edge[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  /** How each node on the trail after the first was reached. */
  const taken: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'open');
    trail.push(id);
    for (const edge of edges.get(id) ?? []) {
      if (state.get(edge.to) === 'open') {
        const from = trail.indexOf(edge.to);
        return [edge.to, ...taken.slice(from), edge.shown];
      }
      if (!state.has(edge.to)) {
        taken.push(edge.shown);
        const found = visit(edge.to);
        if (found) return found;
        taken.pop();
      }
    }
    trail.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}
