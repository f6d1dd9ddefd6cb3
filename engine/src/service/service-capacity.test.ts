/** The capacity gate on its own: slots, the FIFO queue, rejections, live limit changes. Clock injected. */
import { describe, expect, it } from 'vitest';
import { CapacityGate, type CapacityLimits, type CapacityRejection } from './service-capacity.ts';

/** A gate with a clock the test moves, and a log of what happened to each waiter. */
function setup(limits: CapacityLimits) {
  let clock = 1_000;
  const gate = new CapacityGate(limits, () => clock);
  const log: string[] = [];
  const ask = (name: string) => {
    if (gate.tryAcquire()) {
      log.push(`${name} started`);
      return () => {};
    }
    return gate.enqueue({
      start: (waited) => log.push(`${name} started after ${waited}`),
      reject: (code: CapacityRejection, waited) => log.push(`${name} ${code} after ${waited}`),
    });
  };
  return { gate, log, ask, advance: (ms: number) => (clock += ms) };
}

describe('CapacityGate', () => {
  it('processes N at once, queues M first in first out, turns away the rest', () => {
    const { gate, log, ask, advance } = setup({ concurrency: 2, queue: 2, queueTimeout: undefined });
    for (const name of ['a', 'b', 'c', 'd', 'e']) ask(name);
    expect(log).toEqual(['a started', 'b started', 'e SERVICE_OVERLOADED after 0']);
    expect(gate.state()).toMatchObject({ inFlight: 2, queued: 2, rejected: 1, timedOut: 0, saturated: true });
    advance(40);
    gate.release();
    advance(10);
    gate.release();
    expect(log.slice(3)).toEqual(['c started after 40', 'd started after 50']);
    expect(gate.state()).toMatchObject({ inFlight: 2, queued: 0, saturated: false });
  });

  it('without limits everything starts at once', () => {
    const { gate, log, ask } = setup({ concurrency: undefined, queue: 0, queueTimeout: undefined });
    for (let i = 0; i < 100; i++) ask(`r${i}`);
    expect(log.every((l) => l.endsWith('started'))).toBe(true);
    expect(gate.state()).toMatchObject({ inFlight: 100, concurrency: null, saturated: false });
  });

  it('a waiter whose client left gives up its place', () => {
    const { gate, log, ask } = setup({ concurrency: 1, queue: 2, queueTimeout: undefined });
    ask('a');
    const leaveB = ask('b');
    ask('c');
    leaveB();
    expect(gate.state().queued).toBe(1);
    ask('d');
    gate.release();
    expect(log).toEqual(['a started', 'c started after 0']);
    expect(gate.state()).toMatchObject({ queued: 1, rejected: 0 });
  });

  it('a waiter that waited queueTimeout is turned away (real timer)', async () => {
    const gate = new CapacityGate({ concurrency: 1, queue: 5, queueTimeout: 30 });
    expect(gate.tryAcquire()).toBe(true);
    const began = performance.now();
    const outcome = await new Promise<string>((resolve) =>
      gate.enqueue({ start: () => resolve('started'), reject: (code, waited) => resolve(`${code} ${waited >= 30}`) }),
    );
    expect(outcome).toBe('SERVICE_QUEUE_TIMEOUT true');
    expect(performance.now() - began).toBeGreaterThanOrEqual(29);
    expect(gate.state()).toMatchObject({ queued: 0, rejected: 1, timedOut: 1 });
  });

  it('an override shrinks the concurrency, requests in flight finish, and clearing it starts the queue at once', () => {
    const { gate, log, ask } = setup({ concurrency: 3, queue: 5, queueTimeout: undefined });
    for (const name of ['a', 'b', 'c']) ask(name);
    gate.setOverride(1);
    ask('d');
    ask('e');
    expect(gate.state()).toMatchObject({ inFlight: 3, queued: 2, concurrency: 1, configuredConcurrency: 3 });
    gate.release();
    gate.release();
    expect(log).not.toContain('d started after 0');
    gate.release();
    expect(log.at(-1)).toBe('d started after 0');
    gate.setOverride(undefined);
    expect(log.at(-1)).toBe('e started after 0');
    expect(gate.state()).toMatchObject({ inFlight: 2, queued: 0, concurrency: 3 });
  });

  it('an override without configured capacity has no queue: beyond the limit is turned away', () => {
    const { gate, log, ask } = setup({ concurrency: undefined, queue: 0, queueTimeout: undefined });
    gate.setOverride(1);
    ask('a');
    ask('b');
    expect(log).toEqual(['a started', 'b SERVICE_OVERLOADED after 0']);
  });

  it('new limits apply to the queue at once: more slots start waiters, a shorter queue drops the newest, a shorter timeout expires the old', () => {
    const { gate, log, ask, advance } = setup({ concurrency: 1, queue: 4, queueTimeout: undefined });
    for (const name of ['a', 'b', 'c', 'd', 'e']) ask(name);
    advance(100);
    gate.setLimits({ concurrency: 2, queue: 2, queueTimeout: undefined });
    expect(log.slice(1)).toEqual(['b started after 100', 'e SERVICE_OVERLOADED after 100']);
    gate.setLimits({ concurrency: 2, queue: 3, queueTimeout: undefined });
    ask('f');
    advance(50);
    gate.setLimits({ concurrency: 2, queue: 3, queueTimeout: 120 });
    expect(log.slice(3)).toEqual(['c SERVICE_QUEUE_TIMEOUT after 150', 'd SERVICE_QUEUE_TIMEOUT after 150']);
    expect(gate.state()).toMatchObject({ queued: 1, rejected: 3, timedOut: 2, queueTimeoutMs: 120 });
    gate.close();
  });
});
