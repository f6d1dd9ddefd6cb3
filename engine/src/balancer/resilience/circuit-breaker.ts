/**
 * A circuit breaker per target, written as the state machine it is. Closed counts consecutive failures
 * and opens at the threshold. Open refuses every request until its cool-down is over, then turns
 * half-open. Half-open admits `trialRequests` trial requests: once all of them have succeeded it
 * closes; the first trial that fails opens it again for another cool-down.
 * Pure: the caller passes the time and keeps the circuit each step returns, so a table of inputs
 * and times is the whole specification (circuit-breaker.test.ts).
 */
import type { CircuitState } from '../../events.ts';

export interface CircuitConfig {
  /** Consecutive failures that open a closed circuit. */
  consecutiveFailures: number;
  /** How long an open circuit refuses requests before it admits trials. */
  coolDownMs: number;
  /** Trial requests a half-open circuit admits; all must succeed for it to close. */
  trialRequests: number;
}

export interface Circuit {
  readonly state: CircuitState;
  /** Consecutive failures counted while closed. */
  readonly failures: number;
  /** When the circuit last opened (ms on the caller's clock). */
  readonly openedAt: number;
  /** Half-open: trial requests admitted and not yet finished. */
  readonly trialsInFlight: number;
  /** Half-open: trial requests that succeeded. */
  readonly trialSuccesses: number;
}

/**
 * What the circuit hears about. `trial` says whether the finished request was admitted as a trial
 * while half-open: only trials decide a half-open circuit, and late answers to requests sent before
 * it opened are ignored.
 */
export type CircuitInput =
  | { type: 'SUCCESS'; trial: boolean }
  | { type: 'FAILURE'; trial: boolean; failure: string }
  | { type: 'TRIAL_STARTED' }
  /** A trial ended neither way (its client left): its slot is free again. */
  | { type: 'TRIAL_ABANDONED' }
  | { type: 'TIME_PASSED' };

export interface CircuitStep {
  circuit: Circuit;
  /** Set when the state changed: why, in one sentence a learner can read. */
  change?: string;
}

export const CLOSED_CIRCUIT: Circuit = { state: 'closed', failures: 0, openedAt: 0, trialsInFlight: 0, trialSuccesses: 0 };

type InputOf<T extends CircuitInput['type']> = Extract<CircuitInput, { type: T }>;
type Handlers = {
  [T in CircuitInput['type']]?: (circuit: Circuit, input: InputOf<T>, now: number, config: CircuitConfig) => CircuitStep;
};

/** The transition table: an input a state does not list leaves the circuit as it is. */
const MACHINE: Record<CircuitState, Handlers> = {
  closed: {
    SUCCESS: (c) => ({ circuit: { ...c, failures: 0 } }),
    FAILURE: (c, input, now, config) => {
      const failures = c.failures + 1;
      if (failures < config.consecutiveFailures) return { circuit: { ...c, failures } };
      return open(now, `${failures} consecutive failures reached the threshold of ${config.consecutiveFailures} (last: ${input.failure})`);
    },
  },
  open: {
    TIME_PASSED: (c, _input, now, config) =>
      now - c.openedAt < config.coolDownMs
        ? { circuit: c }
        : {
            circuit: { ...c, state: 'half-open', trialsInFlight: 0, trialSuccesses: 0 },
            change: `the ${config.coolDownMs} ms cool-down is over: admitting ${plural(config.trialRequests, 'trial request')}`,
          },
  },
  'half-open': {
    TRIAL_STARTED: (c) => ({ circuit: { ...c, trialsInFlight: c.trialsInFlight + 1 } }),
    TRIAL_ABANDONED: (c) => ({ circuit: { ...c, trialsInFlight: Math.max(0, c.trialsInFlight - 1) } }),
    SUCCESS: (c, input, _now, config) => {
      if (!input.trial) return { circuit: c };
      const trialSuccesses = c.trialSuccesses + 1;
      if (trialSuccesses < config.trialRequests) {
        return { circuit: { ...c, trialsInFlight: Math.max(0, c.trialsInFlight - 1), trialSuccesses } };
      }
      return { circuit: CLOSED_CIRCUIT, change: `${trialSuccesses} of ${config.trialRequests} trial requests succeeded` };
    },
    FAILURE: (c, input, now) => (input.trial ? open(now, `a trial request failed (${input.failure})`) : { circuit: c }),
  },
};

export function stepCircuit(circuit: Circuit, input: CircuitInput, now: number, config: CircuitConfig): CircuitStep {
  const handler = MACHINE[circuit.state][input.type] as
    ((circuit: Circuit, input: CircuitInput, now: number, config: CircuitConfig) => CircuitStep) | undefined;
  return handler ? handler(circuit, input, now, config) : { circuit };
}

/** Whether a new request may go to the target (call after `TIME_PASSED`, so a finished cool-down counts). */
export function circuitAdmits(circuit: Circuit, config: CircuitConfig): boolean {
  switch (circuit.state) {
    case 'closed':
      return true;
    case 'open':
      return false;
    case 'half-open':
      return circuit.trialsInFlight + circuit.trialSuccesses < config.trialRequests;
  }
}

/** Milliseconds until an open circuit turns half-open (0 when it is not open). */
export function coolDownLeft(circuit: Circuit, now: number, config: CircuitConfig): number {
  return circuit.state === 'open' ? Math.max(0, circuit.openedAt + config.coolDownMs - now) : 0;
}

function open(now: number, change: string): CircuitStep {
  return { circuit: { state: 'open', failures: 0, openedAt: now, trialsInFlight: 0, trialSuccesses: 0 }, change };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
