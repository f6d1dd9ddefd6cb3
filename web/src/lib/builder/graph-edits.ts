/**
 * The topology editor's edits, as changes to the config (the page then sends it with PUT /api/config,
 * so the engine stays the one judge of what is valid). Each edit says in words what it did, for the
 * undo list and the status line, or refuses with the reason a learner can act on:
 * - add a node: a service stands alone; a proxy, gateway or balancer is added in front of the node it
 *   will forward to (each needs an upstream), with an id of its kind not taken yet;
 * - connect A to B: the edge becomes the field of A's kind that names an upstream (a proxy's `to`, a
 *   new gateway route `/B/*`, one more balancer target); from the clients box, a traffic flow into B;
 * - disconnect, and delete a node with every reference to it, unless that would leave a node without
 *   the upstream its kind needs: then the refusal says which node to change first;
 * - rename a node and every reference to it (upstreams, traffic flows, scenario steps), refused when
 *   another node has the id already (the engine judges the id's form);
 * - empty the sandbox: no nodes, no traffic, no scenario (the name and the rest stay), the start of a
 *   build from nothing; the first node of an empty sandbox is a service, which needs no upstream.
 */
import { upstreamsOf as upstreamFields } from '../../../../engine/src/config/edges.ts';
import { setAt } from '../config-form/form-model.ts';
import { parseErrorPath } from '../config-editor/error-path.ts';

export type NodeKind = 'proxy' | 'gateway' | 'balancer' | 'service';
export const CLIENTS = 'client';

type Node = { id: string; kind: NodeKind } & Record<string, unknown>;
export interface Config {
  nodes: Node[];
  traffic?: Array<Record<string, unknown>>;
  scenario?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export type Edit = { ok: true; config: Config; done: string } | { ok: false; reason: string };

const ID_BASE: Record<NodeKind, string> = { proxy: 'proxy', gateway: 'gateway', balancer: 'pool', service: 'service' };

/** The first `base-N` id no node has. */
export function freeId(config: Config, base: string): string {
  const taken = new Set(config.nodes.map((n) => n.id));
  for (let n = 1; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A new node of `kind`; every kind but a service forwards to `upstream`, which must exist. */
export function addNode(config: Config, kind: NodeKind, upstream?: string): Edit {
  const id = freeId(config, ID_BASE[kind]);
  if (kind === 'service') return { ok: true, config: { ...config, nodes: [...config.nodes, { id, kind }] }, done: `added service ${id}` };
  if (upstream === undefined || !config.nodes.some((n) => n.id === upstream)) {
    return { ok: false, reason: `a ${kind} forwards requests: choose the node it forwards to` };
  }
  const node: Node =
    kind === 'proxy'
      ? { id, kind, to: upstream }
      : kind === 'gateway'
        ? { id, kind, routes: [{ match: { path: '/*' }, to: upstream }] }
        : { id, kind, algorithm: 'round-robin', targets: [upstream] };
  return { ok: true, config: { ...config, nodes: [...config.nodes, node] }, done: `added ${kind} ${id} in front of ${upstream}` };
}

/** The ids `node` forwards to, in its config's words. */
export function upstreamsOf(node: Node): string[] {
  switch (node.kind) {
    case 'proxy':
      return typeof node.to === 'string' ? [node.to] : [];
    case 'gateway':
      return routesOf(node).flatMap((route) => (typeof route.to === 'string' ? [route.to] : []));
    case 'balancer':
      return targetsOf(node).map(targetId);
    default:
      return [];
  }
}

/** An edge from `from` (a node id, or CLIENTS) to node `to`, as the field of `from`'s kind that names an upstream. */
export function connect(config: Config, from: string, to: string): Edit {
  const target = config.nodes.find((n) => n.id === to);
  if (target === undefined) return { ok: false, reason: `no node ${to}` };
  if (from === to) return { ok: false, reason: `${to} cannot forward to itself` };
  if (from === CLIENTS) {
    const flows = config.traffic ?? [];
    if (flows.some((flow) => flow.to === to)) return { ok: false, reason: `traffic already enters at ${to}` };
    const name = freeName(flows, `to-${to}`);
    return { ok: true, config: { ...config, traffic: [...flows, { name, to, rate: 5 }] }, done: `clients now send to ${to} (flow ${name}, 5 req/s)` };
  }
  const source = config.nodes.find((n) => n.id === from);
  if (source === undefined) return { ok: false, reason: `no node ${from}` };
  if (upstreamsOf(source).includes(to)) return { ok: false, reason: `${from} already forwards to ${to}` };
  switch (source.kind) {
    case 'service':
      return { ok: false, reason: `${from} is a service: it answers requests itself and forwards to nothing` };
    case 'proxy':
      return replaceNode(config, { ...source, to }, `${from} now forwards to ${to}${typeof source.to === 'string' ? ` (instead of ${source.to})` : ''}`);
    case 'gateway': {
      const path = `/${to}/*`;
      return replaceNode(config, { ...source, routes: [...routesOf(source), { match: { path }, to }] }, `${from} routes ${path} to ${to}`);
    }
    case 'balancer':
      return replaceNode(config, { ...source, targets: [...targetsOf(source), to] }, `${to} is now a target of ${from}`);
  }
}

/** Remove the edge from `from` to `to`, unless `from` would be left without the upstream it needs. */
export function disconnect(config: Config, from: string, to: string): Edit {
  if (from === CLIENTS) {
    const flows = (config.traffic ?? []).filter((flow) => flow.to !== to);
    return { ok: true, config: { ...config, traffic: flows }, done: `clients no longer send to ${to}` };
  }
  const source = config.nodes.find((n) => n.id === from);
  if (source === undefined || !upstreamsOf(source).includes(to)) return { ok: false, reason: `${from} does not forward to ${to}` };
  const without = withoutUpstream(source, to);
  if (without === undefined) return { ok: false, reason: needsUpstream(source, to) };
  return replaceNode(config, without, `${from} no longer forwards to ${to}`);
}

/** Delete node `id` and every reference to it: targets, routes, traffic flows and scenario steps. */
export function deleteNode(config: Config, id: string): Edit {
  if (!config.nodes.some((n) => n.id === id)) return { ok: false, reason: `no node ${id}` };
  const nodes: Node[] = [];
  for (const node of config.nodes) {
    if (node.id === id) continue;
    if (!upstreamsOf(node).includes(id)) {
      nodes.push(node);
      continue;
    }
    const without = withoutUpstream(node, id);
    if (without === undefined) return { ok: false, reason: needsUpstream(node, id) };
    nodes.push(without);
  }
  const traffic = config.traffic?.filter((flow) => flow.to !== id);
  const scenario = config.scenario?.filter((step) => typeof step.target !== 'string' || !touches(step.target, id));
  const next: Config = { ...config, nodes };
  if (traffic !== undefined) next.traffic = traffic;
  if (scenario !== undefined) next.scenario = scenario;
  return { ok: true, config: next, done: `deleted ${id}` };
}

/** Node `id` renamed `to`, with every field that names it: upstreams, flows (and their gateway), scenario targets. */
export function renameNode(config: Config, id: string, to: string): Edit {
  const name = to.trim();
  if (!config.nodes.some((n) => n.id === id)) return { ok: false, reason: `no node ${id}` };
  if (name === id) return { ok: false, reason: `${id} is already called ${id}` };
  if (name === '') return { ok: false, reason: 'a node needs an id' };
  if (name === CLIENTS) return { ok: false, reason: `"${CLIENTS}" is the clients box's name: choose another id` };
  if (config.nodes.some((n) => n.id === name)) return { ok: false, reason: `another node is called ${name} already: ids must be unique, choose another` };
  let next: unknown = config;
  config.nodes.forEach((node, i) => {
    if (node.id === id) next = setAt(next, ['nodes', i, 'id'], name);
    for (const ref of upstreamFields(node, i)) if (ref.to === id) next = setAt(next, parseErrorPath(ref.path), name);
  });
  const renamed = next as Config;
  if (renamed.traffic !== undefined) {
    renamed.traffic = renamed.traffic.map((flow) => {
      const auth = flow.auth as Record<string, unknown> | undefined;
      const moved = flow.to === id ? { ...flow, to: name } : flow;
      return auth?.gateway === id ? { ...moved, auth: { ...auth, gateway: name } } : moved;
    });
  }
  if (renamed.scenario !== undefined) {
    renamed.scenario = renamed.scenario.map((step) =>
      typeof step.target === 'string' && touches(step.target, id) ? { ...step, target: step.target.split('->').map((end) => (end === id ? name : end)).join('->') } : step,
    );
  }
  return { ok: true, config: renamed, done: `renamed ${id} to ${name}` };
}

/** The sandbox with nothing in it: every node, traffic flow and scenario step gone; refused when it is already empty. */
export function emptySandbox(config: Config): Edit {
  const count = config.nodes.length;
  if (count === 0) return { ok: false, reason: 'the sandbox is already empty' };
  const next: Config = { ...config, nodes: [], traffic: [] };
  if (config.scenario !== undefined) next.scenario = [];
  return { ok: true, config: next, done: `emptied the sandbox (removed ${count} node${count === 1 ? '' : 's'} and their traffic)` };
}

/** `node` without its edges to `to`; undefined when that leaves it without the upstream its kind needs. */
function withoutUpstream(node: Node, to: string): Node | undefined {
  switch (node.kind) {
    case 'proxy':
      return undefined;
    case 'gateway': {
      const routes = routesOf(node).filter((route) => route.to !== to);
      return routes.length === 0 ? undefined : { ...node, routes };
    }
    case 'balancer': {
      const targets = targetsOf(node).filter((target) => targetId(target) !== to);
      return targets.length === 0 ? undefined : { ...node, targets };
    }
    default:
      return node;
  }
}

function needsUpstream(node: Node, to: string): string {
  const what = node.kind === 'proxy' ? `the only upstream of ${node.id}` : node.kind === 'gateway' ? `the only node ${node.id} routes to` : `the only target of ${node.id}`;
  return `${to} is ${what}: connect ${node.id} to another node first, or delete ${node.id}`;
}

function replaceNode(config: Config, node: Node, done: string): Edit {
  return { ok: true, config: { ...config, nodes: config.nodes.map((n) => (n.id === node.id ? node : n)) }, done };
}

function routesOf(node: Node): Array<Record<string, unknown>> {
  return Array.isArray(node.routes) ? (node.routes as Array<Record<string, unknown>>) : [];
}

function targetsOf(node: Node): unknown[] {
  return Array.isArray(node.targets) ? node.targets : [];
}

function targetId(target: unknown): string {
  return typeof target === 'string' ? target : String((target as { to?: unknown })?.to ?? '');
}

/** A fault target names a node (`users-1`) or an edge (`a->b`). */
function touches(target: string, id: string): boolean {
  return target === id || target.split('->').includes(id);
}

function freeName(flows: ReadonlyArray<Record<string, unknown>>, base: string): string {
  const taken = new Set(flows.map((f) => f.name));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
