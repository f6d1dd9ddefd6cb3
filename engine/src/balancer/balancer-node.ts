/**
 * The load balancer: picks a target for each request with the configured algorithm and forwards to it.
 * Its targets, picker and health live in the target set (target-set.ts); its one stage is the pick
 * (stages/pick.ts); retries of a failed try at another target are the runner's, under the balancer's
 * `retries` policy. With no health or retry settings every listening target is eligible and nothing
 * is retried: a dead target's requests fail.
 *
 * In `mode: l4` the same targets, picker and health sit behind a TCP listener instead (HAProxy's
 * `mode tcp`): one pick per connection, then bytes relayed both ways (l4/connections.ts).
 */
import { createServer as createTcpServer, type Server } from 'node:net';
import type { BalancerConfig } from '../config/schema.ts';
import type { PartitionMode } from '../faults/partition.ts';
import type { NodeContext } from '../nodes/node-server.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import { peerTrust } from '../pipeline/real-ip.ts';
import type { RetrySettings } from '../pipeline/runner.ts';
import { DEFAULT_TIMEOUTS } from '../pipeline/upstream-pools.ts';
import type { Stage } from '../pipeline/verdict.ts';
import { L4Connections, type L4ConnectionView } from './l4/connections.ts';
import { createPickStage } from './stages/pick.ts';
import { TargetSet, type BalancerTargetView } from './target-set.ts';

export type { BalancerTargetView, L4ConnectionView };

export class BalancerNode extends ForwardingNode<BalancerConfig> {
  readonly kind = 'balancer' as const;
  readonly #targets: TargetSet;
  readonly #l4: L4Connections;
  /** `trustedProxies`: their X-Forwarded-Proto and -Host stand, as an engine node's do (node-server.ts). */
  #trustedPeer: (address: string) => boolean;

  constructor(config: BalancerConfig, ctx: NodeContext) {
    super(config, ctx);
    this.#targets = new TargetSet(config.id, ctx, (origin) => this.partitionOf(origin));
    this.#targets.sync(config);
    this.#l4 = new L4Connections(config.id, ctx, this.#targets);
    this.#trustedPeer = peerTrust(config.trustedProxies ?? []);
  }

  override async start(): Promise<void> {
    await super.start();
    this.#targets.health.start();
  }

  override async stop(mode: 'crash' | 'graceful' = 'graceful', reason?: string): Promise<void> {
    this.#targets.health.stop();
    await super.stop(mode, reason);
  }

  override async dispose(): Promise<void> {
    this.#targets.dispose();
    await super.dispose();
  }

  override resetCounts(): void {
    super.resetCounts();
    this.#targets.resetCounts();
  }

  /** Health probes ride the same edges: a partition that starts or heals resets their connections too. */
  override setPartitions(partitions: ReadonlyMap<string, PartitionMode>): boolean {
    const changed = super.setPartitions(partitions);
    if (changed) this.#targets.health.resetProbeConnections();
    return changed;
  }

  /** l7 and l4 are different listeners: switching mode replaces the node. */
  override canReconfigure(config: BalancerConfig): boolean {
    return config.mode === this.config.mode;
  }

  protected override createListener(): Server | Promise<Server> {
    if (this.config.mode !== 'l4') return super.createListener();
    return createTcpServer((socket) =>
      this.#l4.accept(socket, this.config.algorithm, this.config.timeouts?.connect ?? DEFAULT_TIMEOUTS.connect),
    );
  }

  protected override closeIdleConnections(server: Server): void {
    if (this.config.mode !== 'l4') return super.closeIdleConnections(server);
    this.#l4.closeAfterGrace();
  }

  protected override trustsPeer(address: string): boolean {
    return this.#trustedPeer(address);
  }

  protected buildStages(config: BalancerConfig): Stage[] {
    this.#targets.sync(config);
    this.#trustedPeer = peerTrust(config.trustedProxies ?? []);
    return [createPickStage(config, this.#targets, this.ctx.rng)];
  }

  protected override retryPolicyOf(config: BalancerConfig): RetrySettings | undefined {
    const { retries } = config;
    return (
      retries && {
        tries: retries.tries,
        on: retries.on,
        methods: retries.methods,
        budget: retries.budget,
        perTryTimeoutMs: retries.perTryTimeout,
      }
    );
  }

  /** l4: the open connections, oldest first. */
  openConnections(): L4ConnectionView[] {
    return this.#l4.views();
  }

  /** The live algorithm state for the inspector, with each target's health, ejection and circuit. */
  algorithmState(): ReturnType<TargetSet['algorithmState']> {
    return this.#targets.algorithmState();
  }
}
