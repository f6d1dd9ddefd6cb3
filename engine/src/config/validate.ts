/**
 * Parse and check a config: the text (YAML or JSON), then the zod shape, then the rules that span
 * nodes (duplicate ids, port clashes, unknown upstreams, cycles, unreachable nodes). Every error
 * names its path, and all of them are reported at once.
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkScenario } from '../faults/targets.ts';
import { EdgeConfig, NODE_KINDS, type EdgeConfigParsed, type NodeConfigParsed } from './schema.ts';

export interface ConfigError {
  /** `nodes[3].targets[0]`, or `(root)` for the document itself. */
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: EdgeConfigParsed; input: unknown } | { ok: false; errors: ConfigError[] };

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
  return validateConfig(doc.toJS());
}

/** Validate an already-parsed value (for example the body of `PUT /api/config`). */
export function validateConfig(input: unknown): ConfigResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '(root)', message: 'expected a mapping with version, nodes and traffic' }] };
  }
  const parsed = EdgeConfig.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const errors = checkTopology(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: parsed.data, input };
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

/** The upstreams a node sends to, with the config path of each reference. */
export function upstreamsOf(node: NodeConfigParsed, index: number): Array<{ to: string; path: string }> {
  switch (node.kind) {
    case 'proxy':
      return [{ to: node.to, path: `nodes[${index}].to` }];
    case 'gateway':
      return node.routes.map((r, i) => ({ to: r.to, path: `nodes[${index}].routes[${i}].to` }));
    case 'balancer':
      return node.targets.map((t, i) =>
        typeof t === 'string' ? { to: t, path: `nodes[${index}].targets[${i}]` } : { to: t.to, path: `nodes[${index}].targets[${i}].to` },
      );
    case 'service':
      return [];
  }
}

export function isExternalUrl(upstream: string): boolean {
  return upstream.startsWith('http://') || upstream.startsWith('https://');
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

  const edges = new Map<string, string[]>();
  config.nodes.forEach((node, i) => {
    const outs: string[] = [];
    for (const { to, path } of upstreamsOf(node, i)) {
      if (isExternalUrl(to)) continue;
      if (!byId.has(to)) errors.push({ path, message: `unknown node "${to}"` });
      else if (to === node.id) errors.push({ path, message: `"${node.id}" cannot send to itself` });
      else outs.push(to);
    }
    edges.set(node.id, outs);
  });

  config.traffic.forEach((flow, i) => {
    if (!isExternalUrl(flow.to) && !byId.has(flow.to)) errors.push({ path: `traffic[${i}].to`, message: `unknown node "${flow.to}"` });
  });

  errors.push(...checkScenario(config));

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
  const targeted = new Set([...edges.values()].flat());
  const entries = new Set(config.traffic.map((f) => f.to).filter((to) => byId.has(to)));
  for (const node of config.nodes) if ((node.kind === 'proxy' || node.kind === 'gateway') && !targeted.has(node.id)) entries.add(node.id);
  const reached = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  config.nodes.forEach((node, i) => {
    if (!reached.has(node.id) && byId.get(node.id) === i) {
      errors.push({ path: `nodes[${i}]`, message: `unreachable: no traffic and no proxy or gateway leads to "${node.id}"` });
    }
  });
  return errors;
}

function findCycle(ids: string[], edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'open');
    trail.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'open') return [...trail.slice(trail.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
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
