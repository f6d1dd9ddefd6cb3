/**
 * The edge engine: turns a config into running nodes (each a real HTTP listener on 127.0.0.1), keeps
 * them wired together, and owns the event bus, the metrics, the traffic generator and the faults.
 * A new config is applied in place: unchanged nodes keep their listeners and their requests in flight.
 */
import { createHash } from 'node:crypto';
import { escapeUnshowable } from './config/fields.ts';
import { TRAFFIC_LOAD_FIELDS, TrafficFlow, type EdgeConfigParsed, type GatewayConfig, type NodeConfigParsed, type TrafficConfig } from './config/schema.ts';
import { flowHttp2Problem, tlsProxyIds } from './config/tls-topology.ts';
import { isExternalUrl, upstreamsOf, zodErrors } from './config/validate.ts';
import { EventBus } from './bus.ts';
import type { FaultInfo, NodeMetrics, NodeState, TlsView, TrafficFlowState, TrafficStateBody } from './events.ts';
import { InputError } from './errors.ts';
import { FaultController, type FaultRecord } from './faults/controller.ts';
import { MetricsRegistry } from './metrics/metrics-registry.ts';
import { BalancerNode, type BalancerTargetView, type L4ConnectionView } from './balancer/balancer-node.ts';
import { GatewayNode, type GatewayView } from './gateway/gateway-node.ts';
import { L4Links } from './nodes/l4-links.ts';
import { LISTEN_HOST, type NodeContext, type NodeServer } from './nodes/node-server.ts';
import { ProxyNode, type CacheView as ProxyCacheView, type CompressionTotals } from './proxy/proxy-node.ts';
import { ForwardingNode } from './pipeline/forwarding-node.ts';
import { ServiceNode } from './service/service-node.ts';
import type { CapacityState } from './service/service-capacity.ts';
import { TrafficGenerator, type TrafficChange } from './traffic/generator.ts';
import { phasePlans, type PhasePlan } from './traffic/phases.ts';

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
  /** `l4` for a TCP balancer that picks per connection (absent for the usual per-request l7). */
  mode?: 'l4';
  algorithm?: string;
  next?: string;
  targets?: BalancerTargetView[];
  /** The picker's own live state (current weights, ring, table summary, EWMA costs...). */
  pickerState?: unknown;
  /** An l4 balancer's open connections, oldest first: the one decision each made, and what rode it. */
  connections?: L4ConnectionView[];
  /**
   * The node's capacity, live: in flight, queued, rejected so far, the limits in force, saturated or not.
   * A service's always; a proxy's, gateway's or balancer's while its config sets a `capacity` (the name
   * is the field's first use, kept so the page reads every node's capacity from the same place).
   */
  service?: CapacityState;
  /** A gateway's stages and route table (in the order routes are tried), with each route's hits and stages. */
  gateway?: GatewayView;
  /** A caching proxy's cache: bytes and entries against its limit, X-Cache counts, hit ratio, stored responses. */
  cache?: ProxyCacheView;
  /** A compressing proxy's totals: responses coded, bytes in and out, bytes saved. */
  compression?: CompressionTotals;
  /** A TLS proxy's certificate (fingerprint, file to trust) and protocols, once it started. */
  tls?: TlsView;
}

/** What `traffic.state` and `GET /api/traffic` say about the traffic (events.ts declares it). */
export type TrafficState = TrafficStateBody;

export interface ApplyResult {
  /** Nodes that could not start (a port in use...), each with its reason. */
  failures: string[];
}

/** An apply whose precondition (the running config still the one its caller read) no longer held: nothing was applied. */
export class ConfigChanged extends Error {
  constructor() {
    super('the running config changed since it was read; nothing was applied');
    this.name = 'ConfigChanged';
  }
}

export class Engine {
  readonly bus = new EventBus();
  readonly metrics: MetricsRegistry;
  readonly traffic: TrafficGenerator;
  readonly #faults: FaultController;
  readonly #nodes = new Map<string, NodeServer>();
  /** Nodes a new config removed, finishing their requests in flight (`#retire`). */
  readonly #draining = new Map<NodeServer, Promise<void>>();
  readonly #ctx: NodeContext;
  /** Configs applied so far: the one running is this one (`config.applied`'s generation). */
  #generation = 0;
  #config: EdgeConfigParsed | undefined;
  /**
   * What `resumeTraffic` starts when it is not simply what the generator last ran: a new config's flows
   * (nothing ran under it yet), or the last flows with a live `set` applied.
   */
  #resumeFlows: TrafficConfig[] | undefined;
  #input: unknown;
  #retry: NodeJS.Timeout | undefined;
  /** The applies asked for, run one at a time (`apply`); settles when the last has. */
  #applying: Promise<unknown> = Promise.resolve();

  constructor(options: EngineOptions = {}) {
    const rng = options.rng ?? Math.random;
    this.#ctx = {
      bus: this.bus,
      rng,
      resolve: (upstream) => this.resolve(upstream),
      l4Links: new L4Links(),
      generation: () => this.#generation,
    };
    this.metrics = new MetricsRegistry(this.bus);
    this.#faults = new FaultController({
      bus: this.bus,
      rng,
      config: () => this.#config,
      nodes: () => this.#nodes,
      resolve: (upstream) => this.resolve(upstream),
    });
    this.traffic = new TrafficGenerator({
      rng,
      resolve: (to) => this.resolve(to),
      trust: (to) => {
        const node = this.#nodes.get(to);
        return node instanceof ProxyNode ? node.certificate : undefined;
      },
      onStateChange: () => this.#emitTraffic(),
      gateways: () => (this.#config?.nodes ?? []).filter((n): n is GatewayConfig => n.kind === 'gateway'),
      settled: (entry, status, failedOver, elapsedMs) => this.metrics.clientSettled(entry, status, failedOver, elapsedMs),
    });
    if ((options.metricsIntervalMs ?? 500) > 0) this.metrics.startTicks(options.metricsIntervalMs ?? 500);
    this.#retry = setInterval(() => this.#retryFailedNodes(), options.retryFailedMs ?? 2_000).unref();
  }

  /** A node that could not listen (its port was taken) tries again, so it recovers when the port frees. */
  #retryFailedNodes(): void {
    for (const node of this.#nodes.values()) {
      if (node.state === 'failed' && !this.#faults.holdsDown(node.id)) node.start().catch(() => {});
    }
  }

  get config(): EdgeConfigParsed | undefined {
    return this.#config;
  }

  /** The running config as the user wrote it. */
  /**
   * The running config's entity-tag (RFC 9110 section 8.8.3): a digest of the config as `input` holds it,
   * so it changes whenever that does (a box dragged included); undefined before the first config.
   */
  configTag(): string | undefined {
    if (this.#input === undefined) return undefined;
    return `"${createHash('sha256').update(JSON.stringify(this.#input)).digest('base64url').slice(0, 22)}"`;
  }

  get input(): unknown {
    return this.#input;
  }

  /**
   * `http://127.0.0.1:PORT` for a node id, the URL itself for a URL upstream, undefined for a node with
   * no port or an unknown name. Never throws and never parses: every URL the engine holds came through
   * the config schema, which checked it and kept it as the origin a pool connects to (upstream.ts).
   */
  resolve(upstream: string): string | undefined {
    const node = this.#nodes.get(upstream);
    if (node) return node.port === null ? undefined : `http://${LISTEN_HOST}:${node.port}`;
    return isExternalUrl(upstream) ? upstream : undefined;
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
   *
   * Applies run one at a time, in the order asked: one that waits on a replaced node's requests must
   * not find the node map changed by another meanwhile (two configs racing, each giving a node another
   * kind, had the first reconfigure the second's new node with a config of the wrong kind).
   */
  apply(config: EdgeConfigParsed, input: unknown = config, precondition?: () => boolean): Promise<ApplyResult> {
    const applied = this.#applying.then(() => {
      // Checked in turn, so no apply queued before it can change what it holds for.
      if (precondition !== undefined && !precondition()) throw new ConfigChanged();
      return this.#apply(config, input);
    });
    this.#applying = applied.catch(() => {});
    return applied;
  }

  async #apply(config: EdgeConfigParsed, input: unknown): Promise<ApplyResult> {
    // Only the layout hints changed (a box dragged in the page): nothing runs differently, so nothing
    // is reconfigured, no limit or scenario starts again, and no `config.applied` is said.
    if (this.#config !== undefined && onlyLayoutChanged(this.#config, config)) {
      this.#config = config;
      this.#input = input;
      return { failures: [] };
    }
    // A config that changes nodes only (a limiter switched, a weight edited) leaves the running traffic as
    // it is, with its live changes and added flows: restarting it would undo what the learner set up.
    const sameTraffic = this.#config !== undefined && JSON.stringify(this.#config.traffic) === JSON.stringify(config.traffic);
    // Before any node takes the config: what they compile from it (limits) is of this generation.
    const generation = ++this.#generation;
    const wanted = new Map(config.nodes.map((n) => [n.id, n]));
    const retiring: NodeServer[] = [];
    for (const [id, node] of this.#nodes) {
      const next = wanted.get(id);
      if (next && next.kind === node.kind && (next.listen === 0 || next.listen === node.port) && node.canReconfigure(next)) continue;
      retiring.push(node);
      this.#nodes.delete(id);
    }
    for (const node of retiring) this.#retire(node);
    await this.#finishReplaced(retiring.filter((node) => wanted.has(node.id)));

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
    // Until traffic starts under this config, resuming means its own flows, not the previous config's.
    if (!sameTraffic) this.#resumeFlows = config.traffic;
    this.#input = input;
    this.metrics.setNodes(config.nodes.map((n) => ({ id: n.id, kind: n.kind, ...(n.kind === 'balancer' ? { mode: n.mode } : {}) })));

    const failures: string[] = [];
    await Promise.all(
      starting.map((node) =>
        node.start().catch((error: Error) => {
          // The reason may quote the config (a certificate's file name), and the CLI prints it.
          failures.push(escapeUnshowable(error.message));
        }),
      ),
    );
    // Faults follow the new nodes (ports, pools, gates); the scenario restarts from t = 0.
    await this.#faults.configApplied(config);
    this.bus.emit({ type: 'config.applied', name: config.name, nodes: config.nodes.length, generation });
    const trafficRan = this.traffic.running;
    // Flows started or added through the API, kept while the config's traffic stays, may enter at a node
    // this config removed; so may the flows of the config before, which its own replace (said all the same).
    this.#stopFlowsEnteringRemoved(wanted);
    if (trafficRan && !sameTraffic) {
      this.#sayFlowsReplaced(config.traffic);
      if (config.traffic.length > 0) await this.traffic.start(config.traffic);
      else await this.traffic.stop();
    }
    return { failures };
  }

  /**
   * The running flows a config's own traffic replaces without one of the same name (added through the
   * API or the traffic panel) each get a `traffic.flow-stopped`, so a learner's abusive client does not
   * vanish without a word; a flow the new traffic names again is restarted with its new settings.
   */
  #sayFlowsReplaced(traffic: readonly TrafficConfig[]): void {
    const names = traffic.map((flow) => flow.name);
    const instead = names.length > 0 ? `runs its own traffic (${names.join(', ')})` : 'has no traffic';
    for (const runner of this.traffic.runners) {
      if (!runner.running || names.includes(runner.name)) continue;
      this.bus.emit({
        type: 'traffic.flow-stopped',
        flow: runner.name,
        node: runner.config.to,
        reason: 'traffic-replaced',
        message: `flow "${runner.name}" stopped: the config applied ${instead}`,
      });
    }
  }

  /**
   * A flow entering at a node the config no longer has (its `to` or a failover entry) would fail every
   * request: it is taken away, as the API would refuse to start it now, a running one with a
   * `traffic.flow-stopped` naming the node; the others run on. It is no longer among what `resume` brings back either.
   */
  #stopFlowsEnteringRemoved(nodes: ReadonlyMap<string, unknown>): void {
    const removedEntry = (flow: TrafficConfig) => [flow.to, ...(flow.failover ?? [])].find((entry) => !isExternalUrl(entry) && !nodes.has(entry));
    const running = new Set(this.traffic.runners.filter((r) => r.running));
    for (const runner of this.traffic.dropWhere((r) => removedEntry(r.config) !== undefined)) {
      if (!running.has(runner)) continue;
      const node = removedEntry(runner.config)!;
      const how = node === runner.config.to ? 'enters at' : 'fails over to';
      this.bus.emit({
        type: 'traffic.flow-stopped',
        flow: runner.name,
        node,
        reason: 'entry-removed',
        message: `flow "${runner.name}" stopped: it ${how} "${node}", which the config applied removed`,
      });
    }
    const kept = this.#resumeFlows ?? this.traffic.flows;
    const resumable = kept.filter((flow) => removedEntry(flow) === undefined);
    if (resumable.length < kept.length) this.#resumeFlows = resumable.length > 0 ? resumable : this.#config?.traffic;
  }

  /**
   * A node leaving the topology stops listening at once (its port is free for the new config); its
   * requests in flight finish in the background, as nginx's old workers do after a reload, so applying
   * a config never waits on a slow request. `stop` cuts what is still draining.
   */
  #retire(node: NodeServer): void {
    const drained = node
      .dispose()
      .catch(() => {})
      .finally(() => this.#draining.delete(node));
    this.#draining.set(node, drained);
  }

  /**
   * A node replaced under the same id (another kind, mode or port) finishes its requests in flight
   * before the new one starts counting, so none of them is counted as the new node's; what is still
   * running after REPLACE_DRAIN_MS is cut, as a crash would, so a config is never held up for long.
   */
  async #finishReplaced(replaced: NodeServer[]): Promise<void> {
    if (replaced.length === 0) return;
    const drained = Promise.all(replaced.map((node) => this.#draining.get(node)));
    let deadline: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(true), REPLACE_DRAIN_MS))),
    ]);
    clearTimeout(deadline);
    if (late) for (const node of replaced) void node.stop('crash');
    await drained;
  }

  async stop(): Promise<void> {
    clearInterval(this.#retry);
    await Promise.all(
      [...this.#draining].map(([node, drained]) => {
        void node.stop('crash');
        return drained;
      }),
    );
    this.#faults.close();
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
    return config.nodes.flatMap((nodeConfig, index) => {
      // A node being replaced is, until its successor starts, the old one finishing its requests.
      const node = this.#nodes.get(nodeConfig.id) ?? [...this.#draining.keys()].find((n) => n.id === nodeConfig.id);
      if (node === undefined) return [];
      const upstreams = upstreamsOf(nodeConfig, index).map(({ to, route }, i) => {
        if (nodeConfig.kind === 'balancer') {
          const t = nodeConfig.targets[i];
          return { to, weight: typeof t === 'string' ? 1 : t.weight };
        }
        if (nodeConfig.kind === 'gateway') return { to, route: nodeConfig.routes[route ?? i].match.path ?? '/*' };
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
        ...capacityView(node),
        ...(node instanceof GatewayNode ? { gateway: node.view() } : {}),
        ...(node instanceof ProxyNode ? proxyView(node) : {}),
      } satisfies TopologyNode;
    });
  }

  trafficState(): TrafficState {
    const running = this.traffic.running;
    const runners = this.traffic.runners;
    const flows: TrafficFlowState[] = running
      ? runners.filter((r) => r.running).map((r) => flowState(r.name, r.config, r.phase, r.phaseCount))
      : (this.#config?.traffic ?? []).map((f, i) => {
          const plans = phasePlans(f);
          return flowState(f.name ?? `flow-${i + 1}`, f, plans[0], plans.length);
        });
    const stats = this.traffic.stats();
    return {
      running,
      flows,
      sent: stats.sent,
      completed: stats.completed,
      skipped: stats.skipped,
      outstanding: stats.outstanding,
      targetRate: stats.targetRate,
      achievedRate: stats.achievedRate,
      ratePerSecond: stats.ratePerSecond,
      live: stats.flows.map((f) => ({
        name: f.name,
        sent: f.sent,
        completed: f.completed,
        skipped: f.skipped,
        outstanding: f.outstanding,
        conditional: f.conditional,
        notModified: f.notModified,
        targetRate: f.targetRate,
        achievedRate: f.achievedRate,
        ratePerSecond: f.ratePerSecond,
        latency: f.latency,
        running: f.running,
        finished: f.finished,
        ...(f.entries === undefined ? {} : { entry: f.entry, failovers: f.failovers, entries: f.entries }),
      })),
    };
  }

  /**
   * Start traffic: the config's flows, or, when fields are given (as a config traffic entry is
   * written), the running or configured first flow with those fields replaced (`{ rate: 20 }` changes
   * only the rate). Fields that say how much to send replace the base's whole load (a `phases` list
   * drops its `rate`), and `requests` replaces `paths` and `method` (and the other way round). The
   * merged flow is checked by the config schema; throws InputError with the path of a bad field.
   * `flowName` picks another flow than the first; the other flows keep running (restarted with it).
   */
  async startTraffic(overrides?: Record<string, unknown>, flowName?: string): Promise<void> {
    const configured = this.#config?.traffic ?? [];
    const current = this.traffic.running ? this.traffic.flows : configured;
    // A flow named is one there is, with fields or without: an unknown name is never ignored.
    const index = flowName === undefined ? 0 : current.findIndex((f, i) => (f.name ?? `flow-${i + 1}`) === flowName);
    if (index < 0) {
      const names = current.map((f, i) => f.name ?? `flow-${i + 1}`);
      throw new InputError('flow', `no flow "${flowName}"${names.length ? ` (flows: ${names.join(', ')})` : ''}`);
    }
    if (!overrides || Object.keys(overrides).length === 0) {
      if (configured.length === 0) throw new InputError('traffic', 'the config has no traffic; send to, rate and paths');
      this.#resumeFlows = undefined;
      await this.traffic.start(configured);
      return;
    }
    const base: Record<string, unknown> = { ...current[index] };
    const given = Object.keys(overrides);
    if (given.some((k) => TRAFFIC_LOAD_KEYS.includes(k))) for (const k of TRAFFIC_LOAD_KEYS) delete base[k];
    if (given.some((k) => k === 'paths' || k === 'method')) delete base.requests;
    if (given.includes('requests')) for (const k of ['paths', 'method']) delete base[k];
    const merged = Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined));
    if (merged.to === undefined) throw new InputError('to', 'required: the node the traffic enters at');
    const parsed = TrafficFlow.safeParse(merged);
    if (!parsed.success) throw InputError.of(zodErrors(parsed.error));
    const flow = parsed.data;
    this.#checkEntries(flow);
    // Only a start that happens replaces what `resume` brings back: a refused one leaves it as it was.
    this.#resumeFlows = undefined;
    await this.traffic.start(current.length === 0 ? [flow] : current.map((f, i) => (i === index ? flow : f)));
  }

  /**
   * Add a flow to the running traffic, the others untouched: the fields of a config traffic entry, over
   * those of the running flow `like` names (`{ like: 'browse', name: 'abuser', clients: 1, rate: 20 }` is one
   * more client like the browsing ones, at its own rate and from its own address). Checked by the config
   * schema; throws InputError with the path of a bad field.
   */
  addTraffic(fields: Record<string, unknown>, like?: string): void {
    if (!this.traffic.running) throw new InputError('action', 'no traffic is running; start it first', 409);
    let base: Record<string, unknown> = {};
    if (like !== undefined) {
      const flow = this.traffic.runners.find((r) => r.running && r.name === like);
      if (!flow) throw new InputError('like', `no running flow "${like}" (running: ${this.traffic.runners.filter((r) => r.running).map((r) => r.name).join(', ') || 'none'})`);
      base = { ...flow.config };
      delete base.name;
      const given = Object.keys(fields);
      if (given.some((k) => TRAFFIC_LOAD_KEYS.includes(k))) for (const k of TRAFFIC_LOAD_KEYS) delete base[k];
      // A new client speaks as whoever it is given, or as nobody: never borrows the flow's credentials.
      delete base.auth;
    }
    const merged = Object.fromEntries(Object.entries({ ...base, ...fields }).filter(([, v]) => v !== undefined));
    if (merged.to === undefined) throw new InputError('to', 'required: the node the traffic enters at');
    const parsed = TrafficFlow.safeParse(merged);
    if (!parsed.success) throw InputError.of(zodErrors(parsed.error));
    const flow = parsed.data;
    this.#checkEntries(flow);
    this.traffic.add(flow);
    this.#resumeFlows = this.traffic.flows;
  }

  /**
   * A flow given through the API enters at running nodes (or URLs): its `to` and each failover entry; and
   * speaks HTTP/2 only over TLS, as a config's flow must (tls-topology.ts). InputError names the field.
   */
  #checkEntries(flow: TrafficConfig): void {
    const unknown = (entry: string) => !this.#nodes.has(entry) && !isExternalUrl(entry);
    if (unknown(flow.to)) throw new InputError('to', `unknown node "${flow.to}"`);
    const i = flow.failover?.findIndex(unknown) ?? -1;
    if (i >= 0) throw new InputError(`failover[${i}]`, `unknown node "${flow.failover![i]}"`);
    const http2 = flowHttp2Problem(flow, tlsProxyIds(this.#config));
    if (http2 !== undefined) throw new InputError('http2', http2);
  }

  /**
   * Change a running flow in place: `rate` for an open-loop phase, `users` for a closed-loop one;
   * `flow` names it when several run. 409 when nothing (or not that kind of phase) is running.
   */
  setTraffic(change: TrafficChange): void {
    const runner = this.traffic.set(change);
    // What `resume` brings back: a one-phase flow keeps the rate or users it was set to.
    this.#resumeFlows = this.traffic.flows.map((flow) =>
      flow !== runner.config || flow.phases !== undefined
        ? flow
        : { ...flow, ...(change.rate !== undefined ? { rate: change.rate } : {}), ...(change.users !== undefined ? { users: change.users } : {}) },
    );
  }

  /**
   * Start again what ran when traffic was last stopped (the flows as last started or set), or the
   * config's flows when nothing ran since the config was applied. A no-op while traffic runs.
   */
  async resumeTraffic(): Promise<void> {
    if (this.traffic.running) return;
    const flows = this.#resumeFlows ?? (this.traffic.flows.length > 0 ? this.traffic.flows : (this.#config?.traffic ?? []));
    if (flows.length === 0) throw new InputError('traffic', 'the config has no traffic; send to, rate and paths');
    await this.traffic.start(flows);
  }

  async stopTraffic(): Promise<void> {
    await this.traffic.stop();
  }

  /**
   * Zero every count a learner reads as a count: the metrics registry's, and those nodes keep for their
   * inspectors (route hits, cache words and hit-ratio history, compression totals, limiter tallies,
   * capacity refusals, balancer picks; Node.resetCounts). State stays: stored responses, limiter state,
   * breakers, health, key memory, requests in flight. Says so on the stream with the fresh snapshot.
   */
  resetMetrics(): Record<string, NodeMetrics> {
    this.metrics.reset();
    for (const node of this.#nodes.values()) node.resetCounts();
    const nodes = this.metrics.snapshot();
    this.bus.emit({ type: 'metrics.reset', nodes });
    return nodes;
  }

  /**
   * Drop a caching proxy's stored responses (`DELETE /api/cache/:node`): under a path prefix (`/`, every
   * one), or the one stored for a URL. How many went; InputError (404) for a node that is not a caching proxy.
   */
  purgeCache(nodeId: string, target: { prefix: string } | { url: string; host?: string }): number {
    const node = this.#nodes.get(nodeId);
    if (node === undefined) throw new InputError('node', `no node "${nodeId}"`, 404);
    const purged = node instanceof ProxyNode ? node.purge(target) : undefined;
    if (purged === undefined) throw new InputError('node', `"${nodeId}" has no cache (a proxy with cache: in its config has)`, 404);
    return purged;
  }

  faults(): FaultInfo[] {
    return this.#faults.list();
  }

  /** Every fault that ran since the engine started, with when and why it ended (for a run's report). */
  faultHistory(): FaultRecord[] {
    return this.#faults.history();
  }

  /** Inject a fault (`POST /api/faults`); throws InputError naming every bad field or target. */
  injectFault(body: unknown): Promise<FaultInfo> {
    return this.#faults.inject(body, 'api');
  }

  /** Clear a fault; resolves to false when no such fault is active. */
  clearFault(id: string): Promise<boolean> {
    return this.#faults.clear(id);
  }

  /** Clear every fault and cancel the scenario's steps still to come (`DELETE /api/faults`). */
  clearAllFaults(): Promise<{ cleared: string[]; scenarioCancelled: number }> {
    return this.#faults.clearAll();
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

function proxyView(node: ProxyNode): Pick<TopologyNode, 'cache' | 'compression' | 'tls'> {
  const cache = node.cacheView();
  const compression = node.compressionView();
  const tls = node.tlsView();
  return {
    ...(cache === undefined ? {} : { cache }),
    ...(compression === undefined ? {} : { compression }),
    ...(tls === undefined ? {} : { tls }),
  };
}

/** The node's live capacity: a service's always, a forwarding node's when its config sets one. */
function capacityView(node: NodeServer): Pick<TopologyNode, 'service'> {
  const state = node instanceof ServiceNode || node instanceof ForwardingNode ? node.capacityState() : undefined;
  return state === undefined ? {} : { service: state };
}

function balancerView(node: BalancerNode): Pick<TopologyNode, 'mode' | 'algorithm' | 'next' | 'targets' | 'pickerState' | 'connections'> {
  const { algorithm, next, targets, state } = node.algorithmState();
  const view = { algorithm, next, targets, ...(state === undefined ? {} : { pickerState: state }) };
  return node.currentConfig.mode === 'l4' ? { mode: 'l4', ...view, connections: node.openConnections() } : view;
}

/** How long a config waits for a replaced node's requests in flight before it cuts them (`#finishReplaced`). */
const REPLACE_DRAIN_MS = 5_000;

/** The fields of a traffic entry that say how much it sends: replaced together when `POST /api/traffic` gives any of them. */
const TRAFFIC_LOAD_KEYS = ['phases', ...TRAFFIC_LOAD_FIELDS];

function flowState(name: string, config: TrafficConfig, phase: PhasePlan, phases: number): TrafficFlowState {
  return {
    name,
    to: config.to,
    rate: phase.loop === 'open' ? phase.rate : 0,
    clients: config.clients,
    loop: phase.loop,
    shape: phase.shape,
    phase: { index: phase.index, of: phases, name: phase.name, forMs: Number.isFinite(phase.durationMs) ? phase.durationMs : null },
    ...(phase.loop === 'closed' ? { users: phase.users } : {}),
    ...(config.http2 === true ? { http2: true } : {}),
    ...(config.keepAlive === false ? { keepAlive: false } : {}),
    ...(config.failover !== undefined ? { failover: [...config.failover] } : {}),
  };
}

/** Whether two configs differ in their layout hints only (the same config sent again is applied again, as ever). */
function onlyLayoutChanged(a: EdgeConfigParsed, b: EdgeConfigParsed): boolean {
  if (JSON.stringify(a.layout) === JSON.stringify(b.layout)) return false;
  return JSON.stringify({ ...a, layout: undefined }) === JSON.stringify({ ...b, layout: undefined });
}
