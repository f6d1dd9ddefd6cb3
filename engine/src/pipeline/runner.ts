/**
 * The runner: takes a request through its node's stages in order and carries out their verdicts. It
 * alone decides what runs next: the next stage, an answer, or a try at an upstream and, when that try
 * fails before anything reached the client, another try (the retry policy and its budget live here,
 * not in a stage; the stage that forwarded only says where a retry goes). Each stage's verdict, with
 * the time it took and its reason, goes into the exchange's trace of stages. An async stage (a JWT
 * verification, a limiter's delay) suspends the request, not the node.
 */
import type { EventBus } from '../bus.ts';
import type { StageStep } from '../events.ts';
import type { Exchange } from './exchange.ts';
import { forward, type ForwardResult, type Hop, type TryOwner } from './forwarder.ts';
import { hasHttp2Body, hasRequestBody } from './headers.ts';
import { describeFailure, failureKind } from './retries/failure-kind.ts';
import { decideRetry, retryBudgetLimit, type RetryPolicy } from './retries/retry-policy.ts';
import type { UpstreamPools } from './upstream-pools.ts';
import { SKIP, type ForwardVerdict, type Stage, type Verdict } from './verdict.ts';

/** A retry policy as the runner applies it: the policy, and each try's own time to the response headers. */
export type RetrySettings = RetryPolicy & { perTryTimeoutMs: number | undefined };

/** What the runner needs of its node: its id and bus, and for a node that forwards, its way upstream. */
export interface RunnerHost {
  readonly id: string;
  readonly bus: EventBus;
  /** Absent on a node whose stages answer every request themselves (a service): a forward there finds no target. */
  readonly upstreams?: Upstreams;
}

/** How a forwarding node reaches its upstreams. */
export interface Upstreams {
  /** The origin of a node id or URL upstream, or undefined when it has no address. */
  resolve(upstream: string): string | undefined;
  readonly pools: UpstreamPools;
  /** This node as a hop (its id, its address for `Forwarded`, its response timeout). */
  hop(): Hop;
}

/** One try at an upstream: the runner's context for it, handed back by the forwarder. */
interface Try {
  stage: Stage<never>;
  verdict: ForwardVerdict;
  number: number;
  startedAt: number;
  /** Upstreams tried before this one. */
  tried: readonly string[];
  /** The verdict of the retry, when this try failed and another follows. */
  next: ForwardVerdict | undefined;
}

export class Runner<L = unknown> implements TryOwner<Try> {
  #stages: readonly Stage<L>[] = [];
  #retry: RetrySettings | undefined;
  /** Tries in flight at this node, and how many of them are retries: the retry budget's numbers. */
  #active = 0;
  #retries = 0;

  constructor(readonly host: RunnerHost) {}

  /** Swap in a new stage list (a new config); requests in flight finish with the stages they started with. */
  configure(stages: readonly Stage<L>[], retry: RetrySettings | undefined): void {
    this.#stages = stages;
    this.#retry = retry;
  }

  get stages(): readonly Stage<L>[] {
    return this.#stages;
  }

  run(exchange: Exchange<L>): void {
    this.#runFrom(exchange, this.#stages, 0, performance.now());
  }

  /**
   * Run the stages from `from`. A step's time runs from the end of the last traced one (`startedAt`):
   * a stage that does not apply (SKIP) costs about a property read, less than reading the clock for it
   * would, so its time goes to the next traced stage and the clock is read once per traced step.
   */
  #runFrom(exchange: Exchange<L>, stages: readonly Stage<L>[], from: number, startedAt: number): void {
    for (let i = from; i < stages.length; i++) {
      const stage = stages[i];
      let verdict: Verdict | Promise<Verdict>;
      try {
        verdict = stage.run(exchange);
      } catch (error) {
        return this.#crashed(exchange, stage, error);
      }
      if (verdict === SKIP) continue;
      if (verdict instanceof Promise) {
        const waitedFrom = startedAt;
        verdict
          .then((settled) => {
            // A wait that ended in SKIP is left out of the trace, and out of the next step's time.
            const endedAt = settled === SKIP ? performance.now() : this.#record(exchange, stage, settled, waitedFrom);
            if (exchange.res.destroyed) return;
            if (!this.#carry(exchange, stage, settled)) this.#runFrom(exchange, stages, i + 1, endedAt);
          })
          // The stage failed, or carrying out its verdict did (an answer with a header Node refuses).
          .catch((error: unknown) => this.#crashed(exchange, stage, error));
        return;
      }
      startedAt = this.#record(exchange, stage, verdict, startedAt);
      try {
        if (this.#carry(exchange, stage, verdict)) return;
      } catch (error) {
        return this.#crashed(exchange, stage, error);
      }
    }
    // Every stage went on and none answered: a node whose stages cannot decide has nowhere to send it.
    exchange.fail('EDGE_NO_ROUTE');
  }

  /** Carry out one stage's verdict; true when the request's course is set (answered, forwarded, handed over). */
  #carry(exchange: Exchange<L>, stage: Stage<L>, verdict: Verdict): boolean {
    switch (verdict.kind) {
      case 'continue':
        return false;
      case 'respond':
        exchange.decision = verdict.decision;
        exchange.fail(verdict.error, verdict.headers);
        return true;
      case 'answer':
        exchange.decision = verdict.decision;
        if (verdict.error !== undefined) exchange.error = verdict.error;
        exchange.answer(verdict.status, verdict.headers, verdict.body);
        return true;
      case 'handled':
        return true;
      case 'forward':
        this.#forward(exchange, stage, verdict, 1, NONE_TRIED);
        return true;
    }
  }

  /** Add the stage's step to the trace (none for SKIP); returns when it ended, where the next step's time starts. */
  #record(exchange: Exchange<L>, stage: Stage<L>, verdict: Verdict, startedAt: number): number {
    if (verdict === SKIP) return startedAt;
    // A forward's reason is its decision's, which `request.forwarded` already carries: not sent twice.
    const reason = verdict.kind === 'continue' || verdict.kind === 'handled' ? verdict.reason : verdict.kind === 'forward' ? undefined : verdict.decision?.reason;
    const endedAt = performance.now();
    const ms = Math.round((endedAt - startedAt) * 1000) / 1000;
    const step: StageStep = reason === undefined ? { stage: stage.name, verdict: verdict.kind, ms } : { stage: stage.name, verdict: verdict.kind, ms, reason };
    if ((verdict.kind === 'continue' || verdict.kind === 'respond') && verdict.limits !== undefined) step.limits = verdict.limits;
    exchange.steps.push(step);
    return endedAt;
  }

  /** A stage threw: a bug, not a verdict. The request gets a 500 naming it; the node goes on serving. */
  #crashed(exchange: Exchange<L>, stage: Stage<L>, error: unknown): void {
    this.host.bus.emit({
      type: 'engine.error',
      node: this.host.id,
      message: `stage ${stage.name} failed on request ${exchange.rid}: ${(error as Error)?.stack ?? String(error)}`,
    });
    exchange.fail('EDGE_INTERNAL');
  }

  /** One try at an upstream; a failed one may be followed by the stage's next verdict (`ended`). */
  #forward(exchange: Exchange<L>, stage: Stage<L>, verdict: ForwardVerdict, number: number, tried: readonly string[]): void {
    const { host } = this;
    host.bus.emit({
      type: 'request.forwarded',
      rid: exchange.rid,
      node: host.id,
      to: verdict.upstream,
      decision: verdict.decision,
      ...(stage.retry === undefined ? {} : { try: number }),
      ...(exchange.consumer === undefined ? {} : { consumer: exchange.consumer.name }),
    });
    const attempt: Try = { stage: stage as Stage<never>, verdict, number, startedAt: performance.now(), tried, next: undefined };
    this.#active++;
    if (number > 1) this.#retries++;
    const upstreams = host.upstreams;
    const origin = upstreams?.resolve(verdict.upstream);
    if (upstreams === undefined || origin === undefined) {
      // The upstream is a node that never started listening: there is no address to send to.
      const failure = { status: undefined, error: 'EDGE_NO_TARGET' } as const;
      if (!this.retries(exchange, attempt, failure)) exchange.fail('EDGE_NO_TARGET', RETRY_IN_A_SECOND);
      this.ended(exchange, attempt, failure);
      return;
    }
    exchange.upstream = verdict.upstream;
    forward(exchange, upstreams.pools.get(origin), verdict.path, upstreams.hop(), this, attempt, verdict.timeout ?? this.#retry?.perTryTimeoutMs);
  }

  /** The forwarder asks, once per failed try: is there another? (TryOwner) */
  retries(exchange: Exchange, attempt: Try, failure: ForwardResult): boolean {
    const policy = this.#retry;
    const { stage } = attempt;
    if (policy === undefined || stage.retry === undefined) return false;
    const kind = failureKind(failure);
    if (kind === undefined || kind === 'aborted') return false;
    const { req } = exchange;
    const active = this.#active;
    const answer = exchange.res.destroyed
      ? { retry: false, reason: 'the client went away', limit: retryBudgetLimit(active, policy.budget) }
      : decideRetry(policy, {
          failure: kind,
          tryNumber: attempt.number,
          method: req.method ?? 'GET',
          // A request body cannot be replayed (it streams through): such requests are never retried.
          hasBody: hasRequestBody(req.headers) || hasHttp2Body(req),
          retries: this.#retries,
          active,
        });
    let reason = answer.reason;
    if (answer.retry) {
      const again = stage.retry(exchange as Exchange<never>, [...attempt.tried, attempt.verdict.upstream], attempt.number + 1);
      if (again.kind === 'forward') attempt.next = again;
      else reason = `no target left to retry (${again.decision?.reason ?? 'none is eligible'})`;
    }
    const next = attempt.next;
    this.host.bus.emit({
      type: 'request.retry',
      rid: exchange.rid,
      node: this.host.id,
      try: attempt.number,
      target: attempt.verdict.upstream,
      failure: describeFailure(failure),
      retrying: next !== undefined,
      ...(next ? { to: next.upstream } : {}),
      reason,
      budget: { retries: this.#retries, limit: answer.limit, active },
    });
    return next !== undefined;
  }

  /** The forwarder tells, once per try, that it is over; a retry follows now. (TryOwner) */
  ended(exchange: Exchange, attempt: Try, result: ForwardResult): void {
    this.#active--;
    if (attempt.number > 1) this.#retries--;
    attempt.stage.settled?.(exchange as Exchange<never>, attempt.verdict, {
      status: result.status,
      error: result.error,
      durationMs: performance.now() - attempt.startedAt,
    });
    const { next } = attempt;
    if (next !== undefined) {
      this.#forward(exchange as Exchange<L>, attempt.stage as Stage<L>, next, attempt.number + 1, [...attempt.tried, attempt.verdict.upstream]);
    }
  }
}

const NONE_TRIED: readonly string[] = [];
const RETRY_IN_A_SECOND = { 'retry-after': '1' };
