/**
 * What a request-time stage tells the node's runner (runner.ts). Stages never throw to steer the flow;
 * only the runner decides what happens next, retries included. A stage is built once from the node's
 * config by its factory (one stage per file, beside its node kind); its `run` may be async (a JWT
 * verification, a limiter's delay) and may keep per-request state on the exchange.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { EdgeErrorCode } from '../errors.ts';
import type { Decision, LimitDecisionView, StageName } from '../events.ts';
import type { Exchange } from './exchange.ts';

export type Verdict =
  /** Nothing to stop here: the runner moves on to the next stage. `reason` goes in the trace when the stage decided something. */
  | ContinueVerdict
  /** Answer now with this edge error (its status comes from the catalogue); nothing is forwarded. */
  | RespondVerdict
  /** Answer now with this full response (a stage's own: an aggregate's merged body, a cached entry). */
  | AnswerVerdict
  /** Send the request upstream; the stage has recorded why in `decision`. */
  | ForwardVerdict
  /**
   * The stage has answered by itself, or arranged to (it streams its own response, as an aggregate or a
   * service does): the runner stops and the stage owns the exchange from here. `reason` goes in the trace.
   */
  | HandledVerdict;

export interface ContinueVerdict {
  kind: 'continue';
  reason?: string;
  /** A rate limit's decisions, for the trace. */
  limits?: LimitDecisionView[];
}

export interface RespondVerdict {
  kind: 'respond';
  error: EdgeErrorCode;
  headers?: Record<string, string>;
  decision?: Decision;
  /** A rate limit's decisions, for the trace. */
  limits?: LimitDecisionView[];
}

export interface AnswerVerdict {
  kind: 'answer';
  status: number;
  headers: OutgoingHttpHeaders;
  body?: string | Buffer;
  decision?: Decision;
  /** The edge error this answer stands for, when it is one (a failed aggregate): it goes in `request.completed`. */
  error?: EdgeErrorCode;
}

export interface HandledVerdict {
  kind: 'handled';
  reason?: string;
}

export interface ForwardVerdict<T = unknown> {
  kind: 'forward';
  /** A node id or URL upstream. */
  upstream: string;
  /** The request target sent upstream (path and query). */
  path: string;
  decision: Decision;
  /** The stage's own handle on this try (a balancer's target state), handed back to `settled` and `retry`. */
  target?: T;
  /** Time to the upstream's response headers for this try, instead of the node's response timeout. */
  timeout?: number;
}

export interface TryFailure {
  status: number | undefined;
  error: EdgeErrorCode | undefined;
}

export interface ForwardOutcome extends TryFailure {
  durationMs: number;
}

export interface Stage<L = unknown> {
  readonly name: StageName;
  run(exchange: Exchange<L>): Verdict | Promise<Verdict>;
  /**
   * A forwarding stage that learns from its tries (a picker's in-flight count, health) is told once per
   * try it produced, when the exchange with that upstream ends.
   */
  settled?(exchange: Exchange<L>, verdict: ForwardVerdict, outcome: ForwardOutcome): void;
  /**
   * A forwarding stage that can send a failed request elsewhere (a balancer) gives try `tryNumber` a
   * verdict, leaving out the upstreams already `tried`: a forward, or a respond when none is left. The
   * runner decides whether to try again (retry policy, budget); the stage only says where.
   */
  retry?(exchange: Exchange<L>, tried: readonly string[], tryNumber: number): ForwardVerdict | RespondVerdict;
}

export const CONTINUE: ContinueVerdict = { kind: 'continue' };
/** The stage does not apply to this request (a route without a transform): go on, and leave it out of the trace. */
export const SKIP: ContinueVerdict = { kind: 'continue' };
export const HANDLED: HandledVerdict = { kind: 'handled' };
