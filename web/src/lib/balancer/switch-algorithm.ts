/**
 * Switching a balancer's algorithm is an edit of the running config, which the engine validates as a
 * whole: read it (`GET /api/config`), change that one node, and send it back (`PUT /api/config`). The
 * edit keeps only what the new algorithm accepts, so a valid config stays valid: options of the old
 * algorithm are dropped, `hashKey` is kept only by the pickers that hash a key. Defaults are left
 * out (`hashKey: ip`, `mode: ring`), so an exported config says only what differs.
 */
import { algorithmInfo, type PickerId } from './algorithms.ts';

export type ConsistentHashMode = 'ring' | 'nginx';

export interface AlgorithmChoice {
  algorithm: PickerId;
  /** For keyed pickers: what to hash (`ip` when absent). Ignored by the others. */
  hashKey?: string;
  /** For consistent-hash: the ketama-like ring or nginx's `hash $key consistent`. */
  mode?: ConsistentHashMode;
}

/** A balancer's algorithm settings as the running config writes them. */
export interface BalancerSettings {
  algorithm: string;
  hashKey: string | undefined;
  mode: ConsistentHashMode;
  options: Record<string, unknown>;
}

type ConfigNode = Record<string, unknown> & { id?: unknown; kind?: unknown };

function nodesOf(config: unknown): ConfigNode[] | undefined {
  const nodes = (config as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes) ? (nodes as ConfigNode[]) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function balancerSettings(config: unknown, nodeId: string): BalancerSettings | undefined {
  const node = nodesOf(config)?.find((n) => n?.id === nodeId);
  if (!node || node.kind !== 'balancer') return undefined;
  const options = isRecord(node.options) ? node.options : {};
  return {
    algorithm: typeof node.algorithm === 'string' ? node.algorithm : 'round-robin',
    hashKey: typeof node.hashKey === 'string' ? node.hashKey : undefined,
    mode: options.mode === 'nginx' ? 'nginx' : 'ring',
    options,
  };
}

/**
 * A copy of `config` with balancer `nodeId` running `choice`. Throws when the config has no such
 * balancer (the page then says so instead of sending a config it did not mean to).
 */
export function withAlgorithm(config: unknown, nodeId: string, choice: AlgorithmChoice): unknown {
  const nodes = nodesOf(config);
  const index = nodes?.findIndex((n) => n?.id === nodeId) ?? -1;
  if (!nodes || index === -1 || nodes[index].kind !== 'balancer') throw new Error(`the running config has no balancer "${nodeId}"`);
  const info = algorithmInfo(choice.algorithm);
  if (!info) throw new Error(`"${choice.algorithm}" is not an algorithm the engine knows`);

  const { hashKey: _hashKey, options: oldOptions, ...rest } = nodes[index];
  const options: Record<string, unknown> = {};
  if (isRecord(oldOptions)) for (const [key, value] of Object.entries(oldOptions)) if (info.options.includes(key)) options[key] = value;
  if (choice.algorithm === 'consistent-hash') {
    delete options.mode;
    if (choice.mode === 'nginx') {
      options.mode = 'nginx';
      // nginx mode fixes its points (160 per unit of weight); a ring's own count would be refused.
      delete options.points;
    }
  }
  const node: ConfigNode = { ...rest, algorithm: choice.algorithm };
  if (info.keyed && choice.hashKey !== undefined && choice.hashKey !== 'ip') node.hashKey = choice.hashKey;
  if (Object.keys(options).length > 0) node.options = options;

  const copy = { ...(config as Record<string, unknown>), nodes: nodes.map((n, i) => (i === index ? node : n)) };
  return copy;
}
