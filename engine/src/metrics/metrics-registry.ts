/**
 * Per-node metrics computed from the event bus: the numbers behind `/api/metrics`, the periodic
 * `metrics.tick` event and `/metrics`. It only listens; the data plane never calls it. The lab's own
 * traffic generator tells it how each request settled at its flow's first entry (`clientSettled`): what
 * no node can count, a request whose connection was refused. From the `fault.*` events it keeps the
 * faults active now, so each node reports how many touch it (`activeFaults`) and how many of those a
 * config's scenario started (`scenarioFaults`).
 *
 * Events for a node that is not declared (a straggler from a config just replaced) are ignored, so
 * the snapshot always lists exactly the running nodes.
 */
import type { NodeKind } from '../config/schema.ts';
import type { EventBus } from '../bus.ts';
import type { EngineEvent, NodeMetrics } from '../events.ts';
import { parseTarget } from '../faults/spec.ts';
import { NodeCounters } from './node-counters.ts';
import { PrometheusExporter, type PrometheusText } from './prometheus.ts';

export interface MetricsRegistryOptions {
  /** Monotonic milliseconds for the per-second rate; injected so tests can pin time. */
  now?: () => number;
}

export interface DeclaredNode {
  id: string;
  kind: NodeKind;
  /** A balancer's `l7` or `l4`: switching replaces its listener, and what it counts. */
  mode?: string;
}

export class MetricsRegistry {
  readonly #bus: EventBus;
  readonly #now: () => number;
  readonly #nodes = new Map<string, NodeCounters>();
  /** The faults active now, by fault id: the node each touches (its target, or the node an edge leads to), and whether a scenario started it. */
  readonly #faults = new Map<string, { node: string; scenario: boolean }>();
  readonly #prometheus = new PrometheusExporter({ nodes: () => this.#nodes, activeFaults: () => this.#activeFaults() });
  readonly #unsubscribe: () => void;
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** When the counts were last reset (monotonic ms): a request that began before it is not counted since. */
  #resetAt = Number.NEGATIVE_INFINITY;

  constructor(bus: EventBus, options: MetricsRegistryOptions = {}) {
    this.#bus = bus;
    this.#now = options.now ?? (() => performance.now());
    this.#unsubscribe = bus.subscribe((event) => this.#observe(event));
  }

  /**
   * Declare the running nodes (on every applied config): a node that stays, with the same kind (and
   * balancer mode), keeps its counts; a new node, or one whose kind or mode changed, starts at zero; a
   * removed one is dropped.
   */
  setNodes(nodes: ReadonlyArray<DeclaredNode>): void {
    const declared = new Map(nodes.map((node) => [node.id, node]));
    for (const [id, counters] of this.#nodes) {
      const next = declared.get(id);
      if (next?.kind !== counters.kind || next.mode !== counters.mode) this.#nodes.delete(id);
    }
    for (const [id, { kind, mode }] of declared) {
      if (!this.#nodes.has(id)) this.#nodes.set(id, new NodeCounters(kind, mode));
    }
  }

  /**
   * A request of a flow whose first entry is `entry` settled `elapsedMs` after it was sent: `status`
   * undefined when no entry answered. One sent before the last reset is not counted.
   */
  clientSettled(entry: string, status: number | undefined, failedOver: boolean, elapsedMs: number): void {
    if (this.#now() - elapsedMs < this.#resetAt) return;
    this.#nodes.get(entry)?.clientSettled(status, failedOver);
  }

  /**
   * Zero every count, latency and rate. In-flight stays: those requests are still running, and when they
   * complete they only leave the gauge. Counts since a reset are of the requests that began after it, so
   * a lesson that stops the sandbox's traffic and resets finds no straggler of it in its counts.
   */
  reset(): void {
    this.#resetAt = this.#now();
    for (const counters of this.#nodes.values()) counters.reset();
  }

  snapshot(): Record<string, NodeMetrics> {
    const now = this.#now();
    const nodes: Record<string, NodeMetrics> = {};
    const faults = this.#activeFaults();
    const scripted = this.#activeFaults({ scenarioOnly: true });
    for (const [id, counters] of this.#nodes) {
      nodes[id] = counters.snapshot(now);
      const active = faults.get(id);
      if (active !== undefined) nodes[id].activeFaults = active;
      const scenario = scripted.get(id);
      if (scenario !== undefined) nodes[id].scenarioFaults = scenario;
    }
    return nodes;
  }

  /** How many active faults touch each node (a node none touches is absent); with `scenarioOnly`, those a scenario started. */
  #activeFaults({ scenarioOnly = false } = {}): Map<string, number> {
    const faults = new Map<string, number>();
    for (const { node, scenario } of this.#faults.values()) if (scenario || !scenarioOnly) faults.set(node, (faults.get(node) ?? 0) + 1);
    return faults;
  }

  /** Emit a `metrics.tick` with a fresh snapshot every `intervalMs`; calling again changes the interval. */
  startTicks(intervalMs = 500): void {
    this.stopTicks();
    this.#ticker = setInterval(() => this.#bus.emit({ type: 'metrics.tick', nodes: this.snapshot() }), intervalMs);
    this.#ticker.unref();
  }

  stopTicks(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  prometheus(): Promise<PrometheusText> {
    return this.#prometheus.text();
  }

  /** Stop ticking and stop listening to the bus. */
  close(): void {
    this.stopTicks();
    this.#unsubscribe();
  }

  #observe(event: EngineEvent): void {
    if (event.type === 'request.received') this.#nodes.get(event.node)?.received(event.tls === true ? event.protocol : undefined);
    else if (event.type === 'request.completed') {
      const now = this.#now();
      const counters = this.#nodes.get(event.node);
      if (now - event.durationMs < this.#resetAt) counters?.left();
      else counters?.completed(event, now);
    }
    else if (event.type === 'request.forwarded') {
      const outcome = event.decision.affinity?.outcome;
      if (outcome !== undefined && outcome !== 'new') this.#nodes.get(event.node)?.keyOutcome(outcome);
    }
    else if (event.type === 'connection.opened') {
      if (event.to !== undefined) this.#nodes.get(event.node)?.connectionOpened();
    } else if (event.type === 'connection.closed') {
      const counters = this.#nodes.get(event.node);
      // A connection refused before it opened (no target) still counts as opened and failed.
      if (event.to === undefined) counters?.connectionOpened();
      counters?.connectionClosed(event.error !== undefined);
    } else if (event.type === 'tls.connection') this.#nodes.get(event.node)?.tlsConnection(event);
    else if (event.type === 'engine.error' && event.h2RefusedStreams !== undefined && event.node !== undefined) {
      this.#nodes.get(event.node)?.h2StreamsRefused(event.h2RefusedStreams);
    }
    else if (event.type === 'fault.started') {
      const target = parseTarget(event.fault.target);
      const node = target?.node ?? target?.edge.to;
      if (node !== undefined) this.#faults.set(event.fault.id, { node, scenario: event.fault.source === 'scenario' });
    } else if (event.type === 'fault.ended') this.#faults.delete(event.fault.id);
  }
}
