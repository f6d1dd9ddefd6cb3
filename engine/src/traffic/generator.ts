/**
 * The traffic generator: open loop at a target rate, spread over N virtual clients, each sending from
 * its own loopback address so the first node sees real, distinct client IPs. Open loop means a send
 * never waits for an earlier answer; latency is measured from the intended send time, so a stalled
 * chain shows up as latency instead of silently lowering the rate (no coordinated omission).
 */
import { Pool } from 'undici';
import type { TrafficConfig } from '../config/schema.ts';
import { ERROR_HEADER } from '../errors.ts';
import type { LatencySummary } from '../events.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { upstreamErrorCode } from '../proxy/failures.ts';
import { clientAddress, compilePath, type PathTemplate } from './paths.ts';

/** Beyond this many unanswered requests the generator stops sending and counts what it skipped. */
const MAX_OUTSTANDING = 5_000;

export interface TrafficStats {
  sent: number;
  completed: number;
  /** Sends the generator skipped because too many requests were outstanding: it says so, not hides it. */
  skipped: number;
  outstanding: number;
  statusClasses: Record<string, number>;
  /** Failures by code: edge codes from `x-edgelab-error`, and connection failures at the client. */
  errorCodes: Record<string, number>;
  latency: LatencySummary;
  elapsedMs: number;
  achievedRate: number;
  targetRate: number;
}

interface Flow {
  config: TrafficConfig;
  name: string;
  clients: Pool[];
  paths: PathTemplate[];
  next: number;
  intervalMs: number;
  nextAt: number;
}

export interface GeneratorOptions {
  /** The origin of a node id or URL, or undefined when the node is not listening. */
  resolve(to: string): string | undefined;
  rng(): number;
  onStateChange?(): void;
}

export class TrafficGenerator {
  #flows: Flow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #stats = emptyStats();
  #histogram = new LatencyHistogram(3_600_000);
  readonly #options: GeneratorOptions;

  constructor(options: GeneratorOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  get flows(): TrafficConfig[] {
    return this.#flows.map((f) => f.config);
  }

  /** Start (or replace) the flows. Counters keep accumulating until `resetStats`. */
  async start(flows: TrafficConfig[]): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#closeFlows();
    const now = performance.now();
    this.#flows = flows.map((config, i) => ({
      config,
      name: config.name ?? `flow-${i + 1}`,
      clients: [],
      paths: config.paths.map(compilePath),
      next: 0,
      intervalMs: 1000 / config.rate,
      nextAt: now,
    }));
    if (this.#flows.length === 0) {
      this.#options.onStateChange?.();
      return;
    }
    if (this.#startedAt === 0) this.#startedAt = now;
    this.#schedule();
    this.#options.onStateChange?.();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#options.onStateChange?.();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.#closeFlows();
  }

  resetStats(): void {
    this.#stats = emptyStats();
    this.#histogram.reset();
    this.#startedAt = this.running ? performance.now() : 0;
  }

  stats(): TrafficStats {
    const elapsedMs = this.#startedAt === 0 ? 0 : performance.now() - this.#startedAt;
    return {
      ...this.#stats,
      statusClasses: { ...this.#stats.statusClasses },
      errorCodes: { ...this.#stats.errorCodes },
      latency: this.#histogram.summary(),
      elapsedMs,
      achievedRate: elapsedMs > 0 ? Math.round((this.#stats.completed / elapsedMs) * 10_000) / 10 : 0,
      targetRate: this.running ? this.#flows.reduce((sum, f) => sum + f.config.rate, 0) : 0,
    };
  }

  #schedule(): void {
    const due = Math.min(...this.#flows.map((f) => f.nextAt));
    const delay = Math.max(0, due - performance.now());
    this.#timer = setTimeout(() => this.#tick(), delay);
  }

  #tick(): void {
    const now = performance.now();
    for (const flow of this.#flows) {
      // Every intended send time that has passed is sent now, with its own intended time.
      while (flow.nextAt <= now) {
        this.#send(flow, flow.nextAt);
        flow.nextAt += flow.intervalMs;
      }
    }
    if (this.#timer) this.#schedule();
  }

  #send(flow: Flow, intendedAt: number): void {
    const stats = this.#stats;
    if (stats.outstanding >= MAX_OUTSTANDING) {
      stats.skipped++;
      return;
    }
    const { rng, resolve } = this.#options;
    const index = flow.next++ % flow.config.clients;
    const origin = resolve(flow.config.to);
    stats.sent++;
    stats.outstanding++;
    const settle = (status: number | undefined, code: string | undefined) => {
      stats.outstanding--;
      stats.completed++;
      if (status !== undefined) {
        const cls = `${Math.floor(status / 100)}xx`;
        stats.statusClasses[cls] = (stats.statusClasses[cls] ?? 0) + 1;
      }
      if (code) stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
      this.#histogram.record(performance.now() - intendedAt);
    };
    if (origin === undefined) {
      settle(undefined, 'EDGE_UPSTREAM_REFUSED');
      return;
    }
    const client = (flow.clients[index] ??= new Pool(origin, {
      connections: 32,
      keepAliveTimeout: 4_000,
      localAddress: clientAddress(index),
      connect: { timeout: 2_000 },
    }));
    const path = flow.paths[Math.floor(rng() * flow.paths.length)](rng);
    client.request({ path, method: flow.config.method as 'GET', headers: flow.config.headers, headersTimeout: 60_000, bodyTimeout: 60_000 }).then(
      async (res) => {
        await res.body.dump();
        const code = res.headers[ERROR_HEADER];
        settle(res.statusCode, typeof code === 'string' ? code : undefined);
      },
      (error: unknown) => settle(undefined, clientFailure(error)),
    );
  }

  async #closeFlows(): Promise<void> {
    const pools = this.#flows.flatMap((f) => f.clients.filter(Boolean));
    this.#flows = [];
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
  }
}

function clientFailure(error: unknown): string {
  const code = upstreamErrorCode(error);
  return code === 'EDGE_UPSTREAM_REFUSED' ? 'CLIENT_CONNECTION_REFUSED' : code === 'EDGE_UPSTREAM_RESET' ? 'CLIENT_CONNECTION_RESET' : `CLIENT_${code}`;
}

function emptyStats() {
  return { sent: 0, completed: 0, skipped: 0, outstanding: 0, statusClasses: {} as Record<string, number>, errorCodes: {} as Record<string, number> };
}
