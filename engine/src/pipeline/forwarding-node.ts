/**
 * What the proxy, the gateway and the balancer share: a node whose requests go through a stage
 * pipeline (runner.ts) and out over its own upstream pools. Each kind only builds its stage list from
 * its config, once per config (`buildStages`), and says whether it retries (`retryPolicyOf`). A config
 * with a `capacity` puts the capacity stage before them (capacity-stage.ts; refusals EDGE_OVERLOADED and
 * EDGE_QUEUE_TIMEOUT); one without adds no stage, so its requests pay nothing for it. The gate, made at
 * the first such config, lives as long as the node: new limits apply to queued requests at once.
 */
import type { BalancerConfig, GatewayConfig, ProxyConfig } from '../config/schema.ts';
import type { PartitionMode } from '../faults/partition.ts';
import { LISTEN_HOST, NodeServer, type NodeContext } from '../nodes/node-server.ts';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { EDGE_CAPACITY_CODES } from '../config/capacity.ts';
import { EDGE_ERRORS, type EdgeErrorCode } from '../errors.ts';
import { CapacityGate, capacityLimits, type CapacityState } from '../service/service-capacity.ts';
import { createCapacityStage } from './capacity-stage.ts';
import type { Exchange } from './exchange.ts';
import type { Hop } from './forwarder.ts';
import { forwardedNode, upstreamRequestHeaders } from './headers.ts';
import { upstreamErrorCode } from './failures.ts';
import { Runner, type RetrySettings } from './runner.ts';
import { DEFAULT_TIMEOUTS, UpstreamPools, type Timeouts } from './upstream-pools.ts';
import type { Stage } from './verdict.ts';

type ForwardingConfig = ProxyConfig | GatewayConfig | BalancerConfig;

export abstract class ForwardingNode<C extends ForwardingConfig, L = unknown> extends NodeServer<C> {
  /** Configured on first use, not in the constructor: a subclass's fields are not ready until it returns. */
  #configured = false;
  #timeouts: Timeouts;
  /** This node as a hop, fixed once it listens (its port survives a stop and start). */
  #hop: Hop | undefined;
  readonly #pools: UpstreamPools;
  readonly #runner: Runner<L>;
  /** Made by the first config with a `capacity`; kept (unlimited) while a later config has none, so slots taken still come back. */
  #gate: CapacityGate | undefined;

  constructor(config: C, ctx: NodeContext) {
    super(config, ctx);
    this.#timeouts = timeoutsOf(config);
    this.#pools = new UpstreamPools(this.#timeouts.connect, this.id);
    this.#runner = new Runner<L>({
      id: this.id,
      bus: ctx.bus,
      upstreams: {
        pools: this.#pools,
        resolve: (upstream) => ctx.resolve(upstream),
        hop: () => this.#currentHop(),
      },
    });
  }

  protected abstract buildStages(config: C): Stage<L>[];

  /** The node's retry policy, when it retries failed tries (a balancer's `retries`). */
  protected retryPolicyOf(_config: C): RetrySettings | undefined {
    return undefined;
  }

  /** The stages now in use, in order (the inspector's strip). */
  get stages(): readonly Stage<L>[] {
    this.#configure();
    return this.#runner.stages;
  }

  override reconfigure(config: C): void {
    super.reconfigure(config);
    this.#timeouts = timeoutsOf(config);
    this.#hop = undefined;
    this.#pools.setConnectTimeout(this.#timeouts.connect);
    this.#runner.configure(this.#stagesOf(config), this.retryPolicyOf(config));
    this.#configured = true;
  }

  /** The live capacity numbers (in flight, queued, refused, limits), when the config sets a `capacity`. */
  capacityState(): CapacityState | undefined {
    return this.config.capacity === undefined ? undefined : this.#gate?.state();
  }

  override resetCounts(): void {
    this.#gate?.resetCounts();
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
    this.#gate?.close();
    await this.#pools.close();
  }

  protected handle(exchange: Exchange): void {
    if (!this.#configured) this.#configure();
    this.#runner.run(exchange as Exchange<L>);
  }

  /**
   * The headers a request of `exchange` carries upstream: the hop rules over the request (as a stage
   * edited it), or over `headers` under `requestId` (a request of the node's own on the client's behalf).
   */
  protected upstreamHeaders(
    exchange: Exchange,
    headers: IncomingHttpHeaders = exchange.requestHeaders ?? exchange.req.headers,
    requestId = exchange.rid,
  ): Record<string, string | string[]> {
    const { req } = exchange;
    return upstreamRequestHeaders(headers, {
      nodeId: this.id,
      httpVersion: req.httpVersion,
      peer: req.socket.remoteAddress ?? '',
      forwardedBy: this.#currentHop().forwardedBy,
      requestId,
      trustedHop: exchange.trustedHop,
      secure: this.secure,
    });
  }

  /** One GET to an upstream over this node's pools (an aggregate's call): `send`. */
  protected get(upstream: string, path: string, headers: Record<string, string | string[]>, timeoutMs: number, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    return this.send(upstream, { path, method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /**
   * One request to an upstream over this node's pools, outside a client's exchange (an aggregate's call,
   * a cache's background refresh), its body left to the caller. Rejects with an error whose `code` is
   * the stable edge code of the failure.
   */
  protected async send(upstream: string, options: Dispatcher.RequestOptions & { signal?: AbortSignal }): Promise<Dispatcher.ResponseData> {
    const origin = this.ctx.resolve(upstream);
    if (origin === undefined) throw new CodedError('EDGE_NO_TARGET');
    try {
      return await this.#pools.get(origin).request(options);
    } catch (error) {
      throw new CodedError(options.signal?.aborted ? 'EDGE_CLIENT_ABORTED' : upstreamErrorCode(error));
    }
  }

  /** This node's response timeout (the upstream's time to answer). */
  protected get responseTimeout(): number {
    return this.#timeouts.response;
  }

  #currentHop(): Hop {
    return (this.#hop ??= {
      nodeId: this.id,
      forwardedBy: forwardedNode(`${LISTEN_HOST}:${this.port}`),
      responseTimeout: this.#timeouts.response,
      secure: this.secure,
    });
  }

  #configure(): void {
    if (this.#configured) return;
    this.#runner.configure(this.#stagesOf(this.config), this.retryPolicyOf(this.config));
    this.#configured = true;
  }

  /** The kind's stages, behind the capacity stage when the config sets a `capacity`. */
  #stagesOf(config: C): Stage<L>[] {
    const stages = this.buildStages(config);
    if (config.capacity === undefined) {
      this.#gate?.setLimits(capacityLimits(undefined));
      return stages;
    }
    if (this.#gate === undefined) this.#gate = new CapacityGate(capacityLimits(config.capacity), undefined, EDGE_CAPACITY_CODES);
    else this.#gate.setLimits(capacityLimits(config.capacity));
    return [createCapacityStage<L>(this.#gate), ...stages];
  }
}

function timeoutsOf(config: ForwardingConfig): Timeouts {
  return { ...DEFAULT_TIMEOUTS, ...stripUndefined(config.timeouts ?? {}) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A failure with its stable edge code, as an aggregate's calls report them. */
class CodedError extends Error {
  constructor(readonly code: EdgeErrorCode) {
    super(EDGE_ERRORS[code].message);
  }
}
