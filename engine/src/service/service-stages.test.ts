/**
 * The service's stages on real sockets, read from the trace each request's `request.completed`
 * carries: which stages a request passed, in order, with each decision's sentence (a slot or the
 * queue, an injected error, the latency waited, a 304), and that a plain request's trace is the answer
 * alone. Times are only bounded from below (a loaded machine is slower, never wrong).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf, StageStep } from '../events.ts';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';
import { ordinal } from '../pipeline/capacity-stage.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const withService = (service: Record<string, unknown>) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1' },
    { id: 's1', kind: 'service', ...service },
  ],
});

/** The completion of the request with this id at s1, once it is in. */
async function completion(rid: string): Promise<EventOf<'request.completed'>> {
  return waitFor(
    () => running!.events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.node === 's1' && e.rid === rid),
    5_000,
    `the completion of ${rid}`,
  );
}

async function traced(path: string, init: RequestInit = {}): Promise<{ status: number; steps: StageStep[]; event: EventOf<'request.completed'> }> {
  const rid = `t-${Math.random().toString(36).slice(2)}`;
  const res = await fetch(running!.url('s1', path), { ...init, headers: { ...(init.headers as Record<string, string>), 'x-request-id': rid } });
  await res.arrayBuffer();
  const event = await completion(rid);
  return { status: res.status, steps: event.stages ?? [], event };
}

const shape = (steps: StageStep[]) => steps.map((s) => [s.stage, s.verdict]);

describe('the service on the stage pipeline', () => {
  it('a plain request passes the answer alone, with no sentence', async () => {
    running = await startEngine(withService({}));
    const { status, steps } = await traced('/items/1');
    expect(status).toBe(200);
    expect(shape(steps)).toEqual([['answer', 'handled']]);
    expect(steps[0].reason).toBeUndefined();
    expect(steps[0].ms).toBeGreaterThanOrEqual(0);
  });

  it('capacity and latency say what they decided: a slot taken, the wait, then the answer', async () => {
    running = await startEngine(withService({ latency: '60ms', capacity: { concurrency: 2, queue: 1 } }));
    const { steps } = await traced('/a');
    expect(shape(steps)).toEqual([
      ['capacity', 'continue'],
      ['latency', 'continue'],
      ['answer', 'handled'],
    ]);
    expect(steps[0].reason).toBe('capacity: took a slot, 1 of 2 now busy');
    expect(steps[1].reason).toBe('latency: waited 60 ms (fixed 60 ms)');
    // The latency stage's time is its real wait (timers fire a little early or late, never much early).
    expect(steps[1].ms).toBeGreaterThanOrEqual(55);
  });

  it('a queued request says its place and its wait; a turned-away one says why, as the answer decision', async () => {
    running = await startEngine(withService({ latency: '200ms', capacity: { concurrency: 1, queue: 1 } }));
    const first = traced('/first');
    await waitFor(() => running!.engine.topology().find((n) => n.id === 's1')!.service!.inFlight === 1, 5_000, 'one in flight');
    const second = traced('/second');
    await waitFor(() => running!.engine.topology().find((n) => n.id === 's1')!.service!.queued === 1, 5_000, 'one queued');
    const third = await traced('/third');
    expect(third.status).toBe(503);
    expect(shape(third.steps)).toEqual([['capacity', 'respond']]);
    expect(third.steps[0].reason).toBe('capacity: 1 of 1 busy and the queue full (1 of 1) -> 503');
    expect(third.event.decision).toEqual({ stage: 'capacity', reason: third.steps[0].reason });
    expect(third.event.error).toBe('SERVICE_OVERLOADED');

    const queued = await second;
    expect(queued.status).toBe(200);
    expect(queued.steps[0].stage).toBe('capacity');
    expect(queued.steps[0].reason).toMatch(/^capacity: 1 of 1 busy, queued 1st of 1; started after \d+ ms$/);
    expect(queued.steps[0].ms).toBeGreaterThanOrEqual(150);
    expect((await first).status).toBe(200);
  });

  it('a queue timeout says how long it waited', async () => {
    running = await startEngine(withService({ latency: '400ms', capacity: { concurrency: 1, queue: 2, queueTimeout: '80ms' } }));
    const first = traced('/first');
    await waitFor(() => running!.engine.topology().find((n) => n.id === 's1')!.service!.inFlight === 1, 5_000, 'one in flight');
    const late = await traced('/late');
    expect(late.status).toBe(503);
    expect(late.steps[0].reason).toMatch(/^capacity: 1 of 1 busy, queued 1st of 2; waited \d+ ms, the queue timeout \(80 ms\) -> 503$/);
    expect(late.event.error).toBe('SERVICE_QUEUE_TIMEOUT');
    await first;
  });

  it('an injected error is decided by the fault stage, and answered after the latency', async () => {
    running = await startEngine(withService({ errorRate: 1, errorStatus: 502, latency: { distribution: 'uniform', min: '10ms', max: '20ms' } }));
    const { status, steps, event } = await traced('/x');
    expect(status).toBe(502);
    expect(shape(steps)).toEqual([
      ['fault', 'continue'],
      ['latency', 'continue'],
      ['answer', 'handled'],
    ]);
    expect(steps[0].reason).toBe('fault: injected a 502 (error rate 100%)');
    expect(steps[1].reason).toMatch(/^latency: waited 1\d(\.\d+)? ms \(uniform 10-20 ms\)$/);
    expect(event.error).toBe('SERVICE_INJECTED_ERROR');
  });

  it('a conditional request whose copy is current gets its 304 from the cache stage', async () => {
    running = await startEngine(withService({ cache: [{ path: '/static/*', etag: true }] }));
    const first = await fetch(running.url('s1', '/static/a'));
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await traced('/static/a', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(shape(again.steps)).toEqual([['cache', 'handled']]);
    expect(again.steps[0].reason).toBe("cache: the client's copy is current -> 304 Not Modified");
    const other = await traced('/static/a', { headers: { 'if-none-match': '"other"' } });
    expect(other.status).toBe(200);
    expect(shape(other.steps)).toEqual([
      ['cache', 'continue'],
      ['answer', 'handled'],
    ]);
  });

  it('a request body is read, and the answer waits for its end', async () => {
    running = await startEngine(withService({}));
    const { status, steps } = await traced('/upload', { method: 'POST', body: 'x'.repeat(50_000) });
    expect(status).toBe(200);
    expect(steps[0]).toMatchObject({ stage: 'body', verdict: 'continue', reason: 'body: reading the request body; the answer waits for its end' });
    expect(steps.at(-1)?.stage).toBe('answer');
  });
});

describe('ordinal', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [112, '112th'],
  ])('%i is %s', (n, text) => expect(ordinal(n)).toBe(text));
});
