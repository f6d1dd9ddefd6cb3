/**
 * One traffic flow running its phases in sequence over real sockets. An open-loop phase sends at its
 * schedule's intended times whatever the answers do (latency from the intended time, no coordinated
 * omission; past `maxOutstanding` a send is skipped and counted, never silently dropped). A closed-loop
 * phase runs N virtual users, each with one request at a time: send, wait for the answer, think, again;
 * its latency is from the actual send, and its rate is whatever the chain allows.
 *
 * Phase boundaries are fixed on the flow's timeline (phase k starts when phase k-1 was due to end, not
 * when a timer fired), so a late event loop delays sends but never stretches the plan.
 *
 * A flow with a `failover` list has several entries (entries.ts): a request whose connection fails is
 * retried once at another, so a killed entry costs the requests of a retry, not the requests themselves.
 */
import { Pool, type Dispatcher } from 'undici';
import { MAX_TIMER_MS } from '../config/limits.ts';
import { DEFAULT_FAILBACK_MS } from '../config/traffic/failover.ts';
import type { GatewayConfig, TrafficConfig } from '../config/schema.ts';
import { ERROR_HEADER, InputError } from '../errors.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { latencySampler, type LatencySampler } from '../service/latency.ts';
import { upstreamErrorCode } from '../pipeline/failures.ts';
import { ClientCredentials, resolveFlowAuth } from './client-auth.ts';
import { ClientValidators } from './conditional.ts';
import { EntryChoice } from './entries.ts';
import { clientIdentity, RequestMix, type ClientIdentity, type DrawnRequest } from './mix.ts';
import { phasePlans, withRate, type PhasePlan } from './phases.ts';
import { ArrivalSchedule, expectedCount, rateAt, type RateCurve } from './schedule.ts';
import { Counters, perSecond, rateSince, type FlowStats, type PhaseStats } from './stats.ts';

/** Unanswered requests of one flow beyond which an open-loop send is skipped (the flow's `maxOutstanding` overrides it). */
export const DEFAULT_MAX_OUTSTANDING = 5_000;
/** A request that gets no headers or no body for this long fails at the client. */
const CLIENT_TIMEOUT_MS = 60_000;

export interface FlowRunnerOptions {
  config: TrafficConfig;
  name: string;
  /** The flow's place among the flows: its clients send from their own addresses (127.<index>.x.y). */
  index?: number;
  /** The origin of a node id or URL, or undefined when the node is not listening. */
  resolve(to: string): string | undefined;
  /** The certificate a node serves when it listens with TLS: the flow speaks https to it, trusting that certificate (and no other). */
  trust?(to: string): { cert: string } | undefined;
  rng(): number;
  now(): number;
  /** The generator's totals: every send and completion also counts there. */
  totals: Counters;
  totalLag: LatencyHistogram;
  /** Called when the flow enters a phase or finishes its last one. */
  onPhase(): void;
  /** The running config's gateways, whose consumers a flow's `auth` sends as. */
  gateways?(): readonly GatewayConfig[];
  /**
   * Told as each request settles, for the flow's first entry (`to`): its status (undefined when no entry
   * answered) and whether it went to another entry of the failover list.
   */
  settled?(entry: string, status: number | undefined, failedOver: boolean, elapsedMs: number): void;
}

/** One entry's client pools: one per client, all to the origin (and trusting the certificate) the entry had when they were made. */
interface EntryPools {
  origin: string | undefined;
  ca: string | undefined;
  pools: Pool[];
}

/** Client failures where the request never got an answer from the entry: a flow with failover tries another. */
const UNREACHED = new Set(['CLIENT_CONNECTION_REFUSED', 'CLIENT_EDGE_UPSTREAM_CONNECT_TIMEOUT', 'CLIENT_CONNECTION_RESET', 'CLIENT_EDGE_UPSTREAM_TIMEOUT']);
/** Of those, the ones where the request may have reached the entry: only an idempotent method is sent again (RFC 9110 section 9.2.2). */
const MAYBE_SENT = new Set(['CLIENT_CONNECTION_RESET', 'CLIENT_EDGE_UPSTREAM_TIMEOUT']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

interface OpenState {
  schedule: ArrivalSchedule;
  curve: RateCurve;
  /** Absolute time (ms) that schedule offsets count from. */
  origin: number;
  /** Absolute intended time of the next send. */
  nextAt: number;
}

export class FlowRunner {
  readonly config: TrafficConfig;
  readonly name: string;
  /** Its place among the flows, which its clients' addresses follow from (FlowRunnerOptions.index). */
  readonly index: number;
  readonly counters = new Counters();
  readonly #options: FlowRunnerOptions;
  readonly #mix: RequestMix;
  readonly #maxOutstanding: number;
  readonly #lag = new LatencyHistogram(60_000);
  #plans: PhasePlan[];
  readonly #phaseCounters: Counters[];
  readonly #phaseStart: Array<number | null>;
  readonly #phaseEnded: Array<number | null>;
  /** Open loop: the sends each phase's schedules asked for before its current one (a rate change starts a new one). */
  readonly #phaseAsked: number[];

  #running = false;
  #finished = false;
  #startedAt = 0;
  #stoppedAt: number | null = null;
  #phase = 0;
  #phaseEnd = Infinity;
  #open: OpenState | undefined;
  #timer: NodeJS.Timeout | undefined;

  #users = 0;
  #think: LatencySampler = () => 0;
  readonly #userAlive: boolean[] = [];
  readonly #sleeps = new Map<NodeJS.Timeout, () => void>();

  #nextClient = 0;
  /** Which entry each request goes to: `to`, then the failover list. */
  readonly #choice: EntryChoice;
  /** Per entry, its clients' pools. */
  #entryPools: EntryPools[];
  readonly #identities: ClientIdentity[] = [];
  readonly #credentials: ClientCredentials | undefined;
  /** What each client remembers to revalidate with, when the flow sends conditional requests. */
  readonly #validators: ClientValidators | undefined;

  #rateSample = { at: 0, completed: 0 };
  #ratePerSecond = 0;

  constructor(options: FlowRunnerOptions) {
    this.#options = options;
    this.config = options.config;
    this.name = options.name;
    this.index = options.index ?? 0;
    this.#mix = new RequestMix(options.config, options.rng);
    this.#maxOutstanding = options.config.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING;
    this.#plans = phasePlans(options.config);
    this.#phaseCounters = this.#plans.map(() => new Counters());
    this.#phaseStart = this.#plans.map(() => null);
    this.#phaseEnded = this.#plans.map(() => null);
    this.#phaseAsked = this.#plans.map(() => 0);
    this.#credentials = credentialsOf(options);
    const share = options.config.conditional ?? 0;
    this.#validators = share > 0 ? new ClientValidators(share, options.rng) : undefined;
    const entries = [options.config.to, ...(options.config.failover ?? [])];
    this.#choice = new EntryChoice(entries, options.config.failback ?? DEFAULT_FAILBACK_MS);
    this.#entryPools = entries.map(() => ({ origin: undefined, ca: undefined, pools: [] }));
  }

  get running(): boolean {
    return this.#running;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** The phase now running (the last one once finished). */
  get phase(): PhasePlan {
    return this.#plans[Math.min(this.#phase, this.#plans.length - 1)];
  }

  get phaseCount(): number {
    return this.#plans.length;
  }

  start(): void {
    if (this.#running || this.#finished) return;
    this.#running = true;
    this.#startedAt = this.#options.now();
    this.#rateSample = { at: this.#startedAt, completed: 0 };
    this.#enterPhase(0, this.#startedAt);
  }

  /** Stop sending; requests in flight still complete and count. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#stoppedAt = this.#options.now();
    this.#endPhase(this.#stoppedAt);
    this.#halt();
  }

  /** Stop, and close the connections once the requests in flight have finished (they still count). */
  retire(): void {
    this.stop();
    for (const entry of this.#entryPools) for (const pool of entry.pools) pool?.close().catch(() => {});
  }

  /** Stop, and tear down the connections (requests still in flight fail). */
  async close(): Promise<void> {
    this.stop();
    const pools = this.#entryPools.flatMap((entry) => entry.pools.filter(Boolean));
    this.#entryPools = this.#entryPools.map(() => ({ origin: undefined, ca: undefined, pools: [] }));
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
  }

  /**
   * Change the open-loop rate of the running phase without a restart: from now on it sends `rate`
   * (evenly, or Poisson if it was), until the phase's planned end; later phases run as configured.
   */
  setRate(rate: number): void {
    const plan = this.phase;
    if (!this.#running || plan.loop !== 'open' || !this.#open) throw new Error(`flow "${this.name}" is not running an open-loop phase`);
    const now = this.#options.now();
    const next = withRate(plan, rate);
    this.#phaseAsked[this.#phase] = this.#askedSoFar(this.#phase, now);
    this.#plans = this.#plans.map((p) => (p === plan ? next : p));
    this.#startSchedule(next.curve, next.arrivals, now);
    this.#arm();
  }

  /** Change the users of the running closed-loop phase: new users start at once, removed ones stop after their answer. */
  setUsers(users: number): void {
    const plan = this.phase;
    if (!this.#running || plan.loop !== 'closed') throw new Error(`flow "${this.name}" is not running a closed-loop phase`);
    this.#plans = this.#plans.map((p) => (p === plan ? { ...plan, users } : p));
    this.#users = users;
    this.#spawnUsers();
  }

  /** Take the rate sample for `ratePerSecond` (the generator calls this about once a second). */
  sample(now: number): void {
    const ms = now - this.#rateSample.at;
    if (ms <= 0) return;
    this.#ratePerSecond = perSecond(this.counters.completed - this.#rateSample.completed, ms);
    this.#rateSample = { at: now, completed: this.counters.completed };
  }

  /**
   * The rate the schedule asks for now, req/s, to a tenth (two significant digits under 10, so a flow of
   * 0.04 req/s does not read 0); null in a closed-loop phase or when not running.
   */
  targetRateNow(): number | null {
    if (!this.#running || !this.#open) return null;
    return rateFigure(rateAt(this.#open.curve, this.#options.now() - this.#open.origin));
  }

  stats(): FlowStats {
    const now = this.#options.now();
    const elapsedMs = this.#startedAt === 0 ? 0 : (this.#stoppedAt ?? now) - this.#startedAt;
    const plan = this.phase;
    return {
      name: this.name,
      to: this.config.to,
      loop: plan.loop,
      running: this.#running,
      finished: this.#finished,
      phase: Math.min(this.#phase, this.#plans.length - 1),
      ...this.counters.counts(),
      elapsedMs: Math.round(elapsedMs),
      achievedRate: rateSince(this.counters.completed, elapsedMs, this.#stoppedAt === null),
      ratePerSecond: this.#running ? this.#ratePerSecond : 0,
      targetRate: this.targetRateNow(),
      users: this.#running && plan.loop === 'closed' ? this.#users : null,
      lag: this.#lag.summary(),
      phases: this.#plans.map((p, i) => this.#phaseStats(p, i, now)),
      ...(this.config.failover === undefined ? {} : { entry: this.#choice.inUse, failovers: this.#choice.failovers, entries: this.#choice.counts() }),
    };
  }

  #phaseStats(plan: PhasePlan, index: number, now: number): PhaseStats {
    const started = this.#phaseStart[index];
    const ended = this.#phaseEnded[index];
    const elapsed = started === null ? 0 : (ended ?? now) - started;
    const counters = this.#phaseCounters[index];
    return {
      index,
      name: plan.name,
      shape: plan.shape,
      loop: plan.loop,
      state: started === null ? 'pending' : ended === null ? 'running' : 'done',
      forMs: Number.isFinite(plan.durationMs) ? plan.durationMs : null,
      startMs: started === null ? null : Math.round(started - this.#startedAt),
      elapsedMs: Math.round(elapsed),
      ...counters.counts(),
      targetRate: plan.loop === 'open' ? meanRate(this.#askedSoFar(index, ended ?? now), elapsed, plan.curve) : null,
      achievedRate: rateSince(counters.completed, elapsed, ended === null),
    };
  }

  #enterPhase(index: number, startAt: number): void {
    this.#halt();
    if (index >= this.#plans.length) {
      this.#running = false;
      this.#finished = true;
      this.#stoppedAt = startAt;
      this.#options.onPhase();
      return;
    }
    const plan = this.#plans[index];
    this.#phase = index;
    this.#phaseStart[index] = startAt;
    this.#phaseEnd = startAt + plan.durationMs;
    if (plan.loop === 'open') {
      this.#startSchedule(plan.curve, plan.arrivals, startAt);
    } else {
      this.#open = undefined;
      this.#users = plan.users;
      this.#think = latencySampler(plan.think, this.#options.rng);
      this.#spawnUsers();
    }
    this.#options.onPhase();
    this.#tick();
  }

  #endPhase(at: number): void {
    if (this.#phase < this.#plans.length && this.#phaseEnded[this.#phase] === null) {
      this.#phaseAsked[this.#phase] = this.#askedSoFar(this.#phase, at);
      this.#phaseEnded[this.#phase] = at;
    }
  }

  /**
   * How many sends phase `index`'s schedules asked for by `at`: the integral of the rate (a real number),
   * not the sends made (even arrivals send at the start of a schedule, Poisson ones at random).
   */
  #askedSoFar(index: number, at: number): number {
    const open = this.#open;
    if (index !== this.#phase || this.#phaseEnded[index] !== null || open === undefined) return this.#phaseAsked[index]!;
    return this.#phaseAsked[index]! + expectedCount(open.curve, Math.min(at, this.#phaseEnd) - open.origin);
  }

  #startSchedule(curve: RateCurve, arrivals: 'even' | 'poisson', origin: number): void {
    const schedule = new ArrivalSchedule(curve, arrivals, this.#options.rng);
    this.#open = { schedule, curve, origin, nextAt: origin + schedule.next() };
  }

  /** Clear the timer and wake sleeping users (they see the phase or the run is over and leave). */
  #halt(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#running) {
      for (const [timer, wake] of this.#sleeps) {
        clearTimeout(timer);
        wake();
      }
      this.#sleeps.clear();
    }
  }

  /** Send every open-loop send that is due (each with its own intended time), and end the phase when its time is up. */
  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = this.#options.now();
    const open = this.#open;
    if (open) {
      while (open.nextAt <= now && open.nextAt < this.#phaseEnd) {
        this.#sendOpen(open.nextAt, now);
        open.nextAt = open.origin + open.schedule.next();
      }
    }
    if (now >= this.#phaseEnd) {
      const end = this.#phaseEnd;
      this.#endPhase(end);
      this.#enterPhase(this.#phase + 1, end);
      return;
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const due = Math.min(this.#open?.nextAt ?? Infinity, this.#phaseEnd);
    if (!this.#running || due === Infinity) return;
    // A send a very low rate puts further away than a timer holds wakes the tick early, which re-arms.
    this.#timer = setTimeout(() => this.#tick(), Math.min(MAX_TIMER_MS, Math.max(0, due - this.#options.now())));
  }

  #sendOpen(intendedAt: number, now: number): void {
    const phase = this.#phaseCounters[this.#phase];
    const totals = this.#options.totals;
    this.counters.intended++;
    phase.intended++;
    totals.intended++;
    if (this.counters.outstanding >= this.#maxOutstanding) {
      this.counters.skipped++;
      phase.skipped++;
      totals.skipped++;
      return;
    }
    const lag = now - intendedAt;
    this.#lag.record(lag);
    this.#options.totalLag.record(lag);
    this.#send(this.#nextClient++ % this.config.clients, intendedAt, phase);
  }

  /** Start the users the phase wants that are not already running (a user never runs twice). */
  #spawnUsers(): void {
    for (let user = 0; user < this.#users; user++) {
      if (this.#userAlive[user]) continue;
      this.#userAlive[user] = true;
      void this.#user(user).finally(() => (this.#userAlive[user] = false));
    }
  }

  /** One virtual user: send, wait for the answer, think, repeat, while a closed-loop phase wants it. */
  async #user(user: number): Promise<void> {
    const wanted = () => this.#running && !this.#open && user < this.#users;
    while (wanted()) {
      const phase = this.#phaseCounters[this.#phase];
      phase.intended++;
      this.counters.intended++;
      this.#options.totals.intended++;
      await new Promise<void>((done) => this.#send(user % this.config.clients, undefined, phase, done));
      if (!wanted()) return;
      const think = this.#think();
      // With no think time, still yield to the event loop: an answer that settles at once must not spin.
      await new Promise<void>((wake) => {
        if (think <= 0) return setImmediate(wake);
        const timer = setTimeout(() => {
          this.#sleeps.delete(timer);
          wake();
        }, think);
        this.#sleeps.set(timer, wake);
      });
    }
  }

  /**
   * One request from client `clientIndex`; latency from `intendedAt` (open loop) or from now (closed
   * loop). Never throws (it runs inside timers): a request that cannot even be made settles at once as
   * an error, like a refused connection: `CLIENT_BAD_TARGET` when the target names no origin to connect
   * to, `CLIENT_INVALID_REQUEST` when undici refuses the request (the config schema refuses what it can
   * know of, request-rules.ts; this is the guard for the rest).
   */
  #send(clientIndex: number, intendedAt: number | undefined, phase: Counters, done?: () => void): void {
    const { now, rng, totals } = this.#options;
    const sentAt = now();
    const from = intendedAt ?? sentAt;
    for (const c of [this.counters, phase, totals]) {
      c.sent++;
      c.outstanding++;
    }
    const sending: ClientRequest = {
      clientIndex,
      request: undefined,
      failedOver: false,
      settle: (status, code) => {
        const latency = now() - from;
        this.counters.settle(status, code, latency);
        phase.settle(status, code, latency);
        totals.settle(status, code, latency);
        this.#options.settled?.(this.config.to, status, sending.failedOver, now() - sentAt);
        done?.();
      },
    };
    try {
      const request = this.#mix.draw(rng, this.#identity(clientIndex).headers);
      this.#credentials?.stamp(request, clientIndex);
      if (this.#validators?.stamp(request, clientIndex)) for (const c of [this.counters, phase, totals]) c.conditional++;
      sending.request = request;
    } catch {
      return sending.settle(undefined, 'CLIENT_INVALID_REQUEST');
    }
    this.#try(sending, this.#choice.pick(sentAt));
  }

  /** One try of a request at entry `entry`; a failover retry is the second. */
  #try(sending: ClientRequest, entry: number): void {
    const { clientIndex } = sending;
    const request = sending.request!;
    let answer: Promise<Dispatcher.ResponseData>;
    try {
      const pool = this.#pool(entry, clientIndex);
      if (pool === null) return sending.settle(undefined, 'CLIENT_BAD_TARGET');
      if (!pool) return this.#unreached(sending, entry, 'CLIENT_CONNECTION_REFUSED');
      answer = pool.request({
        path: request.path,
        method: request.method as 'GET',
        headers: request.headers,
        body: request.body,
        headersTimeout: CLIENT_TIMEOUT_MS,
        bodyTimeout: CLIENT_TIMEOUT_MS,
      });
    } catch {
      return sending.settle(undefined, 'CLIENT_INVALID_REQUEST');
    }
    answer.then(
      (res) => {
        this.#choice.answered(entry);
        this.#validators?.remember(clientIndex, request.method, request.path, res.statusCode, res.headers);
        const code = res.headers[ERROR_HEADER];
        const answered = () => sending.settle(res.statusCode, typeof code === 'string' ? code : undefined);
        // A body cut off after the status arrived still answered with that status.
        return res.body.dump().then(answered, answered);
      },
      (error: unknown) => {
        const code = clientFailure(error);
        if (UNREACHED.has(code)) this.#unreached(sending, entry, code);
        else sending.settle(undefined, code);
      },
    );
  }

  /** The try at `entry` got no answer (`code`): retried once at another entry when the flow has one and the request may be sent again. */
  #unreached(sending: ClientRequest, entry: number, code: string): void {
    const replayable = !MAYBE_SENT.has(code) || IDEMPOTENT.has(sending.request!.method);
    const next = this.#choice.unreached(entry, this.#options.now(), !sending.failedOver && replayable);
    if (next === undefined) return sending.settle(undefined, code);
    sending.failedOver = true;
    this.#try(sending, next);
  }

  #identity(clientIndex: number): ClientIdentity {
    return (this.#identities[clientIndex] ??= clientIdentity(clientIndex, this.config, this.#options.index ?? 0, this.#credentials?.headersFor(clientIndex)));
  }

  /**
   * The keep-alive pool of a client to entry `entry`, sending from its own address; rebuilt when the
   * entry moved to another port or serves another certificate. Undefined when the entry is not
   * listening; null when it names no origin a client can connect to (resolving or parsing it threw). A
   * TLS proxy is spoken to over https, trusting its own certificate only; with `http2`, HTTP/2 where ALPN
   * agrees to it. `keepAlive: false` is undici's `pipelining: 0` (Connection: close, a new connection per
   * request); it is left out with `http2`, where undici would read it as one stream per connection.
   */
  #pool(entry: number, clientIndex: number): Pool | undefined | null {
    const to = this.#choice.entry(entry);
    let origin: string | undefined;
    let ca: string | undefined;
    try {
      origin = this.#options.resolve(to);
      ca = this.#options.trust?.(to)?.cert;
    } catch {
      return null;
    }
    if (origin === undefined) return undefined;
    if (ca !== undefined && origin.startsWith('http:')) origin = `https:${origin.slice('http:'.length)}`;
    const pools = this.#entryPools[entry];
    if (origin !== pools.origin || ca !== pools.ca) {
      for (const pool of pools.pools) pool?.close().catch(() => {});
      pools.pools = [];
      pools.origin = origin;
      pools.ca = ca;
    }
    try {
      return (pools.pools[clientIndex] ??= new Pool(origin, {
        connections: 32,
        keepAliveTimeout: 4_000,
        localAddress: this.#identity(clientIndex).address,
        connect: { timeout: 2_000, ...(ca !== undefined ? { ca } : {}) },
        ...(this.config.http2 === true ? { allowH2: true } : this.config.keepAlive === false ? { pipelining: 0 } : {}),
      }));
    } catch {
      return null;
    }
  }
}

/** One request of the flow through its tries. */
interface ClientRequest {
  clientIndex: number;
  /** Drawn from the mix (undefined only until it is). */
  request: DrawnRequest | undefined;
  /** It was sent on to another entry after a failed try. */
  failedOver: boolean;
  /** Count its outcome, once: the status, or the client failure's code. */
  settle(status: number | undefined, code: string | undefined): void;
}

/** A flow's `auth` resolved against the gateways; throws InputError naming the field when it cannot be. */
function credentialsOf(options: FlowRunnerOptions): ClientCredentials | undefined {
  const { auth } = options.config;
  if (!auth) return undefined;
  const resolved = resolveFlowAuth({ ...options.config, auth }, options.gateways?.() ?? []);
  if (!resolved.ok) throw InputError.of(resolved.errors);
  return new ClientCredentials(resolved.credentials);
}

/** The stats code of a request that failed at the client: what undici refused to send, or what became of the connection. */
function clientFailure(error: unknown): string {
  const undiciCode = (error as { code?: unknown } | null)?.code;
  if (undiciCode === 'UND_ERR_INVALID_ARG' || undiciCode === 'UND_ERR_NOT_SUPPORTED') return 'CLIENT_INVALID_REQUEST';
  const code = upstreamErrorCode(error);
  return code === 'EDGE_UPSTREAM_REFUSED'
    ? 'CLIENT_CONNECTION_REFUSED'
    : code === 'EDGE_UPSTREAM_RESET'
      ? 'CLIENT_CONNECTION_RESET'
      : `CLIENT_${code}`;
}

/** A target rate as shown: to a tenth, with two significant digits under 10 (0.04 req/s does not read 0). */
function rateFigure(rate: number): number {
  return rate >= 10 || rate === 0 ? Math.round(rate * 10) / 10 : Number(rate.toPrecision(2));
}

/** The mean rate a phase's schedules asked for over its `elapsedMs` so far (its curve's rate at the start before any time has passed). */
function meanRate(asked: number, elapsedMs: number, curve: RateCurve): number {
  return rateFigure(elapsedMs > 0 ? (asked * 1000) / elapsedMs : rateAt(curve, 0));
}
