/**
 * The edge engine: turns a config into running nodes (each a real HTTP listener on 127.0.0.1), keeps
 * them wired together, and owns the event bus, the metrics, the traffic generator and the faults.
 * A new config is applied in place: unchanged nodes keep their listeners and their requests in flight.
 */
import type { EdgeConfigParsed, NodeConfigParsed, TrafficConfig } from './config/schema.ts';
import { isExternalUrl, upstreamsOf, zodErrors } from './config/validate.ts';
import { EventBus } from './bus.ts';
import type { FaultInfo, NodeState } from './events.ts';
import { InputError } from './errors.ts';
import { FaultSpec, FaultTable } from './faults.ts';
import { MetricsRegistry } from './metrics/metrics-registry.ts';
import { BalancerNode, type BalancerTargetView } from './nodes/balancer.ts';
import { GatewayNode } from './nodes/gateway.ts';
import { LISTEN_HOST, type NodeContext, type NodeServer } from './nodes/node-server.ts';
import { ProxyNode } from './nodes/proxy.ts';
import { ServiceNode } from './nodes/service.ts';
import { TrafficGenerator } from './traffic/generator.ts';

export interface EngineOptions {
  /** Uniform random source in [0, 1) for latencies, error rates, paths; seed it for a repeatable run. */
  rng?: () => number;
  /** How often `metrics.tick` is emitted, in ms (0: never). */
  metricsIntervalMs?: number;
  /** How often a node that failed to listen tries again, in ms. */
  retryFailedMs?: number;
}

export interface StartOptions {
  /** The config as the user wrote it (what `GET /api/config` and Export return). */
  input?: unknown;
  /** Start the config's traffic at once (default true). */
  traffic?: boolean;
}

export interface TopologyNode {
  id: string;
  kind: NodeConfigParsed['kind'];
  label?: string;
  port: number | null;
  state: NodeState;
  reason?: string;
  upstreams: Array<{ to: string; weight?: number; route?: string }>;
  algorithm?: string;
  next?: string;
  targets?: BalancerTargetView[];
  /** The picker's own live state (current weights, ring, table summary, EWMA costs...). */
  pickerState?: unknown;
}

export interface TrafficState {
  running: boolean;
  flows: Array<{ name: string; to: string; rate: number; clients: number }>;
  sent: number;
}

export interface ApplyResult {
  /** Nodes that could not start (a port in use...), each with its reason. */
  failures: string[];
}

export class Engine {
  readonly bus = new EventBus();
  readonly metrics: MetricsRegistry;
  readonly traffic: TrafficGenerator;
  readonly #faults = new FaultTable();
  readonly #nodes = new Map<string, NodeServer>();
  readonly #ctx: NodeContext;
  #config: EdgeConfigParsed | undefined;
  #input: unknown;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: EngineOptions = {}) {
    const rng = options.rng ?? Math.random;
    this.#ctx = { bus: this.bus, rng, resolve: (upstream) => this.resolve(upstream) };
    this.metrics = new MetricsRegistry(this.bus);
    this.traffic = new TrafficGenerator({ rng, resolve: (to) => this.resolve(to), onStateChange: () => this.#emitTraffic() });
    if ((options.metricsIntervalMs ?? 500) > 0) this.metrics.startTicks(options.metricsIntervalMs ?? 500);
    this.#retry = setInterval(() => this.#retryFailedNodes(), options.retryFailedMs ?? 2_000).unref();
  }

  /** A node that could not listen (its port was taken) tries again, so it recovers when the port frees. */
  #retryFailedNodes(): void {
    for (const node of this.#nodes.values()) {
      if (node.state === 'failed' && !this.#faults.holds(node.id, 'down')) node.start().catch(() => {});
    }
  }

  get config(): EdgeConfigParsed | undefined {
    return this.#config;
  }

  /** The running config as the user wrote it. */
  get input(): unknown {
    return this.#input;
  }

  /** `http://127.0.0.1:PORT` for a node id, the origin of a URL, undefined for a node with no port. */
  resolve(upstream: string): string | undefined {
    const node = this.#nodes.get(upstream);
    if (node) return node.port === null ? undefined : `http://${LISTEN_HOST}:${node.port}`;
    return isExternalUrl(upstream) ? new URL(upstream).origin : undefined;
  }

  async start(config: EdgeConfigParsed, options: StartOptions = {}): Promise<ApplyResult> {
    const result = await this.apply(config, options.input);
    if (options.traffic !== false && config.traffic.length > 0) await this.traffic.start(config.traffic);
    return result;
  }

  /**
   * Make the running topology match `config`. A node whose id, kind and port stay is reconfigured in
   * place; a node that changes kind or port is replaced; removed nodes stop gracefully (their requests
   * in flight finish). Running traffic switches to the new config's flows.
   */
  async apply(config: EdgeConfigParsed, input: unknown = config): Promise<ApplyResult> {
    const wanted = new Map(config.nodes.map((n) => [n.id, n]));
    const retiring: NodeServer[] = [];
    for (const [id, node] of this.#nodes) {
      const next = wanted.get(id);
      if (next && next.kind === node.kind && (next.listen === 0 || next.listen === node.port)) continue;
      retiring.push(node);
      this.#nodes.delete(id);
    }
    await Promise.all(retiring.map((node) => node.dispose()));

    const starting: NodeServer[] = [];
    for (const nodeConfig of config.nodes) {
      const existing = this.#nodes.get(nodeConfig.id);
      if (existing) {
        (existing as NodeServer<NodeConfigParsed>).reconfigure(nodeConfig);
        continue;
      }
      const node = createNode(nodeConfig, this.#ctx);
      this.#nodes.set(node.id, node);
      starting.push(node);
    }
    this.#config = config;
    this.#input = input;
    this.metrics.setNodes(config.nodes.map((n) => ({ id: n.id, kind: n.kind })));
    for (const fault of this.#faults.list()) if (!this.#nodes.has(fault.target)) this.#endFault(fault.id);

    const failures: string[] = [];
    await Promise.all(
      starting.map((node) =>
        node.start().catch((error: Error) => {
          failures.push(error.message);
        }),
      ),
    );
    this.bus.emit({ type: 'config.applied', name: config.name, nodes: config.nodes.length });
    if (this.traffic.running) {
      if (config.traffic.length > 0) await this.traffic.start(config.traffic);
      else await this.traffic.stop();
    }
    return { failures };
  }

  async stop(): Promise<void> {
    clearInterval(this.#retry);
    await this.traffic.close();
    this.metrics.stopTicks();
    const nodes = [...this.#nodes.values()];
    this.#nodes.clear();
    await Promise.all(nodes.map((node) => node.dispose()));
    this.metrics.close();
  }

  topology(): TopologyNode[] {
    const config = this.#config;
    if (!config) return [];
    return config.nodes.map((nodeConfig, index) => {
      const node = this.#nodes.get(nodeConfig.id)!;
      const upstreams = upstreamsOf(nodeConfig, index).map(({ to }, i) => {
        if (nodeConfig.kind === 'balancer') {
          const t = nodeConfig.targets[i];
          return { to, weight: typeof t === 'string' ? 1 : t.weight };
        }
        if (nodeConfig.kind === 'gateway') return { to, route: nodeConfig.routes[i].match.path ?? '/*' };
        return { to };
      });
      return {
        id: node.id,
        kind: node.kind,
        ...(nodeConfig.label ? { label: nodeConfig.label } : {}),
        port: node.port,
        state: node.state,
        ...(node.stateReason ? { reason: node.stateReason } : {}),
        upstreams,
        ...(node instanceof BalancerNode ? balancerView(node) : {}),
      };
    });
  }

  trafficState(): TrafficState {
    const running = this.traffic.running;
    const flows = running ? this.traffic.flows : (this.#config?.traffic ?? []);
    return {
      running,
      flows: flows.map((f, i) => ({ name: f.name ?? `flow-${i + 1}`, to: f.to, rate: f.rate, clients: f.clients })),
      sent: this.traffic.stats().sent,
    };
  }

  /**
   * Start traffic: the config's flows, or, when fields are given, the config's first flow with those
   * fields replaced (`{ rate: 20 }` changes only the rate).
   */
  async startTraffic(overrides?: Partial<TrafficConfig>): Promise<void> {
    const configured = this.#config?.traffic ?? [];
    if (!overrides || Object.keys(overrides).length === 0) {
      if (configured.length === 0) throw new InputError('traffic', 'the config has no traffic; send to, rate and paths');
      await this.traffic.start(configured);
      return;
    }
    const base = this.traffic.running ? this.traffic.flows[0] : configured[0];
    const flow = { ...(base ?? { clients: 10, paths: ['/'], method: 'GET' }), ...overrides } as TrafficConfig;
    if (!flow.to) throw new InputError('to', 'required: the node the traffic enters at');
    if (!this.#nodes.has(flow.to) && !isExternalUrl(flow.to)) throw new InputError('to', `unknown node "${flow.to}"`);
    await this.traffic.start([flow]);
  }

  async stopTraffic(): Promise<void> {
    await this.traffic.stop();
  }

  faults(): FaultInfo[] {
    return this.#faults.list();
  }

  /** Inject a fault; throws InputError (with the path of the bad field) when the spec is invalid. */
  async injectFault(body: unknown): Promise<FaultInfo> {
    const parsed = FaultSpec.safeParse(body);
    if (!parsed.success) {
      const [first] = zodErrors(parsed.error);
      throw new InputError(first.path, first.message);
    }
    const spec = parsed.data;
    if (spec.target.includes('->')) throw new InputError('target', `"${spec.type}" applies to a node, not an edge`);
    const node = this.#nodes.get(spec.target);
    if (!node) throw new InputError('target', `unknown node "${spec.target}"`);
    const alreadyDown = this.#faults.holds(spec.target, 'down');
    const fault = this.#faults.add(spec);
    if (!alreadyDown) await node.stop('crash', `fault ${fault.id}: down`);
    this.bus.emit({ type: 'fault.started', fault });
    return fault;
  }

  /** Clear a fault; resolves to false when no such fault is active. */
  async clearFault(id: string): Promise<boolean> {
    const fault = this.#faults.get(id);
    if (!fault) return false;
    this.#endFault(id);
    const node = this.#nodes.get(fault.target);
    if (node && !this.#faults.holds(fault.target, 'down')) {
      await node.start().catch((error: Error) => {
        throw new InputError('target', `cleared, but ${error.message}`, 409);
      });
    }
    return true;
  }

  #endFault(id: string): void {
    const fault = this.#faults.remove(id);
    if (fault) this.bus.emit({ type: 'fault.ended', fault });
  }

  #emitTraffic(): void {
    this.bus.emit({ type: 'traffic.state', ...this.trafficState() });
  }
}

function createNode(config: NodeConfigParsed, ctx: NodeContext): NodeServer {
  switch (config.kind) {
    case 'proxy':
      return new ProxyNode(config, ctx);
    case 'gateway':
      return new GatewayNode(config, ctx);
    case 'balancer':
      return new BalancerNode(config, ctx);
    case 'service':
      return new ServiceNode(config, ctx);
  }
}

function balancerView(node: BalancerNode): Pick<TopologyNode, 'algorithm' | 'next' | 'targets' | 'pickerState'> {
  const { algorithm, next, targets, state } = node.algorithmState();
  return { algorithm, next, targets, ...(state === undefined ? {} : { pickerState: state }) };
}
