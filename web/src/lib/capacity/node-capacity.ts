/**
 * A forwarding node's `capacity` (proxy, gateway, balancer: requests worked on at once and the queue
 * behind them, engine/src/config/capacity.ts) set from its inspector: an edit of the running config,
 * which the engine validates as a whole, as every other control's change is. Setting keeps what the
 * form does not show (a `queueTimeout`); removing takes the limit away.
 */
import type { ConfigNode } from '../cache/toggle-cache.ts';

export interface CapacitySetting {
  concurrency: number;
  queue: number;
}

/** The two fields as typed, as a setting, or the words for what is wrong with each (the engine checks the ranges). */
export function parseCapacity(values: { concurrency: string; queue: string }): { ok: true; capacity: CapacitySetting } | { ok: false; errors: string[] } {
  const concurrency = Number(values.concurrency.trim());
  const queue = Number(values.queue.trim() === '' ? '0' : values.queue.trim());
  const errors: string[] = [];
  if (values.concurrency.trim() === '' || !Number.isInteger(concurrency) || concurrency < 1) {
    errors.push(`Concurrency: expected a whole number of requests, 1 or more (got ${JSON.stringify(values.concurrency)})`);
  }
  if (!Number.isInteger(queue) || queue < 0) errors.push(`Queue: expected a whole number of requests, 0 or more (got ${JSON.stringify(values.queue)})`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, capacity: { concurrency, queue } };
}

/**
 * A copy of `config` with node `nodeId` working on `capacity` (merged over its own, so a queue timeout
 * stays), or without a capacity when it is undefined. Throws when the config has no such node.
 */
export function withCapacity(config: unknown, nodeId: string, capacity: CapacitySetting | undefined): unknown {
  const nodes = (config as { nodes?: unknown } | null)?.nodes;
  const list = Array.isArray(nodes) ? (nodes as ConfigNode[]) : [];
  const index = list.findIndex((n) => n?.id === nodeId);
  if (index === -1) throw new Error(`the running config has no node "${nodeId}"`);
  const { capacity: before, ...rest } = list[index]!;
  const own = typeof before === 'object' && before !== null ? (before as Record<string, unknown>) : {};
  const node: ConfigNode = capacity === undefined ? rest : { ...rest, capacity: { ...own, ...capacity } };
  return { ...(config as Record<string, unknown>), nodes: list.map((n, i) => (i === index ? node : n)) };
}
