/**
 * A node's capacity stage, its first (a service's after reading the body): the request takes one of the
 * node's slots (service/service-capacity.ts) or waits in its queue, first in first out; a full queue or
 * a wait of `queueTimeout` answers 503 with Retry-After and the gate's code (SERVICE_* or EDGE_*). A queued request suspends here (the stage is async only then), and a client that leaves
 * while queued gives up its place. The slot goes back when the response closes, through one listener
 * shared by every request. With no concurrency limit in force the slot is only counted, and untraced.
 */
import type { CapacityGate, CapacityRejection, Waiter } from '../service/service-capacity.ts';
import type { Exchange } from './exchange.ts';
import { SKIP, type RespondVerdict, type Stage, type Verdict } from './verdict.ts';

/** Told when a queued request got its slot, with how long it waited (a service says it in its answer). */
export type OnStarted<L> = (exchange: Exchange<L>, waitedMs: number) => void;

/** A turned-away client may try again in a second: the queue moves at the pace of the node's latency. */
const RETRY_AFTER = { 'retry-after': '1' };

export function createCapacityStage<L>(gate: CapacityGate, onStarted?: OnStarted<L>): Stage<L> {
  // Once per config, not per request: every started request's response calls it when it closes.
  const release = (): void => gate.release();
  return {
    name: 'capacity',
    run(exchange) {
      if (gate.tryAcquire()) {
        exchange.res.on('close', release);
        const limit = gate.concurrency;
        return limit === Infinity ? SKIP : { kind: 'continue', reason: `capacity: took a slot, ${gate.inFlight} of ${limit} now busy` };
      }
      const waiting = new QueuedRequest(exchange, gate, release, onStarted);
      const leave = gate.enqueue(waiting);
      // Turned away at once: the queue was full.
      if (waiting.verdict !== undefined) return waiting.verdict;
      waiting.position = gate.queued;
      exchange.res.once('close', leave);
      return new Promise<Verdict>((resolve) => {
        waiting.resolve = resolve;
      });
    },
  };
}

/** A request that found every slot busy: started or turned away later, or turned away at once. */
class QueuedRequest<L> implements Waiter {
  /** Its place in the queue when it joined (1 is next); 0 until it joined. */
  position = 0;
  /** The verdict, when it came before the stage returned its promise (a full queue). */
  verdict: Verdict | undefined = undefined;
  resolve: ((verdict: Verdict) => void) | undefined = undefined;
  readonly #busy: number;
  readonly #limit: number;
  readonly #queueLimit: number;

  constructor(
    readonly exchange: Exchange<L>,
    readonly gate: CapacityGate,
    readonly release: () => void,
    readonly onStarted: OnStarted<L> | undefined,
  ) {
    this.#busy = gate.inFlight;
    this.#limit = gate.concurrency;
    this.#queueLimit = gate.limits.queue;
  }

  start(waitedMs: number): void {
    // The slot is this request's from now, even if its client leaves before the runner resumes it.
    this.exchange.res.on('close', this.release);
    this.onStarted?.(this.exchange, waitedMs);
    this.#settle({ kind: 'continue', reason: `${this.#queuedText()}; started after ${roundMs(waitedMs)} ms` });
  }

  reject(code: CapacityRejection, waitedMs: number): void {
    const { queue, queueTimeout } = this.gate.limits;
    let reason: string;
    if (this.position === 0) {
      const full = queue === 0 ? 'no queue' : `the queue full (${this.gate.queued} of ${queue})`;
      reason = `capacity: ${this.#busy} of ${this.#limit} busy and ${full} -> 503`;
    } else if (code === this.gate.codes.queueTimeout) {
      reason = `${this.#queuedText()}; waited ${roundMs(waitedMs)} ms, the queue timeout (${queueTimeout} ms) -> 503`;
    } else {
      reason = `${this.#queuedText()}; turned away after ${roundMs(waitedMs)} ms when the queue shrank to ${queue} -> 503`;
    }
    const verdict: RespondVerdict = { kind: 'respond', error: code, headers: RETRY_AFTER, decision: { stage: 'capacity', reason } };
    this.#settle(verdict);
  }

  #queuedText(): string {
    return `capacity: ${this.#busy} of ${this.#limit} busy, queued ${ordinal(this.position)} of ${this.#queueLimit}`;
  }

  #settle(verdict: Verdict): void {
    if (this.resolve === undefined) this.verdict = verdict;
    else this.resolve(verdict);
  }
}

function roundMs(ms: number): number {
  return Math.round(ms);
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}
