/**
 * The runner shared by the proxy, the gateway and the balancer: it runs the node's stages in order and
 * carries out their verdict (answer, or forward to an upstream and stream the answer back, trying
 * again where the verdict asks to). Each kind only builds its stage list from its config, once, in
 * `buildStages`.
 */
import type { BalancerConfig, GatewayConfig, ProxyConfig } from '../config/schema.ts';
import type { PartitionMode } from '../faults/partition.ts';
import { DEFAULT_TIMEOUTS, forward, UpstreamPools, type Hop, type Timeouts } from '../proxy/forwarder.ts';
import { forwardedNode } from '../proxy/headers.ts';
import { LISTEN_HOST, NodeServer, type Exchange, type NodeContext } from './node-server.ts';
import type { ForwardVerdict, Stage, TryFailure } from './verdict.ts';

type ForwardingConfig = ProxyConfig | GatewayConfig | BalancerConfig;

export abstract class ForwardingNode<C extends ForwardingConfig> extends NodeServer<C> {
  /** Built on first use, not in the constructor: a subclass's fields are not ready until it returns. */
  #stages: Stage[] | undefined;
  #timeouts: Timeouts;
  /** This node as a hop, fixed once it listens (its port survives a stop and start). */
  #hop: Hop | undefined;
  readonly #pools: UpstreamPools;

  constructor(config: C, ctx: NodeContext) {
    super(config, ctx);
    this.#timeouts = timeoutsOf(config);
    this.#pools = new UpstreamPools(this.#timeouts.connect);
  }

  protected abstract buildStages(config: C): Stage[];

  override reconfigure(config: C): void {
    super.reconfigure(config);
    this.#timeouts = timeoutsOf(config);
    this.#hop = undefined;
    this.#pools.setConnectTimeout(this.#timeouts.connect);
    this.#stages = this.buildStages(config);
  }

  /** The `partition` faults on this node's edges, by upstream origin (faults/partition.ts); the rest heal. */
  setPartitions(partitions: ReadonlyMap<string, PartitionMode>): boolean {
    return this.#pools.setPartitions(partitions);
  }

  /** The partition on this node's edge to an upstream origin, if any. */
  protected partitionOf(origin: string): PartitionMode | undefined {
    return this.#pools.partitionOf(origin);
  }

  override async stop(mode: 'crash' | 'graceful' = 'graceful', reason?: string): Promise<void> {
    await super.stop(mode, reason);
    if (mode === 'crash') await this.#pools.close();
  }

  override async dispose(): Promise<void> {
    await this.stop('graceful');
    await this.#pools.close();
  }

  protected handle(exchange: Exchange): void {
    this.#stages ??= this.buildStages(this.config);
    for (const stage of this.#stages) {
      const verdict = stage.run(exchange);
      switch (verdict.kind) {
        case 'continue':
          continue;
        case 'respond':
          exchange.decision = verdict.decision;
          exchange.fail(verdict.error, verdict.headers);
          return;
        case 'forward':
          this.#forward(exchange, verdict);
          return;
      }
    }
    exchange.fail('EDGE_NO_ROUTE');
  }

  /** One try at an upstream; when the verdict's `retry` hands back another verdict, that one follows. */
  #forward(exchange: Exchange, verdict: ForwardVerdict): void {
    this.ctx.bus.emit({
      type: 'request.forwarded',
      rid: exchange.rid,
      node: this.id,
      to: verdict.upstream,
      decision: verdict.decision,
      ...(verdict.try === undefined ? {} : { try: verdict.try }),
    });
    const { settle } = verdict;
    let next: ForwardVerdict | undefined;
    const retry = verdict.retry && ((failure: TryFailure) => (next = verdict.retry!(failure)) !== undefined);
    const origin = this.ctx.resolve(verdict.upstream);
    if (origin === undefined) {
      // The upstream is a node that never started listening: there is no address to send to.
      const failure = { status: undefined, error: 'EDGE_NO_TARGET' } as const;
      if (!retry?.(failure)) exchange.fail('EDGE_NO_TARGET', { 'retry-after': '1' });
      settle?.({ ...failure, durationMs: 0 });
      if (next) this.#forward(exchange, next);
      return;
    }
    exchange.upstream = verdict.upstream;
    const startedAt = performance.now();
    forward(
      exchange,
      this.#pools.get(origin),
      verdict.path,
      (this.#hop ??= { nodeId: this.id, forwardedBy: forwardedNode(`${LISTEN_HOST}:${this.port}`), responseTimeout: this.#timeouts.response }),
      settle || retry
        ? (result) => {
            settle?.({ status: result.status, error: result.error, durationMs: performance.now() - startedAt });
            if (next) this.#forward(exchange, next);
          }
        : ignore,
      verdict.timeout === undefined && !retry ? undefined : { headersTimeout: verdict.timeout, retry },
    );
  }
}

function ignore(): void {}

function timeoutsOf(config: ForwardingConfig): Timeouts {
  return { ...DEFAULT_TIMEOUTS, ...stripUndefined(config.timeouts ?? {}) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
