/** The circuit breaker as a specification: each row is an input at a time, and the state it leaves. */
import { describe, expect, it } from 'vitest';
import { circuitAdmits, CLOSED_CIRCUIT, coolDownLeft, stepCircuit, type Circuit, type CircuitInput } from './circuit-breaker.ts';

const config = { consecutiveFailures: 3, coolDownMs: 1_000, trialRequests: 2 };
const fail = (trial = false): CircuitInput => ({ type: 'FAILURE', trial, failure: 'EDGE_UPSTREAM_REFUSED' });
const ok = (trial = false): CircuitInput => ({ type: 'SUCCESS', trial });
const tick: CircuitInput = { type: 'TIME_PASSED' };
const trial: CircuitInput = { type: 'TRIAL_STARTED' };

type Row = [at: number, input: CircuitInput, state: Circuit['state'], admits: boolean, change?: RegExp];

/** Runs the rows in order from a closed circuit, checking the state, admission and change after each. */
function run(rows: Row[]): void {
  let circuit = CLOSED_CIRCUIT;
  rows.forEach(([at, input, state, admits, change], i) => {
    const step = stepCircuit(circuit, input, at, config);
    circuit = step.circuit;
    const where = `row ${i}: ${input.type} at ${at}`;
    expect(circuit.state, where).toBe(state);
    expect(circuitAdmits(circuit, config), where).toBe(admits);
    if (change) expect(step.change, where).toMatch(change);
    else expect(step.change, where).toBeUndefined();
  });
}

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures, and a success in between starts the count again', () => {
    run([
      [0, fail(), 'closed', true],
      [1, fail(), 'closed', true],
      [2, ok(), 'closed', true],
      [3, fail(), 'closed', true],
      [4, fail(), 'closed', true],
      [5, fail(), 'open', false, /^3 consecutive failures reached the threshold of 3 \(last: EDGE_UPSTREAM_REFUSED\)$/],
    ]);
  });

  it('stays open for the cool-down, then half-opens and admits exactly the trial requests', () => {
    run([
      [0, fail(), 'closed', true],
      [0, fail(), 'closed', true],
      [100, fail(), 'open', false, /threshold/],
      [600, tick, 'open', false],
      [1_099, tick, 'open', false],
      [1_100, tick, 'half-open', true, /^the 1000 ms cool-down is over: admitting 2 trial requests$/],
      [1_101, trial, 'half-open', true],
      [1_102, trial, 'half-open', false],
      [1_150, ok(true), 'half-open', false],
      [1_160, ok(true), 'closed', true, /^2 of 2 trial requests succeeded$/],
    ]);
  });

  it('a failed trial opens it again for a fresh cool-down', () => {
    let circuit = CLOSED_CIRCUIT;
    for (const [at, input] of [
      [0, fail()],
      [0, fail()],
      [0, fail()],
      [1_000, tick],
      [1_000, trial],
      [1_200, fail(true)],
    ] as const) {
      circuit = stepCircuit(circuit, input, at, config).circuit;
    }
    expect(circuit).toMatchObject({ state: 'open', openedAt: 1_200 });
    expect(coolDownLeft(circuit, 1_700, config)).toBe(500);
    expect(stepCircuit(circuit, tick, 2_199, config).circuit.state).toBe('open');
    expect(stepCircuit(circuit, tick, 2_200, config).circuit.state).toBe('half-open');
  });

  it('ignores answers to requests sent before it opened, while open and while half-open', () => {
    run([
      [0, fail(), 'closed', true],
      [0, fail(), 'closed', true],
      [0, fail(), 'open', false, /threshold/],
      [10, ok(), 'open', false],
      [20, fail(), 'open', false],
      [1_000, tick, 'half-open', true, /cool-down/],
      [1_010, ok(), 'half-open', true],
      [1_020, fail(), 'half-open', true],
    ]);
  });

  it('an abandoned trial frees its slot', () => {
    run([
      [0, fail(), 'closed', true],
      [0, fail(), 'closed', true],
      [0, fail(), 'open', false, /threshold/],
      [1_000, tick, 'half-open', true, /cool-down/],
      [1_000, trial, 'half-open', true],
      [1_000, trial, 'half-open', false],
      [1_010, { type: 'TRIAL_ABANDONED' }, 'half-open', true],
    ]);
  });

  it('with a threshold of 1, the first failure opens it', () => {
    const step = stepCircuit(CLOSED_CIRCUIT, fail(), 5, { ...config, consecutiveFailures: 1 });
    expect(step.circuit).toMatchObject({ state: 'open', openedAt: 5 });
  });
});
