/**
 * What a request-time stage tells the node's runner. Stages never throw to steer the flow; only the
 * runner decides what happens next.
 */
import type { EdgeErrorCode } from '../errors.ts';
import type { Decision } from '../events.ts';
import type { Exchange } from './node-server.ts';

export type Verdict =
  /** Nothing to do here: the runner moves on to the next stage. */
  | { kind: 'continue' }
  /** Answer now with this edge error (its status comes from the catalogue); nothing is forwarded. */
  | { kind: 'respond'; error: EdgeErrorCode; headers?: Record<string, string>; decision?: Decision }
  /**
   * Send the request to `upstream` (a node id or URL) at `path`. The stage has recorded why in
   * `decision`; `settle` is called once the exchange with that upstream ends, so a stage can learn
   * from it (a picker's in-flight count, for instance).
   */
  | ForwardVerdict;

export interface ForwardVerdict {
  kind: 'forward';
  upstream: string;
  path: string;
  decision: Decision;
  settle?: (outcome: ForwardOutcome) => void;
  /** The try number, reported in `request.forwarded` (a balancer's retries count 2, 3...). */
  try?: number;
  /** Time to the upstream's response headers for this try, instead of the node's response timeout. */
  timeout?: number;
  /**
   * Asked at most once, when this try failed (an error, or a 5xx status) before anything reached the
   * client. A verdict back means: drop this try's answer and forward that one instead; the runner
   * always carries it out (after this try's `settle`). Undefined lets the failure go to the client.
   */
  retry?: (failure: TryFailure) => ForwardVerdict | undefined;
}

export interface TryFailure {
  status: number | undefined;
  error: EdgeErrorCode | undefined;
}

export interface ForwardOutcome extends TryFailure {
  durationMs: number;
}

export interface Stage {
  readonly name: string;
  run(exchange: Exchange): Verdict;
}

export const CONTINUE: Verdict = { kind: 'continue' };
