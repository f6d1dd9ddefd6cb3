/**
 * Active health checks: every `interval`, one `GET path` to each target, to be answered within
 * `timeout`. A 2xx or 3xx passes (HAProxy's `option httpchk` rule); anything else fails and says why:
 * the status (a 404 means the target does not serve that path), a refused connection, no answer in
 * time. Probes use their own connections, never the traffic pools, but they travel the same edge:
 * their connections are registered as the balancer's (engine-connections.ts), so faults on the edge
 * apply to them, and a partitioned edge fails their connections as it fails the traffic's. The sandbox services answer
 * `GET /health` outside their request counts; a proxy, gateway or balancer target forwards the probe
 * like any other request.
 */
import { Agent, request } from 'undici';
import { partitionableConnector, type PartitionMode } from '../../faults/partition.ts';
import { registeringConnector } from '../../pipeline/engine-connections.ts';

export interface ProbeRoute {
  /** The balancer's node id: the probes' connections are its own, as its traffic's are. */
  sender?: string;
  /** The partition on the edge to an origin, if any. */
  partitionOf?(origin: string): PartitionMode | undefined;
}

export interface HealthCheckConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
}

export interface CheckResult {
  passed: boolean;
  /** What happened, for the event: `GET /health answered 404 (...)`, `connection refused`. */
  reason: string;
  status?: number;
  durationMs: number;
}

export class HealthChecker {
  #timer: NodeJS.Timeout | undefined;
  #agent: Agent | undefined;
  /** Targets whose probe is still out: a slow target gets no second probe on top. */
  readonly #probing = new Set<string>();
  /** Bumped on every stop, so the answer to a probe sent before it is dropped. */
  #generation = 0;

  constructor(
    readonly config: HealthCheckConfig,
    private readonly targets: () => readonly string[],
    private readonly resolve: (target: string) => string | undefined,
    private readonly onResult: (target: string, result: CheckResult) => void,
    private readonly route: ProbeRoute = {},
  ) {}

  /** Check every target now, then every interval. */
  start(): void {
    if (this.#timer) return;
    this.#agent = this.#newAgent();
    this.#timer = setInterval(() => this.#round(), this.config.intervalMs).unref();
    this.#round();
  }

  /** A partition started or healed: open probe connections go, new ones follow the edge's state. */
  resetConnections(): void {
    if (!this.#agent) return;
    void this.#agent.destroy().catch(() => {});
    this.#agent = this.#newAgent();
  }

  #newAgent(): Agent {
    const { partitionOf, sender } = this.route;
    const connect = partitionableConnector(this.config.timeoutMs, (options) => partitionOf?.(`${options.protocol}//${options.hostname}:${options.port}`));
    return new Agent({
      connect: sender === undefined ? connect : registeringConnector(connect, sender),
      keepAliveTimeout: Math.max(1_000, this.config.intervalMs * 2),
      pipelining: 1,
    });
  }

  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#generation++;
    this.#probing.clear();
    void this.#agent?.destroy().catch(() => {});
    this.#agent = undefined;
  }

  #round(): void {
    const generation = this.#generation;
    for (const target of this.targets()) {
      if (this.#probing.has(target)) continue;
      this.#probing.add(target);
      void this.#probe(target).then((result) => {
        if (generation !== this.#generation) return;
        this.#probing.delete(target);
        this.onResult(target, result);
      });
    }
  }

  async #probe(target: string): Promise<CheckResult> {
    const { path, timeoutMs } = this.config;
    const startedAt = performance.now();
    const took = () => Math.round((performance.now() - startedAt) * 10) / 10;
    const origin = this.resolve(target);
    if (origin === undefined) return { passed: false, reason: 'it has no address (the node is not listening)', durationMs: 0 };
    try {
      const res = await request(new URL(path, origin), {
        dispatcher: this.#agent,
        method: 'GET',
        headers: { 'user-agent': 'edgelab-health-check' },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      const status = res.statusCode;
      const passed = status >= 200 && status < 400;
      const note = status === 404 ? ' (the target does not serve this path)' : passed ? '' : ' (only 2xx and 3xx pass)';
      return { passed, reason: `GET ${path} answered ${status}${note}`, status, durationMs: took() };
    } catch (error) {
      return { passed: false, reason: probeFailure(error, timeoutMs), durationMs: took() };
    }
  }
}

function probeFailure(error: unknown, timeoutMs: number): string {
  const { code, name, message } = error as { code?: unknown; name?: string; message?: string };
  // An AbortSignal timeout is a DOMException, whose `code` is a number: its name says what it is.
  switch (typeof code === 'string' ? code : name) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'TimeoutError':
    case 'AbortError':
      return `no answer within ${timeoutMs} ms`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was reset';
    default:
      return typeof code === 'string' ? code : (message ?? String(error));
  }
}
