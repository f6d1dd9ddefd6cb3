/**
 * Parse and check a config: the text (YAML or JSON), then its size (so that checking it cannot stall
 * the engine), then the zod shape, then the rules that span nodes (duplicate ids, port clashes, unknown
 * upstreams, cycles, unreachable nodes). Every error names its path, and all of them are reported at once.
 * A valid config may still carry warnings: things that run but cannot be meant (a route that can never match).
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkScenario } from '../faults/targets.ts';
import { findShadowedRoutes } from '../gateway/routing/shadowing.ts';
import { trafficAuthErrors } from '../traffic/client-auth.ts';
import { LIMITS, limitMessage } from './limits.ts';
import { EdgeConfig, NODE_KINDS, type EdgeConfigParsed, type NodeConfigParsed } from './schema.ts';
import { upstreamsOf, type ConfigError } from './edges.ts';
import { tlsTopologyErrors } from './tls-topology.ts';
import { isExternalUrl, localPortOf } from './upstream.ts';

export { isExternalUrl, upstreamsOf, type ConfigError };

/** Something a valid config does that cannot be meant; it still runs. Named like an error: `nodes[1].routes[2]`. */
export type ConfigWarning = ConfigError;

export type ConfigResult =
  | { ok: true; config: EdgeConfigParsed; input: unknown; warnings: ConfigWarning[] }
  | { ok: false; errors: ConfigError[] };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function formatErrors(errors: ConfigError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}

/** Parse YAML (a superset of JSON) and validate it. */
export function validateText(text: string): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(root)',
        message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
      })),
    };
  }
  let input: unknown;
  try {
    input = doc.toJS();
  } catch (error) {
    // Too many aliases (yaml's own guard against alias bombs), or nesting deep enough to exhaust the stack.
    return { ok: false, errors: [{ path: '(root)', message: (error as Error).message.split('\n')[0] }] };
  }
  return validateConfig(input);
}

/** Validate an already-parsed value (for example the body of `PUT /api/config`). */
export function validateConfig(input: unknown): ConfigResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '(root)', message: 'expected a mapping with version, nodes and traffic' }] };
  }
  const tooBig = sizeErrors(input);
  if (tooBig.length > 0) return { ok: false, errors: tooBig };
  const parsed = EdgeConfig.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const errors = checkTopology(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: parsed.data, input, warnings: configWarnings(parsed.data) };
}

/** The warnings of a valid config: each gateway route that can never match (shadowed by one tried before it). */
export function configWarnings(config: EdgeConfigParsed): ConfigWarning[] {
  return config.nodes.flatMap((node, n): ConfigWarning[] => {
    if (node.kind !== 'gateway') return [];
    return findShadowedRoutes(node.routes).map((shadow) => ({ path: `nodes[${n}].routes[${shadow.index}]`, message: shadow.message }));
  });
}

/**
 * The limits that must hold before the schema looks at a config, because checking is itself work that
 * blocks the engine: the number of nodes (10,000 of them took a quarter of a second to check), the
 * values in all, and the depth. Walks the value without recursion, so junk nested deep cannot
 * overflow the stack; stops at the first limit passed. Other bodies checked by the config schema (a
 * traffic start) can be held to the same limits with it.
 */
export function sizeErrors(input: object): ConfigError[] {
  const nodes = (input as { nodes?: unknown }).nodes;
  if (Array.isArray(nodes) && nodes.length > LIMITS.nodes.max) {
    return [{ path: 'nodes', message: `${nodes.length} nodes; ${limitMessage(LIMITS.nodes)}` }];
  }
  let values = 0;
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (++values > LIMITS.configValues.max) return [{ path: '(root)', message: limitMessage(LIMITS.configValues) }];
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= LIMITS.depth.max) return [{ path: formatPath(path), message: limitMessage(LIMITS.depth) }];
    if (Array.isArray(value)) value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    else for (const [key, item] of Object.entries(value)) stack.push({ value: item, path: [...path, key] });
  }
  return [];
}

/** zod issues as path-named errors; a failed union reports its closest branch. */
export function zodErrors(error: z.ZodError): ConfigError[] {
  const out: ConfigError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'invalid_union' && 'errors' in issue && issue.errors.length > 0) {
      // A union failed every branch: report the branch that got furthest, which reads best.
      const best = issue.errors.reduce((a, b) => (deepest(b) > deepest(a) ? b : a));
      out.push(...zodErrors({ issues: best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })) } as z.ZodError));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: 'unknown key' });
      continue;
    }
    out.push({ path: formatPath(issue.path), message: describe(issue) });
  }
  return dedupe(out);
}

function deepest(issues: z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    // zod names the union's options (node kinds, fault types); older issues may not.
    const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : NODE_KINDS;
    return `expected one of ${options.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  return issue.message;
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}


function checkTopology(config: EdgeConfigParsed): ConfigError[] {
  const errors: ConfigError[] = [];
  const byId = new Map<string, number>();
  const byPort = new Map<number, number>();

  config.nodes.forEach((node, i) => {
    const first = byId.get(node.id);
    if (first !== undefined) errors.push({ path: `nodes[${i}].id`, message: `duplicate id "${node.id}" (also nodes[${first}])` });
    else byId.set(node.id, i);
    if (node.listen !== 0) {
      const clash = byPort.get(node.listen);
      if (clash !== undefined) {
        errors.push({
          path: `nodes[${i}].listen`,
          message: `port ${node.listen} is already used by nodes[${clash}] ("${config.nodes[clash].id}")`,
        });
      } else byPort.set(node.listen, i);
    }
  });

  // A URL that reaches a fixed port of this config on this host is an edge to the node listening there.
  const listenerAt = (url: string): string | undefined => {
    const port = localPortOf(url);
    const index = port === undefined ? undefined : byPort.get(port);
    return index === undefined ? undefined : config.nodes[index].id;
  };
  const edges = new Map<string, Edge[]>();
  config.nodes.forEach((node, i) => {
    const outs: Edge[] = [];
    for (const { to, path } of upstreamsOf(node, i)) {
      if (isExternalUrl(to)) {
        const local = listenerAt(to);
        if (local !== undefined) outs.push({ to: local, shown: `${to} (${local})` });
      } else if (!byId.has(to)) errors.push({ path, message: `unknown node "${to}"` });
      else if (to === node.id) errors.push({ path, message: `"${node.id}" cannot send to itself` });
      else outs.push({ to, shown: to });
    }
    edges.set(node.id, outs);
  });

  const entries = new Set<string>();
  config.traffic.forEach((flow, i) => {
    const entry = isExternalUrl(flow.to) ? listenerAt(flow.to) : flow.to;
    if (entry === undefined) return;
    if (byId.has(entry)) entries.add(entry);
    else errors.push({ path: `traffic[${i}].to`, message: `unknown node "${flow.to}"` });
  });

  errors.push(...checkScenario(config));
  errors.push(...trafficAuthErrors(config));
  errors.push(...tlsTopologyErrors(config));

  const cycle = findCycle(
    config.nodes.map((n) => n.id),
    edges,
  );
  if (cycle) {
    const at = byId.get(cycle[0])!;
    errors.push({ path: `nodes[${at}]`, message: `cycle: ${cycle.join(' -> ')}` });
  }

  // Entry points: where traffic is sent, and any proxy or gateway that no node sends to (a client can
  // call it directly). Everything else must be reachable from one of them.
  const targeted = new Set([...edges.values()].flat().map((edge) => edge.to));
  for (const node of config.nodes) if ((node.kind === 'proxy' || node.kind === 'gateway') && !targeted.has(node.id)) entries.add(node.id);
  const reached = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const edge of edges.get(id) ?? []) stack.push(edge.to);
  }
  config.nodes.forEach((node, i) => {
    if (!reached.has(node.id) && byId.get(node.id) === i) {
      errors.push({ path: `nodes[${i}]`, message: `unreachable: no traffic and no proxy or gateway leads to "${node.id}"` });
    }
  });
  return errors;
}

/** A link from one node to another: `shown` is how the cycle message names it (the URL, when it is one). */
interface Edge {
  to: string;
  shown: string;
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
