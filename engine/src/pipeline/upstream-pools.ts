/**
 * The keep-alive connection pools a node forwards over, one per upstream origin, and the node's
 * timeouts to its upstreams. Each new connection is registered as the engine's own before anything is
 * written on it (engine-connections.ts), and an origin's edge may be partitioned by a fault.
 */
import { Pool } from 'undici';
import { partitionableConnector, type PartitionMode } from '../faults/partition.ts';
import { registeringConnector } from './engine-connections.ts';

export interface Timeouts {
  connect: number;
  response: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connect: 1_000, response: 10_000 };

/**
 * One keep-alive pool per upstream origin, owned by one node (each hop has its own connections). An
 * origin may be partitioned (a `partition` fault on this node's edge to it): its connections are cut
 * and new ones fail (faults/partition.ts) until it is healed.
 */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #partitions = new Map<string, PartitionMode>();
  #connectTimeout: number;

  /** `sender`: the node that owns the pools and writes every request on them. */
  constructor(
    connectTimeout: number,
    private readonly sender: string,
  ) {
    this.#connectTimeout = connectTimeout;
  }

  /** A new connect timeout applies to pools opened from now on; open pools drain and are replaced. */
  setConnectTimeout(ms: number): void {
    if (ms === this.#connectTimeout) return;
    this.#connectTimeout = ms;
    const old = [...this.#pools.values()];
    this.#pools.clear();
    for (const pool of old) void pool.close().catch(() => {});
  }

  /**
   * Partition the edges to these origins (and heal the others): a newly partitioned origin's open
   * connections are cut now (requests on them fail as reset), and its new connections fail as `mode` says.
   * True when any edge changed.
   */
  setPartitions(partitions: ReadonlyMap<string, PartitionMode>): boolean {
    let changed = false;
    for (const [origin, mode] of partitions) {
      if (this.#partitions.get(origin) === mode) continue;
      changed = true;
      this.#partitions.set(origin, mode);
      const pool = this.#pools.get(origin);
      this.#pools.delete(origin);
      if (pool) void pool.destroy(Object.assign(new Error('connection cut by a partition'), { code: 'ECONNRESET' })).catch(() => {});
    }
    for (const origin of this.#partitions.keys()) {
      if (partitions.has(origin)) continue;
      changed = true;
      this.#partitions.delete(origin);
    }
    return changed;
  }

  /** The partition on the edge to `origin`, if any. */
  partitionOf(origin: string): PartitionMode | undefined {
    return this.#partitions.get(origin);
  }

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      const connect = partitionableConnector(this.#connectTimeout, () => this.#partitions.get(origin));
      pool = new Pool(origin, {
        // No cap, as nginx has none by default: a cap would queue requests out of sight.
        connections: null,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        // Each new connection is registered before undici writes on it, so the node it reaches knows which node sent it.
        connect: registeringConnector(connect, this.sender),
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
  }
}

