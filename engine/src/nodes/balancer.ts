/**
 * The load balancer: picks a target for each request with the configured algorithm and forwards to it.
 * It keeps the per-target state every picker may read (weight, in-flight count, eligibility, address),
 * reads the request's hash key, and tells the picker how each request ended. Around the picker sits
 * what production balancers add, none of it in a picker: which targets may take a request (draining,
 * backups, active health checks, outlier ejection, circuit breakers, slow start) and retries of a
 * failed try at another target. Each decision names who was left out and why. With none of it
 * configured every listening target is eligible and nothing is retried: a dead target's requests fail.
 *
 * In `mode: l4` the same targets, picker and health sit behind a TCP listener instead (HAProxy's
 * `mode tcp`): one pick per connection, then bytes relayed both ways (l4-relay.ts). It never sees a
 * request, so every request on a connection goes where the connection went; in-flight counts are
 * open connections, which is what least-connections balances at layer 4.
 */
import { hashKeyReader, type HashKeyReader } from '../balancer/hash-key.ts';
import { leftOut } from '../balancer/health/eligibility.ts';
import { HealthTracker, type HealthSettings, type TargetHealthView } from '../balancer/health/health-tracker.ts';
import { factoryOptions, KEYED_PICKERS, PICKERS } from '../balancer/pickers/index.ts';
import type { Candidate, PickContext, Picker } from '../balancer/picker.ts';
import { describeFailure, failureKind } from '../balancer/resilience/failure-kind.ts';
import { decideRetry, retryBudgetLimit, type RetryPolicy } from '../balancer/resilience/retry-policy.ts';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { BalancerConfig } from '../config/schema.ts';
import type { Decision } from '../events.ts';
import type { PartitionMode } from '../faults/partition.ts';
import { DEFAULT_TIMEOUTS } from '../proxy/forwarder.ts';
import { hasRequestBody } from '../proxy/headers.ts';
import { clientAddressReader, peerTrust } from '../proxy/real-ip.ts';
import { ForwardingNode } from './forwarding-node.ts';
import type { L4Link } from './l4-links.ts';
import { relay } from './l4-relay.ts';
import type { Exchange, NodeContext } from './node-server.ts';
import type { ForwardVerdict, Stage, Verdict } from './verdict.ts';

interface TargetState extends Candidate {
  weight: number;
  inFlight: number;
  eligible: boolean;
  address: string;
  /** False when the target node could not start listening: it has no address to send to. */
  listening: boolean;
  /** Used only when no primary target is eligible. */
  backup: boolean;
  /** Takes no new requests; those in flight finish. */
  draining: boolean;
  /** Requests sent to it (every try) since the config was last applied: the distribution the UI shows. */
  picks: number;
}

/** Who was left out of one pick and why, by target index; `backIn` is the soonest known return (ms). */
interface Eligibility {
  why: Array<string | undefined>;
  left: number;
  backIn: number;
}

type RetrySettings = RetryPolicy & { perTryTimeoutMs: number | undefined };
type RespondVerdict = Extract<Verdict, { kind: 'respond' }>;

/** One target as the inspector shows it: what the picker sees, and what the balancer knows of its health. */
export interface BalancerTargetView extends TargetHealthView {
  id: string;
  weight: number;
  inFlight: number;
  /** Requests sent to it (every try) since the config was last applied. */
  picks: number;
  /** Whether the next pick could choose it (slow start's chance left aside). */
  eligible: boolean;
  address: string;
  backup?: true;
  draining?: true;
  /** Why the next pick would leave it out. */
  excluded?: string;
  /** Its weight scaled by slow start, while it warms up. */
  effectiveWeight?: number;
}

/** One open connection of an l4 balancer, as the inspector lists it. */
export interface L4ConnectionView {
  id: string;
  /** The client's `address:port`. */
  peer: string;
  to: string;
  /** How long it has been open, in ms. */
  ageMs: number;
  /** Requests the target has received on it so far. */
  requests: number;
  /** The one decision this connection made, when it opened. */
  reason: string;
}

interface L4Connection {
  peer: string;
  to: string;
  openedAt: number;
  link: L4Link;
  reason: string;
  client: Socket;
}

/** How long a gracefully stopping l4 balancer lets open connections run before it cuts them (it cannot tell idle from busy). */
const L4_STOP_GRACE_MS = 1_000;

export class BalancerNode extends ForwardingNode<BalancerConfig> {
  readonly kind = 'balancer' as const;
  #targets: TargetState[] = [];
  #picker: Picker | undefined;
  /** The algorithm and options the current picker was built with. */
  #pickerKey = '';
  /** True when no target can be left out by anything but its listener: picks skip the eligibility pass. */
  #plain = true;
  /** Retries now in flight, for the retry budget. */
  #retries = 0;

  /** Target state outlives a reconfigure, so requests in flight settle on the same counters. */
  readonly #state = new Map<string, TargetState>();
  readonly #health: HealthTracker;

  readonly #unsubscribe: () => void;

  /** l4 mode: the open connections by id, how many were ever opened, and the context of their picks. */
  readonly #connections = new Map<string, L4Connection>();
  #connectionsOpened = 0;
  readonly #connectionPick: PickContext;

  constructor(config: BalancerConfig, ctx: NodeContext) {
    super(config, ctx);
    this.#health = new HealthTracker({
      node: config.id,
      emit: (event) => ctx.bus.emit(event),
      now: () => performance.now(),
      resolve: (target) => ctx.resolve(target),
      partitionOf: (origin) => this.partitionOf(origin),
    });
    this.#syncTargets(config);
    this.#connectionPick = { now: () => performance.now(), rng: ctx.rng, key: undefined };
    // A target node that could not start has no address at all: it cannot be picked (503 when none
    // is left). A target that was up and then died is still picked until health checks or passive
    // detection find out, as a real balancer only learns of it from checks and refused connections.
    this.#unsubscribe = ctx.bus.subscribe((event) => {
      if (event.type !== 'node.state') return;
      const target = this.#state.get(event.node);
      if (!target) return;
      target.listening = event.state !== 'failed';
      if (event.port !== null) target.address = `127.0.0.1:${event.port}`;
    });
  }

  override async start(): Promise<void> {
    await super.start();
    this.#health.start();
  }

  override async stop(mode: 'crash' | 'graceful' = 'graceful', reason?: string): Promise<void> {
    this.#health.stop();
    await super.stop(mode, reason);
  }

  override async dispose(): Promise<void> {
    this.#unsubscribe();
    await super.dispose();
  }

  /** Health probes ride the same edges: a partition that starts or heals resets their connections too. */
  override setPartitions(partitions: ReadonlyMap<string, PartitionMode>): boolean {
    const changed = super.setPartitions(partitions);
    if (changed) this.#health.resetProbeConnections();
    return changed;
  }

  /** l7 and l4 are different listeners: switching mode replaces the node. */
  override canReconfigure(config: BalancerConfig): boolean {
    return config.mode === this.config.mode;
  }

  protected override createListener(): Server {
    if (this.config.mode !== 'l4') return super.createListener();
    return createTcpServer((socket) => this.#onConnection(socket));
  }

  /** Idle and busy look the same at layer 4: open connections get a grace period, then are cut (HAProxy's hard-stop-after). */
  protected override closeIdleConnections(server: Server): void {
    if (this.config.mode !== 'l4') return super.closeIdleConnections(server);
    const open = [...this.#connections.values()].map((c) => c.client);
    if (open.length > 0) setTimeout(() => open.forEach((client) => client.destroy()), L4_STOP_GRACE_MS).unref();
  }

  /** l4: one pick for the connection's whole life, then relay bytes to the target until either side closes. */
  #onConnection(client: Socket): void {
    const id = `c${++this.#connectionsOpened}`;
    const address = plainAddress(client.remoteAddress ?? '');
    const peer = `${address}:${client.remotePort ?? 0}`;
    const { bus } = this.ctx;
    const picker = this.#picker!;
    const hashing = this.config.algorithm === 'ip-hash' || KEYED_PICKERS.includes(this.config.algorithm);
    this.#connectionPick.key = hashing ? address : undefined;
    const eligibility = this.#eligibility([], true);
    const pick = picker.pick(this.#targets, this.#connectionPick);
    const origin = pick.target === null ? undefined : this.ctx.resolve(pick.target.id);
    if (pick.target === null || origin === undefined) {
      const decision =
        pick.target === null && eligibility.left === 0
          ? { stage: 'pick' as const, algorithm: picker.id, reason: pick.reason }
          : this.#noTargetDecision(picker.id, eligibility);
      bus.emit({ type: 'connection.opened', node: this.id, connection: id, peer, decision });
      client.resetAndDestroy();
      bus.emit({
        type: 'connection.closed',
        node: this.id,
        connection: id,
        durationMs: 0,
        bytesUp: 0,
        bytesDown: 0,
        requests: 0,
        error: 'EDGE_NO_TARGET',
      });
      return;
    }
    const target = this.#state.get(pick.target.id)!;
    target.inFlight++;
    target.picks++;
    const trial = this.#health.dispatched(target.id);
    const decision = eligibility.left > 0 ? withExclusions(pick.decision, this.#targets, eligibility) : pick.decision;
    bus.emit({ type: 'connection.opened', node: this.id, connection: id, peer, to: target.id, decision });
    const connection: L4Connection = {
      peer,
      to: target.id,
      openedAt: performance.now(),
      link: { node: this.id, connection: id, requests: 0 },
      reason: decision.reason,
      client,
    };
    this.#connections.set(id, connection);
    let unlink: (() => void) | undefined;
    relay(client, socketAddressOf(origin), this.config.timeouts?.connect ?? DEFAULT_TIMEOUTS.connect, {
      connected: (upstream) => {
        unlink = this.ctx.l4Links.add(upstream, connection.link);
      },
      closed: (outcome) => {
        unlink?.();
        this.#connections.delete(id);
        target.inFlight--;
        const result = { status: undefined, error: outcome.error };
        picker.onSettled?.(
          { target: target.id, durationMs: outcome.durationMs, failed: failureKind(result) !== undefined },
          this.#connectionPick,
        );
        this.#health.settled(target.id, result, trial);
        bus.emit({
          type: 'connection.closed',
          node: this.id,
          connection: id,
          to: target.id,
          durationMs: outcome.durationMs,
          bytesUp: outcome.bytesUp,
          bytesDown: outcome.bytesDown,
          requests: connection.link.requests,
          ...(outcome.error ? { error: outcome.error } : {}),
        });
      },
    });
  }

  /** l4: the open connections, oldest first. */
  openConnections(): L4ConnectionView[] {
    const now = performance.now();
    return [...this.#connections.entries()].map(([id, c]) => ({
      id,
      peer: c.peer,
      to: c.to,
      ageMs: Math.round(now - c.openedAt),
      requests: c.link.requests,
      reason: c.reason,
    }));
  }

  #syncTargets(config: BalancerConfig): void {
    const targets = config.targets.map((t) => (typeof t === 'string' ? { to: t, weight: 1 } : t));
    for (const id of this.#state.keys()) if (!targets.some((t) => t.to === id)) this.#state.delete(id);
    this.#targets = targets.map(({ to, weight, backup, drain }) => {
      let state = this.#state.get(to);
      if (!state) {
        state = {
          id: to,
          weight,
          inFlight: 0,
          picks: 0,
          eligible: true,
          address: this.#addressOf(to),
          listening: true,
          backup: false,
          draining: false,
        };
        this.#state.set(to, state);
      }
      state.weight = weight;
      state.picks = 0;
      state.backup = backup === true;
      state.draining = drain === true;
      return state;
    });
    const health = healthSettingsOf(config);
    this.#health.configure(
      health,
      this.#targets.map((t) => t.id),
    );
    this.#plain = Object.keys(health).length === 0 && !this.#targets.some((t) => t.backup || t.draining);
    const pickerKey = JSON.stringify([config.algorithm, config.options ?? {}]);
    if (pickerKey !== this.#pickerKey) {
      this.#picker = PICKERS[config.algorithm](factoryOptions(config.options));
      this.#pickerKey = pickerKey;
    }
  }

  /** `host:port` of a target, as a reference engine's config would write the server. */
  #addressOf(target: string): string {
    const origin = this.ctx.resolve(target);
    return origin === undefined ? target : new URL(origin).host;
  }

  /** `trustedProxies`: their X-Forwarded-Proto and -Host stand, as an engine node's do (node-server.ts). */
  #trustedPeer = peerTrust(this.config.trustedProxies ?? []);

  protected override trustsPeer(address: string): boolean {
    return this.#trustedPeer(address);
  }

  protected buildStages(config: BalancerConfig): Stage[] {
    this.#syncTargets(config);
    this.#trustedPeer = peerTrust(config.trustedProxies ?? []);
    const picker = this.#picker!;
    const clientAddress = clientAddressReader(config.trustedProxies ?? []);
    const readKey: HashKeyReader | undefined =
      config.algorithm === 'ip-hash'
        ? hashKeyReader('ip')
        : KEYED_PICKERS.includes(config.algorithm)
          ? hashKeyReader(config.hashKey ?? 'ip')
          : undefined;
    const retries: RetrySettings | undefined = config.retries && {
      tries: config.retries.tries,
      on: config.retries.on,
      methods: config.retries.methods,
      budget: config.retries.budget,
      perTryTimeoutMs: config.retries.perTryTimeout,
    };
    // One context, its key set before each (synchronous) pick: no allocation per request.
    const ctx: PickContext = { now: () => performance.now(), rng: this.ctx.rng, key: undefined };

    /** Pick a target for try `tryNumber` of a request, leaving out the targets already `tried`. */
    const attempt = (
      exchange: Exchange,
      key: string | undefined,
      tried: readonly string[],
      tryNumber: number,
    ): ForwardVerdict | RespondVerdict => {
      ctx.key = key;
      const eligibility = this.#eligibility(tried, true);
      const pick = picker.pick(this.#targets, ctx);
      if (pick.target === null) {
        const decision =
          eligibility.left > 0
            ? this.#noTargetDecision(picker.id, eligibility)
            : { stage: 'pick' as const, algorithm: picker.id, reason: pick.reason };
        const retryAfter = Number.isFinite(eligibility.backIn) ? Math.max(1, Math.ceil(eligibility.backIn / 1000)) : 1;
        return { kind: 'respond', error: 'EDGE_NO_TARGET', headers: { 'retry-after': String(retryAfter) }, decision };
      }
      const target = this.#state.get(pick.target.id)!;
      target.inFlight++;
      target.picks++;
      const isRetry = tryNumber > 1;
      if (isRetry) this.#retries++;
      const trial = this.#health.dispatched(target.id);
      const verdict: ForwardVerdict = {
        kind: 'forward',
        upstream: target.id,
        path: exchange.req.url ?? '/',
        decision: eligibility.left > 0 ? withExclusions(pick.decision, this.#targets, eligibility) : pick.decision,
        try: tryNumber,
        settle: undefined,
      };
      // Assigned, not written in the literal: tsx (esbuild keepNames) names a literal's arrow
      // functions with a defineProperty call, per request here.
      verdict.settle = (outcome) => {
        target.inFlight--;
        if (isRetry) this.#retries--;
        const kind = failureKind(outcome);
        picker.onSettled?.({ target: target.id, durationMs: outcome.durationMs, failed: kind !== undefined && kind !== 'aborted' }, ctx);
        this.#health.settled(target.id, outcome, trial);
      };
      if (!retries) return verdict;
      verdict.timeout = retries.perTryTimeoutMs;
      verdict.retry = (failure) => {
        const kind = failureKind(failure);
        if (kind === undefined || kind === 'aborted') return undefined;
        const { req } = exchange;
        const active = this.#active();
        const answer = exchange.res.destroyed
          ? { retry: false, reason: 'the client went away', limit: retryBudgetLimit(active, retries.budget) }
          : decideRetry(retries, {
              failure: kind,
              tryNumber,
              method: req.method ?? 'GET',
              // A request body cannot be replayed (it streams through): such requests are never retried.
              hasBody: hasRequestBody(req.headers),
              retries: this.#retries,
              active,
            });
        let next: ForwardVerdict | undefined;
        let reason = answer.reason;
        if (answer.retry) {
          const again = attempt(exchange, key, [...tried, target.id], tryNumber + 1);
          if (again.kind === 'forward') next = again;
          else reason = `no target left to retry (${again.decision?.reason ?? 'none is eligible'})`;
        }
        this.ctx.bus.emit({
          type: 'request.retry',
          rid: exchange.rid,
          node: this.id,
          try: tryNumber,
          target: target.id,
          failure: describeFailure(failure),
          retrying: next !== undefined,
          ...(next ? { to: next.upstream } : {}),
          reason,
          budget: { retries: this.#retries - (next ? 1 : 0), limit: answer.limit, active },
        });
        return next;
      };
      return verdict;
    };

    return [
      {
        name: 'pick',
        run: (exchange) => {
          const { req } = exchange;
          const key = readKey
            ? readKey(req, clientAddress(plainAddress(req.socket.remoteAddress ?? ''), req.headers['x-forwarded-for']))
            : undefined;
          return attempt(exchange, key, [], 1);
        },
      },
    ];
  }

  /** Requests in flight to the targets, retries included: the base of the retry budget. */
  #active(): number {
    let active = 0;
    for (const t of this.#targets) active += t.inFlight;
    return active;
  }

  /**
   * Decide which targets may take this request (eligibility.ts) and set their `eligible` flags for
   * the picker. On its own a target is out when it is not listening, draining, failing its health
   * checks, ejected, or its circuit is open; then come backups, the targets a retry already tried,
   * and, with `admit`, slow start's admission.
   */
  #eligibility(tried: readonly string[], admit: boolean): Eligibility {
    const targets = this.#targets;
    const result: Eligibility = { why: [], left: 0, backIn: Number.POSITIVE_INFINITY };
    if (this.#plain && tried.length === 0) {
      for (const t of targets) t.eligible = t.listening;
      if (targets.every((t) => t.listening)) return result;
    }
    const ruledOut = targets.map((t) => {
      if (!t.listening) return 'not listening (the node could not start)';
      if (t.draining) return 'draining';
      const exclusion = this.#health.exclusion(t.id);
      if (exclusion?.backInMs !== undefined) result.backIn = Math.min(result.backIn, exclusion.backInMs);
      return exclusion?.text;
    });
    const slowStart = admit && this.#health.settings.slowStart !== undefined;
    result.why = leftOut({
      ids: targets.map((t) => t.id),
      backup: targets.map((t) => t.backup),
      ruledOut,
      tried,
      ...(slowStart ? { warming: (i: number) => this.#health.warming(targets[i].id), rng: this.ctx.rng } : {}),
    });
    targets.forEach((t, i) => {
      t.eligible = result.why[i] === undefined;
      if (!t.eligible) result.left++;
    });
    return result;
  }

  #noTargetDecision(algorithm: string, eligibility: Eligibility): Decision {
    const { why } = eligibility;
    return {
      stage: 'pick',
      algorithm,
      reason: `no eligible target: ${this.#targets.map((t, i) => `${t.id} ${why[i] ?? 'not eligible'}`).join('; ')}`,
      candidates: this.#targets.map((t, i) => ({ id: t.id, eligible: false, excluded: why[i] ?? 'not eligible' })),
    };
  }

  /** The live algorithm state for the inspector, with each target's health, ejection and circuit. */
  algorithmState(): {
    algorithm: string;
    next: string | undefined;
    targets: BalancerTargetView[];
    state: unknown;
  } {
    const { why } = this.#eligibility([], false);
    return {
      algorithm: this.config.algorithm,
      next: this.#picker?.peek?.(this.#targets),
      targets: this.#targets.map(({ id, weight, inFlight, picks, eligible, address, backup, draining }, i) => {
        const health = this.#health.view(id);
        return {
          id,
          weight,
          inFlight,
          picks,
          eligible,
          address,
          ...(backup ? { backup: true as const } : {}),
          ...(draining ? { draining: true as const } : {}),
          ...(why[i] === undefined ? {} : { excluded: why[i] }),
          ...(health.slowStart ? { effectiveWeight: Math.round(weight * health.slowStart.factor * 100) / 100 } : {}),
          ...health,
        };
      }),
      state: this.#picker?.state?.(this.#targets),
    };
  }
}

/** The picker's decision, with who the balancer left out and why added to the reason and the candidates. */
function withExclusions(decision: Decision, targets: readonly TargetState[], { why }: Eligibility): Decision {
  const notes: string[] = [];
  const byId = new Map<string, string>();
  targets.forEach((t, i) => {
    if (why[i] === undefined) return;
    notes.push(`${t.id} ${why[i]}`);
    byId.set(t.id, why[i]);
  });
  return {
    ...decision,
    reason: `${decision.reason}; left out: ${notes.join('; ')}`,
    ...(decision.candidates
      ? { candidates: decision.candidates.map((c) => (byId.has(c.id) ? { ...c, excluded: byId.get(c.id) } : c)) }
      : {}),
  };
}

function healthSettingsOf(config: BalancerConfig): HealthSettings {
  const { healthCheck, outlierDetection, circuitBreaker, slowStart } = config;
  const settings: HealthSettings = {};
  if (healthCheck) {
    const { path, interval, timeout, rise, fall } = healthCheck;
    settings.healthCheck = { path, intervalMs: interval, timeoutMs: timeout, rise, fall };
  }
  if (outlierDetection) {
    const { consecutiveFailures, failureRate, baseEjectionTime, maxEjectionTime, maxEjectionPercent } = outlierDetection;
    settings.outlierDetection = {
      consecutiveFailures,
      ...(failureRate
        ? { failureRate: { percent: failureRate.percent, minRequests: failureRate.minRequests, windowMs: failureRate.window } }
        : {}),
      baseEjectionMs: baseEjectionTime,
      maxEjectionMs: maxEjectionTime,
      maxEjectionPercent,
    };
  }
  if (circuitBreaker) {
    const { consecutiveFailures, coolDown, trialRequests } = circuitBreaker;
    settings.circuitBreaker = { consecutiveFailures, coolDownMs: coolDown, trialRequests };
  }
  if (slowStart)
    settings.slowStart = { windowMs: slowStart.window, aggression: slowStart.aggression, minWeightPercent: slowStart.minWeightPercent };
  return settings;
}

/** `::ffff:127.0.0.1` is the IPv4 client `127.0.0.1`, as nginx's `$remote_addr` prints it. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Where an l4 relay connects for an origin: a URL leaves out its scheme's default port (`https://app`
 * is port 443) and brackets an IPv6 host, which a socket takes bare.
 */
export function socketAddressOf(origin: string): { host: string; port: number } {
  const { hostname, port, protocol } = new URL(origin);
  return { host: hostname.replace(/^\[|\]$/g, ''), port: port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port) };
}
