/**
 * The page's projection of the engine's event stream: what the engine reported (topology, metrics,
 * node states, traffic, faults) and what the page folds from its events (request traces, dots, the
 * log, decisions, picks, limits). Every number the page shows comes from here, and every count here
 * comes from the engine (`metrics.tick`, `/api/metrics`), never from counting events in the browser.
 *
 * Per-request events arrive by the hundred per second, so they go into plain structures (traces,
 * dots); only small snapshots are published to the reactive fields, at most every `FLUSH_MS` (the log
 * every `LOG_FLUSH_MS`, so a screen reader following it is not flooded).
 *
 * It calls nothing itself: what the stream cannot tell (a reload after missed events, the topology
 * after a config change) it asks for through `reload`, which the lab's actions answer.
 */
import { MetricHistory } from '../lib/charts/metric-history.ts';
import { isPerRequestEvent, type Decision, type EngineEvent, type EventOf, type NodeMetrics, type NodeState } from '../../../engine/src/events.ts';
import type {
  CapacityState,
  Fault,
  GatewayView,
  MetricsSnapshot,
  ProxyCache,
  Topology,
  TopologyNode,
  TrafficState,
  XCacheWord,
} from '../lib/api-types.ts';
import { PickHistory, type PickRecord } from '../lib/balancer/pick-history.ts';
import { ClockSync } from '../lib/dots/clock-sync.ts';
import { TargetColours, targetIds } from '../lib/colour/target-colours.ts';
import { ConsumerColours, consumerIds } from '../lib/colour/consumer-colours.ts';
import { DotField } from '../lib/dots/dot-field.ts';
import { FrameStats } from '../lib/dots/frame-stats.ts';
import { computeLayout, type Layout, type Position } from '../lib/layout/layout.ts';
import {
  cachePurgedEntry,
  configEntry,
  connectionEntry,
  countsResetEntry,
  droppedEntry,
  engineErrorEntry,
  faultEntry,
  flowStoppedEntry,
  circuitEntry,
  healthEntry,
  LogBuffer,
  nodeStateEntry,
  refreshEntry,
  requestEntry,
  tlsCertificateEntry,
  tlsConnectionEntry,
  trafficEntry,
  type LogEntry,
  type LogLine,
} from '../lib/log/log-lines.ts';
import type { ConnectionStatus } from '../lib/stream/event-stream.ts';
import { isDroppedNotice, type StreamItem } from '../lib/stream/parse-batch.ts';
import { CLIENT, TraceStore, type Trace } from '../lib/traces/trace-store.ts';
import { decidedAt, LimitHistory } from '../lib/gateway/limit-history.ts';
import type { Selection } from './selection.svelte.ts';

export const FLUSH_MS = 250;
export const LOG_FLUSH_MS = 1000;
const DECISIONS_KEPT = 8;
/** A TLS proxy's last connections the inspector lists. */
const TLS_CONNECTIONS_KEPT = 8;

/** A forwarding decision as the inspector lists it. */
export interface DecisionRecord {
  rid: string;
  ts: number;
  to: string;
  decision: Decision;
}

/**
 * A balancer's algorithm as the engine last reported it: its id, the next pick, each target's load,
 * the picker's own state, and when the page asked (browser wall clock), to tell whether a pick seen
 * on the stream came before or after the report.
 */
export type AlgorithmView = Pick<TopologyNode, 'mode' | 'algorithm' | 'next' | 'targets' | 'pickerState' | 'connections'> & {
  askedAt: number;
};

/** A proxy's cache as the engine last reported it, and when the page asked (browser wall clock): its entries' ttl count down from then. */
export interface CacheState {
  cache: ProxyCache;
  askedAt: number;
}

/** The latest request a proxy's cache said one X-Cache word for: which, and the cache's sentence why. */
export interface CacheExample {
  rid: string;
  method: string;
  path: string;
  reason: string;
}

export interface LiveNodeState {
  state: NodeState;
  port: number | null;
  reason?: string;
}

/** Browser wall clock in ms since the epoch, comparable with the engine's `ts`. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export class StreamIngest {
  topology = $state.raw<Topology | null>(null);
  /** Node state and port as last reported by `node.state`, over what the topology said. */
  nodeStates = $state.raw<Record<string, LiveNodeState>>({});
  metrics = $state.raw<Record<string, NodeMetrics>>({});
  metricsTs = $state(0);
  /** The last minutes of every node's numbers, for the charts (lib/charts/metric-history.ts). */
  readonly history = new MetricHistory();
  /** One more with every tick the history takes: what a chart reads to draw again. */
  historyVersion = $state(0);
  traffic = $state.raw<TrafficState | null>(null);
  /**
   * How many `traffic.state` events came: a traffic state fetched before the latest of them is older than
   * what the page shows, and must not replace it (LabActions.refresh). Not reactive: only compared.
   */
  trafficEvents = 0;
  /**
   * How many `metrics.reset` events came: a topology read asked before the latest of them carries the
   * inspectors' counts from before it, and must not replace the zeroed ones (LabActions). Not reactive: only compared.
   */
  countsResets = 0;
  /**
   * How many `fault.started` and `fault.ended` events came: a fault list fetched while one came may be
   * older than it, and must not replace what the events made of the list (LabActions.refreshFaults).
   * Not reactive: only compared.
   */
  faultEvents = 0;
  faults = $state.raw<Fault[]>([]);
  connection = $state<ConnectionStatus>('connecting');
  log = $state.raw<readonly LogLine[]>([]);
  decisions = $state.raw<Record<string, DecisionRecord[]>>({});
  /** Per-request events the engine skipped for this tab (it was too slow), as the engine counts them. */
  droppedTotal = $state(0);

  /** Balancer algorithm state (next pick, per-target load, picker state) from the latest topology read, by node id. */
  algorithmViews = $state.raw<Record<string, AlgorithmView>>({});
  /** Each service's capacity and queue (in flight, queued, limits, rejected) from the latest topology read, by node id. */
  capacities = $state.raw<Record<string, CapacityState>>({});
  /** Each gateway's stages and route table with hits, from the latest topology read, by node id. */
  gateways = $state.raw<Record<string, GatewayView>>({});
  /** Each compressing proxy's totals (responses coded, bytes in, out, saved) from the latest topology read, by node id. */
  compressions = $state.raw<Record<string, NonNullable<TopologyNode['compression']>>>({});
  /** Each caching proxy's cache (entries, X-Cache counts, hit ratio per second), from the latest topology read, by node id. */
  caches = $state.raw<Record<string, CacheState>>({});
  /** Each caching proxy's latest request per X-Cache word, by node id, from `request.completed` (and `cache.refresh`). */
  cacheExamples = $state.raw<Record<string, Partial<Record<XCacheWord, CacheExample>>>>({});
  /** Every rate limit's recent decisions by node, from the rate-limit steps of `request.completed`. */
  readonly limitHistory = new Map<string, LimitHistory>();
  /** The generation of the latest `config.applied` seen (0: none yet), which a node's new limit history starts from. */
  #configGeneration = 0;
  /** Each balancer's recent picks, newest first, since the config was last applied. */
  picks = $state.raw<Record<string, PickRecord[]>>({});
  /** Each TLS proxy's last connections (their handshakes), newest first, from `tls.connection`. */
  tlsConnections = $state.raw<Record<string, EventOf<'tls.connection'>[]>>({});

  readonly nodes: TopologyNode[] = $derived(this.topology?.nodes ?? []);
  /** Where traffic enters, as a string so that a rate change does not redo the layout. */
  readonly #entryKey: string = $derived((this.traffic ?? this.topology?.traffic)?.flows.map((f) => f.to).join('\n') ?? '');
  /** The stage's room in screen pixels, which the layout is made for (the Stage measures it). */
  room = $state.raw<{ width: number; height: number } | null>(null);
  /** Where boxes being dragged are, until the config that keeps them there is applied (Builder.move). */
  draftPositions = $state.raw<Readonly<Record<string, Position>>>({});
  readonly layout: Layout | null = $derived(
    this.topology === null
      ? null
      : computeLayout(
          { nodes: this.nodes, entries: this.#entryKey === '' ? [] : this.#entryKey.split('\n') },
          { room: this.room ?? undefined, positions: { ...this.topology.layout?.positions, ...this.draftPositions } },
        ),
  );
  readonly services: TopologyNode[] = $derived(this.nodes.filter((n) => n.kind === 'service'));
  /** One colour per target (each service, each balancer's target), the same in every view (lib/colour/target-colours.ts). */
  readonly targetColours: TargetColours = $derived(new TargetColours(targetIds(this.nodes)));
  /** One colour per consumer the gateways name, for the tags, the log, the trace and the gateway's views (lib/colour/consumer-colours.ts). */
  readonly consumerColours: ConsumerColours = $derived(new ConsumerColours(consumerIds(this.nodes)));
  readonly downTargets: ReadonlySet<string> = $derived(new Set(this.faults.filter((f) => f.type === 'down').map((f) => f.target)));
  /** The active faults by target (a node id, or an edge `from->to`), oldest first. */
  readonly faultsByTarget: ReadonlyMap<string, Fault[]> = $derived.by(() => {
    const map = new Map<string, Fault[]>();
    for (const fault of [...this.faults].sort((a, b) => a.startedAt - b.startedAt))
      map.set(fault.target, [...(map.get(fault.target) ?? []), fault]);
    return map;
  });

  readonly traces = new TraceStore();
  readonly clock = new ClockSync();
  readonly frameStats = new FrameStats();
  readonly dots: DotField;

  readonly #logBuffer = new LogBuffer(200);
  readonly #decisions = new Map<string, DecisionRecord[]>();
  readonly #tlsConnections = new Map<string, EventOf<'tls.connection'>[]>();
  #tlsDirty = false;
  readonly #picks = new PickHistory();
  #picksDirty = false;
  #pendingLog: LogEntry[] = [];
  #pendingDropped = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #logTimer: ReturnType<typeof setTimeout> | undefined;
  #decisionsDirty = false;
  #traceDirty = false;
  readonly #tickListeners = new Set<(nodes: Record<string, NodeMetrics>) => void>();
  readonly #configListeners = new Set<() => void>();
  readonly #changeListeners = new Set<(event: EngineEvent) => void>();
  readonly #cacheExamples = new Map<string, Partial<Record<XCacheWord, CacheExample>>>();
  #cacheExamplesDirty = false;

  /**
   * `selection`: whose trace to keep publishing as its events arrive. `drawnOn`: the stream whose
   * layout the dots follow, when this one replays its past (timeline.svelte.ts); itself otherwise.
   */
  constructor(
    readonly selection: Selection,
    drawnOn?: StreamIngest,
  ) {
    this.dots = new DotField({
      isLeaf: (id) => {
        const node = this.topology?.nodes.find((n) => n.id === id);
        return node === undefined || node.kind === 'service';
      },
      holds: (id) => this.#caches(id),
      targetSlot: (id) => (drawnOn ?? this).targetColours.slot(id),
      consumerSlot: (name) => (drawnOn ?? this).consumerColours.slot(name),
      layout: () => (drawnOn ?? this).layout,
    });
  }

  /** Cancels the pending publications (the page is closing). */
  stopFlushing(): void {
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#logTimer);
  }

  /** Asks for what the stream cannot tell (topology, metrics, faults) after a config change or missed events: nothing here; the lab fetches them. */
  protected reload(): void {}

  /** Asks again for the inspectors' live views (their counts were reset in the engine): nothing here; the lab fetches them. */
  protected reloadLiveViews(): void {}

  /** Takes what a topology read reports beside the stream (caches, capacities, gateways, compression, algorithm state); `askedAt` is when it was asked. */
  applyLiveViews(topology: Topology, askedAt: number): void {
    this.caches = Object.fromEntries(
      (topology.nodes ?? []).flatMap((n) => (n.cache === undefined ? [] : [[n.id, { cache: n.cache, askedAt }]])),
    );
    this.capacities = Object.fromEntries((topology.nodes ?? []).flatMap((n) => (n.service === undefined ? [] : [[n.id, n.service]])));
    this.gateways = Object.fromEntries((topology.nodes ?? []).flatMap((n) => (n.gateway === undefined ? [] : [[n.id, n.gateway]])));
    this.compressions = Object.fromEntries(
      (topology.nodes ?? []).flatMap((n) => (n.compression === undefined ? [] : [[n.id, n.compression]])),
    );
    this.algorithmViews = Object.fromEntries(
      (topology.nodes ?? [])
        .filter((n) => n.algorithm !== undefined)
        .map((n) => [
          n.id,
          {
            mode: n.mode,
            algorithm: n.algorithm,
            next: n.next,
            targets: n.targets,
            pickerState: n.pickerState,
            connections: n.connections,
            askedAt,
          },
        ]),
    );
  }

  /**
   * The engine's next pick for balancer `nodeId`, but only when it was reported after the latest pick
   * the page saw: a peek taken before that pick is already spent, and showing it would contradict the
   * stream. Undefined when not known to be current.
   */
  currentNext(nodeId: string): string | undefined {
    const view = this.algorithmViews[nodeId];
    if (view?.next === undefined) return undefined;
    // Read the published picks so this re-runs when they change, and the unpublished ones to be exact.
    const published = this.picks[nodeId]?.[0];
    const latest = this.#picks.latest(nodeId) ?? published;
    return latest === undefined || this.clock.toBrowser(latest.ts) < view.askedAt ? view.next : undefined;
  }

  /**
   * Calls `listener` with the nodes of every metrics update the page shows, in order and at once: each
   * `metrics.tick` the stream delivers, the zeroed snapshot of each `metrics.reset`, and each fetched
   * snapshot newer than the last tick (the lesson runner checks its goal on each); returns the function
   * that stops listening.
   */
  onMetricsTick(listener: (nodes: Record<string, NodeMetrics>) => void): () => void {
    this.#tickListeners.add(listener);
    return () => this.#tickListeners.delete(listener);
  }

  /**
   * Calls `listener` at each `config.applied` the stream delivers, in order with the metrics ticks (the
   * lesson runner counts its step again from the change); returns the function that stops listening.
   */
  onConfigApplied(listener: () => void): () => void {
    this.#configListeners.add(listener);
    return () => this.#configListeners.delete(listener);
  }

  /**
   * Calls `listener` with every event the stream delivers that is not about one request (decisions,
   * changes, ticks: the ones the engine never samples), in order, after the page has taken it in;
   * returns the function that stops listening.
   */
  onChange(listener: (event: EngineEvent) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Folds one batch of stream items in; `now` is the browser time it arrived. */
  ingest(items: readonly StreamItem[], now: number): void {
    for (const item of items) {
      if (isDroppedNotice(item)) {
        if (item.reason === 'resume-gap') {
          // Events were lost while disconnected: reload what they would have told us.
          this.#pendingLog.push({
            kind: 'stream',
            ts: now,
            text: `reconnected after missing ${item.dropped} events; reloaded the topology`,
          });
          this.resync();
        } else if (item.reason === 'engine-restart') {
          // A new engine run: what this page knew (picks, dots, node states) belongs to the old one.
          const lost = item.dropped > 0 ? ` (${item.dropped} of its events since were no longer held)` : '';
          this.#pendingLog.push({ kind: 'stream', ts: now, text: `reconnected: the engine restarted${lost}; reloaded the topology` });
          this.#picks.clear();
          this.#picksDirty = true;
          // Its config generations count from 1 again.
          this.limitHistory.clear();
          this.#configGeneration = 0;
          this.resync();
        } else if (item.reason === 'history-sample') {
          // A reconnect into a busy stretch: the engine kept whole requests, 1 in N, of its history.
          this.#pendingLog.push({
            kind: 'stream',
            ts: now,
            text: `reconnected; the engine kept a sample of the busy stretch it replayed: ${item.dropped} of ${item.total} events left out (the counts on the boxes are exact)`,
          });
        } else {
          this.droppedTotal += item.dropped;
          this.#pendingDropped += item.dropped;
        }
        continue;
      }
      this.clock.observe(item.ts, now);
      this.#apply(item, now);
      if (this.#changeListeners.size > 0 && !isPerRequestEvent(item)) for (const listener of this.#changeListeners) listener(item);
    }
    this.#scheduleFlush();
  }

  /** Reload what the events missed would have told: the dots in flight go, topology, metrics and faults are fetched again. */
  resync(): void {
    this.dots.clear();
    this.reload();
  }

  #apply(event: EngineEvent, now: number): void {
    switch (event.type) {
      case 'request.received':
      case 'request.forwarded':
      case 'request.completed': {
        const wasDone = this.traces.get(event.rid)?.done ?? false;
        const trace = this.traces.apply(event);
        // A dot starts at the clients, or at a caching proxy for its background refresh (whose id the hops behind it see first).
        const starts =
          event.type === 'request.received' && (event.from === CLIENT || (trace.hops.length === 1 && this.#caches(event.from)));
        this.dots.track(trace, starts, this.clock.toBrowser(trace.hops[0]?.receivedTs ?? event.ts), now);
        if (event.type === 'request.forwarded') {
          const record = { rid: event.rid, ts: event.ts, to: event.to, decision: event.decision };
          this.#recordDecision(event.node, record);
          if (event.decision.stage === 'pick') {
            this.#picks.record(event.node, record);
            this.#picksDirty = true;
          }
        }
        if (event.type === 'request.completed' && event.stages !== undefined) this.#recordLimits(event);
        if (event.type === 'request.completed' && event.cache !== undefined) this.#recordCacheExample(event.node, trace, event.cache);
        if (trace.done && !wasDone) this.#pendingLog.push(requestEntry(trace));
        if (event.rid === this.selection.selectedRid) this.#traceDirty = true;
        return;
      }
      case 'cache.refresh': {
        const wasDone = this.traces.get(event.rid)?.done ?? false;
        const trace = this.traces.refreshed(event);
        if (event.cache !== undefined) this.#recordCacheExample(event.node, trace, event.cache);
        this.dots.track(trace, false, this.clock.toBrowser(trace.hops[0]?.receivedTs ?? event.ts), now);
        if (!wasDone) this.#pendingLog.push(refreshEntry(trace));
        if (event.rid === this.selection.selectedRid) this.#traceDirty = true;
        return;
      }
      case 'cache.purged':
        this.#pendingLog.push(cachePurgedEntry(event));
        return;
      case 'request.retry':
        this.traces.apply(event);
        if (event.rid === this.selection.selectedRid) this.#traceDirty = true;
        return;
      case 'connection.opened':
        this.traces.connectionOpened(event);
        this.#pendingLog.push(connectionEntry(event));
        // An l4 balancer's picks are per connection: the algorithm views show these instead of requests.
        if (event.to !== undefined) {
          this.#picks.record(event.node, { rid: event.connection, ts: event.ts, to: event.to, decision: event.decision });
          this.#picksDirty = true;
        }
        return;
      case 'connection.closed':
        this.#pendingLog.push(connectionEntry(event));
        return;
      case 'tls.connection': {
        const list = this.#tlsConnections.get(event.node) ?? [];
        list.unshift(event);
        if (list.length > TLS_CONNECTIONS_KEPT) list.length = TLS_CONNECTIONS_KEPT;
        this.#tlsConnections.set(event.node, list);
        this.#tlsDirty = true;
        this.#pendingLog.push(tlsConnectionEntry(event));
        return;
      }
      case 'tls.certificate': {
        // A restart may serve another certificate (files read again): the topology shows the one in force.
        const topology = this.topology;
        if (topology !== null && topology.nodes.some((n) => n.id === event.node)) {
          this.topology = { ...topology, nodes: topology.nodes.map((n) => (n.id === event.node ? { ...n, tls: event.tls } : n)) };
        }
        this.#pendingLog.push(tlsCertificateEntry(event));
        return;
      }
      case 'target.health':
        this.#pendingLog.push(healthEntry(event));
        return;
      case 'circuit.state':
        this.#pendingLog.push(circuitEntry(event));
        return;
      case 'metrics.tick':
        this.metrics = event.nodes;
        this.metricsTs = event.ts;
        this.history.record(event.ts, event.nodes);
        this.historyVersion++;
        for (const listener of this.#tickListeners) listener(event.nodes);
        return;
      case 'metrics.reset':
        // Every count went back to zero: the boxes, the charts and a lesson's baseline start again from here,
        // and so do the inspectors' counts (route hits, cache words, picks...), read again from the engine.
        this.metrics = event.nodes;
        this.metricsTs = event.ts;
        this.history.countsReset(event.ts, event.nodes);
        this.historyVersion++;
        this.#pendingLog.push(countsResetEntry(event));
        for (const listener of this.#tickListeners) listener(event.nodes);
        this.countsResets++;
        this.#picks.clear();
        this.#picksDirty = true;
        this.reloadLiveViews();
        return;
      case 'node.state': {
        const previous = this.nodeStates[event.node]?.state ?? this.topology?.nodes.find((n) => n.id === event.node)?.state;
        this.nodeStates = { ...this.nodeStates, [event.node]: { state: event.state, port: event.port, reason: event.reason } };
        this.#pendingLog.push(nodeStateEntry(event, previous));
        return;
      }
      case 'traffic.state': {
        const before = this.traffic;
        const { type: _type, seq: _seq, ts: _ts, ...traffic } = event;
        this.traffic = traffic;
        this.trafficEvents++;
        const flowsKey = (t: TrafficState | null) => JSON.stringify([t?.running, t?.flows]);
        if (flowsKey(before) !== flowsKey(traffic)) this.#pendingLog.push(trafficEntry(event));
        return;
      }
      case 'traffic.flow-stopped':
        this.#pendingLog.push(flowStoppedEntry(event));
        return;
      case 'config.applied':
        this.#pendingLog.push(configEntry(event));
        this.history.mark({ ts: event.ts, kind: 'config', label: `config applied: ${event.name}` });
        this.dots.clear();
        // Shares and sequences start again under the new config: mixing two algorithms' picks would explain neither.
        this.#picks.clear();
        this.#picksDirty = true;
        // A new config's limits start empty in the engine: so do their drawings (keeping the decisions of
        // this config that came before its event), and a new cache's examples.
        this.#configGeneration = event.generation;
        for (const history of this.limitHistory.values()) history.configApplied(event.generation);
        this.#cacheExamples.clear();
        this.#cacheExamplesDirty = true;
        for (const listener of this.#configListeners) listener();
        this.reload();
        return;
      case 'fault.started':
        this.faultEvents++;
        this.faults = [...this.faults.filter((f) => f.id !== event.fault.id), event.fault];
        this.history.mark({ ts: event.ts, kind: 'fault', label: `fault began: ${event.fault.type} on ${event.fault.target}` });
        this.#pendingLog.push(faultEntry(event));
        return;
      case 'fault.ended':
        this.faultEvents++;
        this.faults = this.faults.filter((f) => f.id !== event.fault.id);
        this.history.mark({ ts: event.ts, kind: 'fault', label: `fault ended: ${event.fault.type} on ${event.fault.target}` });
        this.#pendingLog.push(faultEntry(event));
        return;
      case 'engine.error':
        this.#pendingLog.push(engineErrorEntry(event));
        return;
    }
  }

  /**
   * A fetched snapshot, unless a `metrics.tick` newer than it has already arrived: the stream is faster
   * than a fetch, and an older snapshot landing last would move every count back for half a second
   * (and a lesson step begun then would take that stale count as its baseline).
   */
  applyMetrics(snapshot: MetricsSnapshot): void {
    if (snapshot.ts < this.metricsTs) return;
    this.metrics = snapshot.nodes ?? {};
    this.metricsTs = snapshot.ts;
    // The lesson checks what the boxes show: a step begun now must take these counts as its baseline,
    // not the last tick's (the last request of a stopped flow may have finished after that tick).
    for (const listener of this.#tickListeners) listener(this.metrics);
  }

  #recordLimits(event: EventOf<'request.completed'>): void {
    const stages = event.stages ?? [];
    for (let i = 0; i < stages.length; i++) {
      const step = stages[i];
      if (step.limits === undefined) continue;
      let history = this.limitHistory.get(event.node);
      if (history === undefined) {
        this.limitHistory.set(event.node, (history = new LimitHistory()));
        history.configApplied(this.#configGeneration);
      }
      history.record(decidedAt(event.ts, event.durationMs, stages, i), step.limits, Math.round(event.ts));
    }
  }

  #recordCacheExample(node: string, trace: Trace, cache: { xCache: XCacheWord; reason: string }): void {
    const examples = this.#cacheExamples.get(node) ?? {};
    examples[cache.xCache] = { rid: trace.rid, method: trace.method, path: trace.path, reason: cache.reason };
    this.#cacheExamples.set(node, examples);
    this.#cacheExamplesDirty = true;
  }

  #recordDecision(node: string, record: DecisionRecord): void {
    const list = this.#decisions.get(node) ?? [];
    list.unshift(record);
    if (list.length > DECISIONS_KEPT) list.length = DECISIONS_KEPT;
    this.#decisions.set(node, list);
    this.#decisionsDirty = true;
  }

  #scheduleFlush(): void {
    this.#flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
    if (this.#pendingLog.length > 0 || this.#pendingDropped > 0) this.#logTimer ??= setTimeout(() => this.flushLog(), LOG_FLUSH_MS);
  }

  /** Publishes decisions and the selected trace (tests call it to skip the wait). */
  flush(): void {
    this.#flushTimer = undefined;
    if (this.#decisionsDirty) {
      this.#decisionsDirty = false;
      this.decisions = Object.fromEntries([...this.#decisions].map(([node, list]) => [node, [...list]]));
    }
    if (this.#picksDirty) {
      this.#picksDirty = false;
      this.picks = this.#picks.snapshot();
    }
    if (this.#cacheExamplesDirty) {
      this.#cacheExamplesDirty = false;
      this.cacheExamples = Object.fromEntries([...this.#cacheExamples].map(([node, examples]) => [node, { ...examples }]));
    }
    if (this.#tlsDirty) {
      this.#tlsDirty = false;
      this.tlsConnections = Object.fromEntries([...this.#tlsConnections].map(([node, list]) => [node, [...list]]));
    }
    if (this.#traceDirty) {
      this.#traceDirty = false;
      this.selection.traceChanged(this.traces);
    }
  }

  flushLog(): void {
    this.#logTimer = undefined;
    if (this.#pendingDropped > 0) {
      this.#pendingLog.push(droppedEntry(this.#pendingDropped, wallNow()));
      this.#pendingDropped = 0;
    }
    this.#logBuffer.push(this.#pendingLog);
    this.#pendingLog = [];
    this.log = this.#logBuffer.lines;
  }

  stateOf(id: string): LiveNodeState {
    const live = this.nodeStates[id];
    if (live !== undefined) return live;
    const node = this.nodes.find((n) => n.id === id);
    return { state: node?.state ?? 'starting', port: node?.port ?? null, reason: node?.reason };
  }

  /** Whether node `id` is a proxy that caches, as the topology last said. */
  #caches(id: string): boolean {
    return this.topology?.nodes.find((n) => n.id === id)?.cache !== undefined;
  }
}
