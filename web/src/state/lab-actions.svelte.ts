/**
 * Everything the page asks of the engine's control API: the reads the stream does not carry (topology,
 * metrics, faults, the algorithms' live state) and the learner's actions (traffic, faults, algorithms,
 * caches, TLS, whole configs, export). Each action reports failure as a notice or an outcome for its
 * form, and leaves the page as the engine says it is: what it reads goes into the stream's state
 * (`StreamIngest`), and the events the change causes arrive there on their own.
 */
import { api, ApiError } from '../lib/api.ts';
import type { ApiFieldError, Topology } from '../lib/api-types.ts';
import { withAlgorithm, type AlgorithmChoice } from '../lib/balancer/switch-algorithm.ts';
import { cacheSettings, withCache } from '../lib/cache/toggle-cache.ts';
import { withCapacity, type CapacitySetting } from '../lib/capacity/node-capacity.ts';
import { withLimiter, type LimiterChoice, type LimitPlace } from '../lib/gateway/switch-limiter.ts';
import { tlsSetting, withTls, type TlsSetting } from '../lib/proxy/toggle-tls.ts';
import { withFlowConnection, withFlowFailover, type FlowConnection } from '../lib/traffic/flow-connection.ts';
import { rateChangeBody } from '../lib/traffic/rate-controls.ts';
import { wallNow, type StreamIngest } from './stream-ingest.svelte.ts';

/** What became of a purge: how many stored responses went, or the engine's refusal. */
export type PurgeOutcome = { ok: true; purged: number } | { ok: false; message: string };

/** What became of a config change: applied (perhaps with nodes that could not start), or refused with the engine's errors. */
/**
 * What became of a config sent: applied (`tag`, the running config's entity-tag now), or refused with the
 * engine's errors; `changed` when it was sent over a tag and another config had been applied since (412).
 */
export type ApplyOutcome =
  | { ok: true; failures: string[]; tag?: string }
  | { ok: false; message: string; errors: ApiFieldError[]; changed?: true };

/** What became of an action a form sent (a fault, a traffic change): done, or refused with the engine's errors for the form to show. */
export type ActionOutcome = { ok: true } | { ok: false; message: string; errors: ApiFieldError[] };

/** How many times one refresh reads the faults while the stream keeps telling of new ones. */
const FAULT_READS = 4;

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export class LabActions {
  notice = $state<Notice | null>(null);
  /**
   * The warnings of the last config this page applied (a route that can never match), by path, until
   * the learner dismisses them or applies the next one. Not errors: the config runs.
   */
  configWarnings = $state.raw<ApiFieldError[]>([]);
  #faultsRefresh: Promise<void> | undefined;
  /** A read of the faults was asked, or the stream told of one, while `#faultsRefresh` was in flight. */
  #faultsAgain = false;
  #algorithmWatchers = 0;
  #algorithmTimer: ReturnType<typeof setInterval> | undefined;
  /** The cache settings of each proxy whose cache the page turned off, to restore when it is turned on again. */
  readonly #cacheSettings = new Map<string, Record<string, unknown>>();
  /** The TLS settings of each proxy whose TLS the page turned off, likewise. */
  readonly #tlsSettings = new Map<string, TlsSetting>();

  /** `stream`: where what the engine answers goes. */
  constructor(readonly stream: StreamIngest) {}

  stop(): void {
    clearInterval(this.#algorithmTimer);
  }

  /** Refetches everything the stream does not replay: topology, metrics and faults. */
  async refresh(): Promise<void> {
    try {
      const askedAt = wallNow();
      const trafficEvents = this.stream.trafficEvents;
      const resets = this.stream.countsResets;
      const [topology, metrics] = await Promise.all([api.topology(), api.metrics()]);
      this.stream.topology = topology;
      if (this.stream.countsResets === resets) this.stream.applyLiveViews(topology, askedAt);
      this.stream.nodeStates = {};
      // A traffic change the stream told of while these were fetched is newer than what they say (a
      // restore starts the traffic right after its config, whose refresh would otherwise say "paused").
      if (this.stream.trafficEvents === trafficEvents) this.stream.traffic = metrics.traffic ?? topology.traffic ?? null;
      this.stream.applyMetrics(metrics);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 0)) this.#fail(error);
    }
    await this.refreshFaults();
  }

  /**
   * Polls the topology for what the event stream does not carry (the balancers' algorithm state, the
   * services' capacity and queues) while someone shows it. Returns the function that stops watching.
   */
  watchLiveState(intervalMs = 1000): () => void {
    if (this.#algorithmWatchers++ === 0) {
      void this.refreshLiveViews();
      this.#algorithmTimer = setInterval(() => this.refreshLiveViews(), intervalMs);
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--this.#algorithmWatchers === 0) clearInterval(this.#algorithmTimer);
    };
  }

  /**
   * Reads the inspectors' live views (algorithm state, capacity, route hits, cache and compression counts)
   * again. One asked before a counts reset that answers after it is dropped: its counts are the old ones.
   */
  refreshLiveViews(): Promise<void> {
    const askedAt = wallNow();
    const resets = this.stream.countsResets;
    return api.topology().then(
      (topology) => {
        if (this.stream.countsResets === resets) this.stream.applyLiveViews(topology, askedAt);
      },
      () => {},
    );
  }

  /**
   * Reads the active faults again. Asked while a read is in flight, that read reads once more when it
   * answers: its answer may be from before what the caller knows of (the stream's first open). An answer
   * during which the stream told of a fault may be older than the list the events made, so it is not
   * taken, and the faults are read again (at most `FAULT_READS` times; the events keep the list meanwhile).
   */
  refreshFaults(): Promise<void> {
    if (this.#faultsRefresh !== undefined) {
      this.#faultsAgain = true;
      return this.#faultsRefresh;
    }
    this.#faultsRefresh = this.#readFaults().finally(() => {
      this.#faultsRefresh = undefined;
    });
    return this.#faultsRefresh;
  }

  async #readFaults(): Promise<void> {
    for (let read = 0; read < FAULT_READS; read++) {
      this.#faultsAgain = false;
      const events = this.stream.faultEvents;
      let faults: unknown;
      try {
        faults = await api.faults();
      } catch {
        return;
      }
      if (this.stream.faultEvents === events) this.stream.faults = Array.isArray(faults) ? faults : [];
      else this.#faultsAgain = true;
      if (!this.#faultsAgain) return;
    }
  }

  // Actions: each reports failure as a notice and leaves the page as the engine says it is.

  async toggleTraffic(): Promise<void> {
    const running = this.stream.traffic?.running ?? false;
    await this.#act(running ? 'pause traffic' : 'resume traffic', () => (running ? api.stopTraffic() : api.resumeTraffic()));
  }

  /**
   * Flow `flow`'s rate (the first flow's by default): changed live while it runs open loop (same flow,
   * counts go on), otherwise traffic (re)starts with the first flow at a constant `rate` (rate-controls.ts).
   */
  async setRate(rate: number, flow = this.stream.traffic?.flows[0]?.name ?? ''): Promise<void> {
    if (!Number.isFinite(rate) || rate <= 0) {
      this.notice = { kind: 'error', text: 'The rate must be a number of requests per second above 0.' };
      return;
    }
    const body = rateChangeBody(this.stream.traffic, flow, rate) ?? { action: 'start', rate };
    await this.#act(`set the rate to ${rate} req/s`, () => api.traffic(body));
  }

  /**
   * Sends one traffic action from the traffic panel; a refusal comes back with the engine's errors.
   * The page's traffic state follows the `traffic.state` event the engine sends, not the answer.
   */
  async trafficAction(body: Record<string, unknown>): Promise<ActionOutcome> {
    return this.#attempt(() => api.traffic(body));
  }

  /** Injects one fault (`{ target, type, ...parameters }`); a refusal comes back with the engine's errors, by field. */
  async injectFault(body: Record<string, unknown>): Promise<ActionOutcome> {
    return this.#attempt(async () => {
      const fault = await api.injectFault(body);
      // The answer is the engine's report too; `fault.started` will say the same.
      if (typeof fault?.id === 'string') this.stream.faults = [...this.stream.faults.filter((f) => f.id !== fault.id), fault];
    });
  }

  async clearFault(id: string): Promise<ActionOutcome> {
    const outcome = await this.#attempt(() => api.clearFault(id));
    // A 404 means it had already ended: either way, ask the engine what is active now.
    await this.refreshFaults();
    return outcome;
  }

  async clearAllFaults(): Promise<ActionOutcome> {
    const outcome = await this.#attempt(() => api.clearAllFaults());
    await this.refreshFaults();
    return outcome;
  }

  async stopService(id: string): Promise<void> {
    await this.#act(`stop ${id}`, () => api.injectFault({ target: id, type: 'down' }));
    await this.refreshFaults();
  }

  async startService(id: string): Promise<void> {
    const faults = this.stream.faults.filter((f) => f.target === id && f.type === 'down');
    await this.#act(`start ${id}`, async () => {
      for (const fault of faults) await api.clearFault(fault.id);
    });
    await this.refreshFaults();
  }

  /**
   * Runs `choice` on balancer `nodeId`: reads the running config, changes that node and sends it back.
   * The engine validates the whole config; a refusal comes back with its errors and the running config
   * stays as it was.
   */
  async setAlgorithm(nodeId: string, choice: AlgorithmChoice): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => withAlgorithm(await api.config(), nodeId, choice));
  }

  /** Switch the rate limit at `place` on gateway `nodeId` to `algorithm` (switch-limiter.ts): an edit of the running config. */
  async setLimiter(nodeId: string, place: LimitPlace, algorithm: LimiterChoice): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => withLimiter(await api.config(), nodeId, place, algorithm));
  }

  /**
   * Turns proxy `nodeId`'s cache on (with the settings it had when the page turned it off, else the
   * defaults, `cache: {}`) or off: an edit of the running config.
   */
  async setCache(nodeId: string, on: boolean): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => {
      const config = await api.config();
      if (on) return withCache(config, nodeId, this.#cacheSettings.get(nodeId) ?? {});
      const settings = cacheSettings(config, nodeId);
      if (settings !== undefined) this.#cacheSettings.set(nodeId, settings);
      return withCache(config, nodeId, undefined);
    });
  }

  /**
   * Applies a whole config (the config editor, an imported file, a shared link); refused, the running one
   * stays. With `ifMatch`, only over the config that tag names (`changed` when another ran meanwhile).
   */
  async applyConfig(config: unknown, ifMatch?: string): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => config, ifMatch);
  }

  /**
   * Turns proxy `nodeId`'s TLS on (with the settings it had when the page turned it off, else `tls: true`,
   * a self-signed certificate) or off: an edit of the running config. Off also takes `http2` from the
   * flows entering there (toggle-tls.ts); `plainFlows` names them.
   */
  async setTls(nodeId: string, on: boolean): Promise<ApplyOutcome & { plainFlows?: string[] }> {
    let plainFlows: string[] = [];
    const outcome = await this.#applyEdit(async () => {
      const config = await api.config();
      if (on) return withTls(config, nodeId, this.#tlsSettings.get(nodeId) ?? true).config;
      const setting = tlsSetting(config, nodeId);
      if (setting !== undefined) this.#tlsSettings.set(nodeId, setting);
      const edit = withTls(config, nodeId, undefined);
      plainFlows = edit.plainFlows;
      return edit.config;
    });
    return outcome.ok ? { ...outcome, plainFlows } : outcome;
  }

  /** Switches how traffic flow `flow` connects (HTTP/2, keep-alive): an edit of the running config's flow (flow-connection.ts). */
  async setFlowConnection(flow: string, change: FlowConnection): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => withFlowConnection(await api.config(), flow, change));
  }

  /** Sets the entries traffic flow `flow` fails over to, in order (none: no failover): an edit of the running config's flow. */
  async setFlowFailover(flow: string, entries: readonly string[]): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => withFlowFailover(await api.config(), flow, entries));
  }

  /** Gives node `nodeId` a capacity (requests at once, and a queue), or takes its limit away: an edit of the running config. */
  async setCapacity(nodeId: string, capacity: CapacitySetting | undefined): Promise<ApplyOutcome> {
    return this.#applyEdit(async () => withCapacity(await api.config(), nodeId, capacity));
  }

  /** Drops stored responses of proxy `nodeId` (all: prefix `/`), then reads its cache again so the panel shows what is left. */
  async purgeCache(nodeId: string, target: { prefix: string } | { url: string; host?: string }): Promise<PurgeOutcome> {
    try {
      const { purged } = await api.purgeCache(nodeId, target);
      await this.refreshLiveViews();
      return { ok: true, purged };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Whether node `id` is a proxy that caches, as the topology last said. */
  #caches(id: string): boolean {
    return this.stream.topology?.nodes.find((n) => n.id === id)?.cache !== undefined;
  }

  dismissConfigWarnings(): void {
    this.configWarnings = [];
  }

  /** Sends the config `edit` makes; the last apply's warnings go at once, and the answer's replace them. */
  async #applyEdit(edit: () => Promise<unknown>, ifMatch?: string): Promise<ApplyOutcome> {
    this.configWarnings = [];
    try {
      const { failures, warnings, tag } = await api.putConfig(await edit(), ifMatch);
      this.configWarnings = warnings;
      // A change of the layout hints alone is kept without a `config.applied` event: read the topology here.
      await this.refresh();
      return { ok: true, failures, tag };
    } catch (error) {
      return {
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        errors: error instanceof ApiError ? error.errors : [],
        ...(error instanceof ApiError && error.status === 412 ? { changed: true as const } : {}),
      };
    }
  }

  /** Fetches the running config and hands back the YAML file to save. */
  async exportConfig(): Promise<{ fileName: string; yaml: string } | undefined> {
    try {
      // YAML's printer loads with the first export, not with the page.
      const [config, { configToYaml, exportFileName }] = await Promise.all([api.config(), import('../lib/export-config.ts')]);
      return { fileName: exportFileName((config as { name?: unknown })?.name ?? this.stream.topology?.name), yaml: configToYaml(config) };
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
  }

  async #attempt(action: () => Promise<unknown>): Promise<ActionOutcome> {
    try {
      await action();
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        errors: error instanceof ApiError ? error.errors : [],
      };
    }
  }

  async #act(what: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      if (this.notice?.kind === 'error') this.notice = null;
    } catch (error) {
      this.#fail(error, what);
    }
  }

  #fail(error: unknown, what?: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.notice = { kind: 'error', text: what ? `Could not ${what}: ${message}` : message };
  }
}
