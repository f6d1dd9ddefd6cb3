/**
 * A proxy, gateway or balancer with a `capacity`, on real sockets: it processes N at once, queues M,
 * and turns the rest away with 503 EDGE_OVERLOADED (or EDGE_QUEUE_TIMEOUT after `queueTimeout`) before
 * any of its stages run, so the service behind stays idle; the numbers are in the topology's `service`
 * field and the refusals in the node's metrics and trace, as a service's are. A node without capacity
 * runs no capacity stage at all. Waits poll the live state, never sleep a fixed time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import type { EventOf } from '../events.ts';
import type { CapacityState } from '../service/service-capacity.ts';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

type Kind = 'proxy' | 'gateway' | 'balancer';

/** `front` of the given kind in front of one slow service `s1`. */
const chain = (kind: Kind, capacity?: Record<string, unknown>) => {
  const fields = kind === 'proxy' ? { to: 's1' } : kind === 'gateway' ? { routes: [{ match: { path: '/*' }, to: 's1' }] } : { targets: ['s1'] };
  return {
    version: 1,
    nodes: [
      { id: 'front', kind, ...fields, ...(capacity ? { capacity } : {}) },
      { id: 's1', kind: 'service', latency: '300ms' },
    ],
  };
};

const stateOf = (id: string): CapacityState | undefined => running!.engine.topology().find((n) => n.id === id)!.service;

const completedAt = (node: string) =>
  running!.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.node === node);

describe.each(['proxy', 'gateway', 'balancer'] as const)('a %s with a capacity', (kind) => {
  it('processes N at once, queues M, turns the rest away with EDGE_OVERLOADED before forwarding', async () => {
    running = await startEngine(chain(kind, { concurrency: 1, queue: 1 }));
    const url = running.url('front', '/work');
    const two = [fetch(url), fetch(url)];
    await waitFor(() => (stateOf('front')?.queued === 1 ? true : undefined), 5_000, '1 in flight and 1 queued');
    expect(stateOf('front')).toMatchObject({ inFlight: 1, queued: 1, concurrency: 1, queueLimit: 1, saturated: true });

    const third = await fetch(url);
    expect(third.status).toBe(503);
    expect(third.headers.get('x-edgelab-error')).toBe('EDGE_OVERLOADED');
    expect(third.headers.get('retry-after')).toBe('1');
    await third.body?.cancel();
    expect((await Promise.all(two)).map((r) => r.status)).toEqual([200, 200]);

    await waitFor(() => (running!.engine.metrics.snapshot().front?.requests === 3 ? true : undefined), 3_000, 'three completions at front');
    const metrics = running.engine.metrics.snapshot();
    expect(metrics.front.errorCodes).toEqual({ EDGE_OVERLOADED: 1 });
    // The refused request never left the node: the service behind answered only the two.
    expect(metrics.s1.requests).toBe(2);
    expect(stateOf('front')).toMatchObject({ inFlight: 0, queued: 0, rejected: 1, timedOut: 0, saturated: false });

    const refused = completedAt('front').find((e) => e.error === 'EDGE_OVERLOADED')!;
    expect(refused.status).toBe(503);
    expect(refused.stages).toEqual([
      expect.objectContaining({ stage: 'capacity', verdict: 'respond', reason: 'capacity: 1 of 1 busy and the queue full (1 of 1) -> 503' }),
    ]);
    const queued = completedAt('front').filter((e) => e.status === 200).map((e) => e.stages![0]);
    expect(queued.map((s) => s.stage)).toEqual(['capacity', 'capacity']);
    expect(queued.some((s) => /queued 1st of 1; started after \d+ ms/.test(s.reason ?? ''))).toBe(true);
  });

  it('a request that waits queueTimeout gets 503 EDGE_QUEUE_TIMEOUT', async () => {
    running = await startEngine(chain(kind, { concurrency: 1, queue: 3, queueTimeout: '50ms' }));
    const first = fetch(running.url('front', '/a'));
    await waitFor(() => (stateOf('front')?.inFlight === 1 ? true : undefined), 5_000, 'one in flight');
    const second = await fetch(running.url('front', '/b'));
    expect(second.status).toBe(503);
    expect(second.headers.get('x-edgelab-error')).toBe('EDGE_QUEUE_TIMEOUT');
    await second.body?.cancel();
    expect((await first).status).toBe(200);
    expect(stateOf('front')).toMatchObject({ rejected: 1, timedOut: 1, queued: 0 });
  });
});

describe('capacity changes live', () => {
  /** The stages the last request completed at front passed. */
  const lastStages = async (path: string) => {
    const before = completedAt('front').length;
    expect((await fetch(running!.url('front', path))).status).toBe(200);
    const done = await waitFor(() => completedAt('front')[before], 3_000, 'the request completed at front');
    return done.stages!.map((s) => s.stage);
  };

  it('a node without capacity runs no capacity stage and shows none; a new config adds it, another removes it', async () => {
    running = await startEngine(chain('gateway'));
    expect(await lastStages('/a')).not.toContain('capacity');
    expect(stateOf('front')).toBeUndefined();

    await apply(chain('gateway', { concurrency: 3, queue: 0 }));
    expect((await lastStages('/b'))[0]).toBe('capacity');
    expect(stateOf('front')).toMatchObject({ concurrency: 3, queueLimit: 0, inFlight: 0 });

    // A slot taken under the limit comes back after the limit is removed, and the view goes away.
    const held = fetch(running.url('front', '/slow'));
    await waitFor(() => (stateOf('front')?.inFlight === 1 ? true : undefined), 5_000, 'one in flight');
    await apply(chain('gateway'));
    expect(stateOf('front')).toBeUndefined();
    expect((await held).status).toBe(200);
    expect(await lastStages('/c')).not.toContain('capacity');
  });
});

async function apply(input: unknown): Promise<void> {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  await running!.engine.apply(result.config, input);
}
