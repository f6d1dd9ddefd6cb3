/**
 * The traffic generator: runs the configured flows (flow-runner.ts), each over its own virtual clients
 * that send from distinct loopback addresses, and keeps the totals across flows. Open-loop flows send
 * on schedule and measure latency from the intended send time (no coordinated omission); closed-loop
 * flows run virtual users. What the generator could not do (skipped sends, late sends) is counted and
 * reported, never hidden. While anything runs it calls `onStateChange` about once a second, so the lab
 * can show the live rates.
 */
import type { GatewayConfig, TrafficConfig } from '../config/schema.ts';
import { LIMITS, limitMessage } from '../config/limits.ts';
import { InputError } from '../errors.ts';
import type { LatencySummary } from '../events.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { FlowRunner } from './flow-runner.ts';
import { Counters, perSecond, rateSince, type CountsView, type FlowStats } from './stats.ts';

export type { FlowStats, PhaseStats } from './stats.ts';

export interface TrafficStats extends CountsView {
  elapsedMs: number;
  /** completed / elapsed over every flow, per second (elapsed stops counting when the traffic stops). */
  achievedRate: number;
  /** Requests completed per second over the last state interval (about a second). */
  ratePerSecond: number;
  /** The sum of the running open-loop flows' current target rates (closed-loop flows have none). */
  targetRate: number;
  /** Open loop: how late sends left after their intended time, in ms. */
  lag: LatencySummary;
  flows: FlowStats[];
}

export interface GeneratorOptions {
  /** The origin of a node id or URL, or undefined when the node is not listening. */
  resolve(to: string): string | undefined;
  /** The certificate a node serves when it listens with TLS (a TLS proxy): its flows speak https to it, trusting it alone. */
  trust?(to: string): { cert: string } | undefined;
  rng(): number;
  /** Monotonic milliseconds (default performance.now). */
  now?(): number;
  /** Called on start, stop, rate changes, phase changes, and about once a second while running. */
  onStateChange?(): void;
  /** How often the live rates are sampled and `onStateChange` called while running, in ms (default 1000). */
  stateIntervalMs?: number;
  /** The running config's gateways, for flows whose `auth` sends as their consumers (without it such a flow cannot start). */
  gateways?(): readonly GatewayConfig[];
  /** Told as each request of any flow settles, for the flow's first entry (FlowRunnerOptions.settled). */
  settled?(entry: string, status: number | undefined, failedOver: boolean, elapsedMs: number): void;
}

export interface TrafficChange {
  /** The flow's name; may be left out when one flow runs. */
  flow?: string;
  rate?: number;
  users?: number;
}

export class TrafficGenerator {
  #runners: FlowRunner[] = [];
  /** Flows replaced by a later start, whose last requests may still be in flight: torn down by `close`. */
  readonly #retired = new Set<FlowRunner>();
  #ticker: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #stoppedAt: number | null = null;
  readonly #totals = new Counters();
  readonly #lag = new LatencyHistogram(60_000);
  #rateSample = { at: 0, completed: 0 };
  #ratePerSecond = 0;
  readonly #options: GeneratorOptions;
  readonly #now: () => number;

  constructor(options: GeneratorOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  get running(): boolean {
    return this.#runners.some((r) => r.running);
  }

  /** Every flow started last ran all its phases to the end (false when none was started, or one was stopped). */
  get finished(): boolean {
    return this.#runners.length > 0 && this.#runners.every((r) => r.finished);
  }

  /** The configs of the flows started last (running, stopped or finished). */
  get flows(): TrafficConfig[] {
    return this.#runners.map((r) => r.config);
  }

  get runners(): readonly FlowRunner[] {
    return this.#runners;
  }

  /**
   * Start (or replace) the flows. The totals keep accumulating until `resetStats`; each flow's own stats
   * start at zero. Throws InputError, changing nothing, when a flow's `auth` names what the gateways lack.
   */
  async start(flows: TrafficConfig[]): Promise<void> {
    const runners = flows.map((config, i) => this.#runner(config, config.name ?? `flow-${i + 1}`, i));
    // Requests of the flows replaced finish in the background and still count in the totals. A retired
    // flow with nothing in flight holds nothing worth tearing down: forget it, so restarts do not pile up.
    for (const runner of this.#retired) if (runner.counters.outstanding === 0) this.#retired.delete(runner);
    for (const runner of this.#runners) {
      runner.retire();
      this.#retired.add(runner);
    }
    const now = this.#now();
    this.#runners = runners;
    if (this.#startedAt === 0 || this.#stoppedAt !== null) {
      this.#startedAt = this.#stoppedAt !== null ? now - (this.#stoppedAt - this.#startedAt) : now;
      this.#stoppedAt = null;
    }
    this.#rateSample = { at: now, completed: this.#totals.completed };
    for (const runner of this.#runners) runner.start();
    this.#syncTicker();
    this.#options.onStateChange?.();
  }

  /**
   * Add a flow while the others run on, untouched (a learner's abusive client): it is the next flow, so
   * its clients have addresses of their own. Throws InputError: 409 when no traffic runs or the name is
   * taken, 400 past the limit of flows.
   */
  add(config: TrafficConfig): FlowRunner {
    if (!this.running) throw new InputError('action', 'no traffic is running; start it first', 409);
    // After the next flow's place: a flow taken away (dropWhere) may have left a gap, and two flows must not share addresses.
    const index = Math.max(-1, ...this.#runners.map((r) => r.index)) + 1;
    const name = config.name ?? `flow-${index + 1}`;
    if (this.#runners.some((r) => r.name === name)) throw new InputError('name', `a flow "${name}" already runs: give the new one another name`, 409);
    if (index >= LIMITS.trafficFlows.max) throw new InputError('action', limitMessage(LIMITS.trafficFlows));
    const runner = this.#runner(config, name, index);
    this.#runners = [...this.#runners, runner];
    runner.start();
    this.#syncTicker();
    this.#options.onStateChange?.();
    return runner;
  }

  /** Flow number `index` (its clients' addresses follow from it), counting into the generator's totals. */
  #runner(config: TrafficConfig, name: string, index: number): FlowRunner {
    return new FlowRunner({
      config,
      name,
      index,
      resolve: this.#options.resolve,
      trust: this.#options.trust,
      rng: this.#options.rng,
      now: this.#now,
      totals: this.#totals,
      totalLag: this.#lag,
      onPhase: () => this.#onPhase(),
      gateways: () => this.#options.gateways?.() ?? [],
      settled: this.#options.settled,
    });
  }

  /**
   * Take away the flows `drops` picks while the others run on, as a start replaces flows: they stop
   * sending and leave the list, their requests in flight finishing and counting in the totals. The
   * flows taken away (none: nothing changes, nothing is said).
   */
  dropWhere(drops: (runner: FlowRunner) => boolean): FlowRunner[] {
    const dropped = this.#runners.filter(drops);
    if (dropped.length === 0) return [];
    for (const runner of dropped) {
      runner.retire();
      this.#retired.add(runner);
    }
    this.#runners = this.#runners.filter((r) => !dropped.includes(r));
    if (!this.running) this.#markStopped();
    this.#syncTicker();
    this.#options.onStateChange?.();
    return dropped;
  }

  async stop(): Promise<void> {
    for (const runner of this.#runners) runner.stop();
    this.#markStopped();
    this.#syncTicker();
    this.#options.onStateChange?.();
  }

  async close(): Promise<void> {
    for (const runner of this.#runners) runner.stop();
    this.#markStopped();
    this.#syncTicker();
    const all = [...this.#retired, ...this.#runners];
    this.#retired.clear();
    await Promise.all(all.map((r) => r.close()));
  }

  /**
   * Change a running flow without restarting it: `rate` for an open-loop phase, `users` for a closed
   * one. Throws InputError: 409 when nothing (or not that kind of phase) runs, 400 for an unknown flow.
   */
  set(change: TrafficChange): FlowRunner {
    const running = this.#runners.filter((r) => r.running);
    if (running.length === 0) throw new InputError('action', 'no traffic is running; start it first', 409);
    let runner: FlowRunner | undefined;
    if (change.flow !== undefined) {
      runner = running.find((r) => r.name === change.flow);
      if (!runner) throw new InputError('flow', `no running flow "${change.flow}" (running: ${running.map((r) => r.name).join(', ')})`);
    } else if (running.length === 1) {
      runner = running[0];
    } else {
      throw new InputError('flow', `several flows are running (${running.map((r) => r.name).join(', ')}): name one`);
    }
    const loop = runner.phase.loop;
    if (change.rate !== undefined && loop !== 'open')
      throw new InputError('rate', `flow "${runner.name}" is in a closed-loop phase: set users instead`, 409);
    if (change.users !== undefined && loop !== 'closed')
      throw new InputError('users', `flow "${runner.name}" is in an open-loop phase: set rate instead`, 409);
    if (change.rate !== undefined) runner.setRate(change.rate);
    if (change.users !== undefined) runner.setUsers(change.users);
    this.#options.onStateChange?.();
    return runner;
  }

  /** Zero the totals (each flow keeps its own stats); requests in flight still count when they settle. */
  resetStats(): void {
    this.#totals.reset();
    this.#lag.reset();
    const now = this.#now();
    this.#startedAt = this.running ? now : 0;
    this.#stoppedAt = null;
    this.#rateSample = { at: now, completed: 0 };
  }

  stats(): TrafficStats {
    const now = this.#now();
    const elapsedMs = this.#startedAt === 0 ? 0 : (this.#stoppedAt ?? now) - this.#startedAt;
    const flows = this.#runners.map((r) => r.stats());
    return {
      ...this.#totals.counts(),
      elapsedMs: Math.round(elapsedMs),
      achievedRate: rateSince(this.#totals.completed, elapsedMs, this.#stoppedAt === null),
      ratePerSecond: this.running ? this.#ratePerSecond : 0,
      targetRate: Math.round(flows.reduce((sum, f) => sum + (f.targetRate ?? 0), 0) * 10) / 10,
      lag: this.#lag.summary(),
      flows,
    };
  }

  #markStopped(): void {
    if (this.#startedAt !== 0 && this.#stoppedAt === null) this.#stoppedAt = this.#now();
  }

  #onPhase(): void {
    if (!this.running && this.#runners.every((r) => !r.running)) {
      this.#markStopped();
      this.#syncTicker();
    }
    this.#options.onStateChange?.();
  }

  /** The once-a-second sample runs exactly while some flow runs. */
  #syncTicker(): void {
    if (this.running && !this.#ticker) {
      this.#ticker = setInterval(() => this.#sample(), this.#options.stateIntervalMs ?? 1_000);
      this.#ticker.unref();
    } else if (!this.running && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  #sample(): void {
    const now = this.#now();
    const ms = now - this.#rateSample.at;
    if (ms > 0) this.#ratePerSecond = perSecond(this.#totals.completed - this.#rateSample.completed, ms);
    this.#rateSample = { at: now, completed: this.#totals.completed };
    for (const runner of this.#runners) runner.sample(now);
    this.#options.onStateChange?.();
  }
}
