/**
 * Client failover on real sockets: a flow with `failover: [edge-b]` in front of two proxies loses under
 * 1% of its requests at 20 req/s when edge-a is killed (a `down` fault), keeps sending to edge-b, and
 * goes back to edge-a once a re-probe is answered; the traffic state and edge-a's client metrics say
 * so. Without a failover list, killing the one entry loses every request, and only the client side can
 * count them. Waits poll the live state, never sleep a fixed time for an outcome.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';
import type { FlowStats } from './stats.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const pair = (flow: Record<string, unknown>) => ({
  version: 1,
  nodes: [
    { id: 'edge-a', kind: 'proxy', to: 'app' },
    { id: 'edge-b', kind: 'proxy', to: 'app' },
    { id: 'app', kind: 'service', latency: '5ms' },
  ],
  traffic: [{ name: 'site', to: 'edge-a', rate: 20, clients: 4, paths: ['/p/{1..9}'], ...flow }],
});

const flow = (): FlowStats => running!.engine.traffic.stats().flows[0];
const settledAfter = (n: number) => waitFor(() => (flow().completed >= n ? true : undefined), 30_000, `${n} requests settled`);

describe('a flow with a failover list', () => {
  it('loses under 1% at 20 req/s when edge-a is killed, then goes back to edge-a after a re-probe', async () => {
    running = await startEngine(pair({ failover: ['edge-b'], failback: '500ms' }));
    await running.engine.startTraffic();
    await settledAfter(20);
    expect(flow().entry).toBe('edge-a');

    const fault = await running.engine.injectFault({ target: 'edge-a', type: 'down' });
    const killedAt = flow().completed;
    await settledAfter(killedAt + 200);
    const during = flow();
    expect(during.entry).toBe('edge-b');
    expect(during.failovers).toBeGreaterThan(0);
    const [a, b] = during.entries!;
    expect(a).toMatchObject({ to: 'edge-a' });
    expect(a.unreached).toBeGreaterThan(0);
    expect(b).toMatchObject({ to: 'edge-b' });
    expect(b.answered).toBeGreaterThanOrEqual(190);

    // The client side, on the flow's first entry: every request counted, almost none lost.
    const clients = running.engine.metrics.snapshot()['edge-a'].clients!;
    expect(clients.requests).toBe(during.completed);
    expect(clients.lost / clients.requests).toBeLessThan(0.01);
    expect(clients.failedOver).toBe(during.failovers);
    expect(during.errorCodes.CLIENT_CONNECTION_REFUSED ?? 0).toBeLessThan(during.completed * 0.01);

    // edge-a is back: the next re-probe (failback 500 ms) is answered and the flow returns to it.
    await running.engine.clearFault(fault.id);
    await waitFor(() => (flow().entry === 'edge-a' ? true : undefined), 10_000, 'the flow back on edge-a');
    const back = flow().entries![0].answered;
    await waitFor(() => (flow().entries![0].answered >= back + 10 ? true : undefined), 10_000, 'edge-a answering again');

    // The traffic state carries it too, and the flow's list (the page's failover control reads it).
    expect(running.engine.trafficState().flows[0]).toMatchObject({ to: 'edge-a', failover: ['edge-b'] });
    const live = running.engine.trafficState().live![0];
    expect(live).toMatchObject({ entry: 'edge-a', failovers: during.failovers });
    expect(live.entries!.map((e) => e.to)).toEqual(['edge-a', 'edge-b']);
  });

  it('without one, killing the entry loses every request, counted at the client side of edge-a', async () => {
    running = await startEngine(pair({}));
    await running.engine.injectFault({ target: 'edge-a', type: 'down' });
    await running.engine.startTraffic();
    await settledAfter(10);
    const stats = flow();
    expect(stats.statusClasses).toEqual({});
    expect(stats.entries).toBeUndefined();
    expect(running.engine.trafficState().flows[0].failover).toBeUndefined();
    const metrics = running.engine.metrics.snapshot();
    expect(metrics['edge-a'].clients).toMatchObject({ lost: metrics['edge-a'].clients!.requests, failedOver: 0, '2xx': 0 });
    expect(metrics['edge-a'].requests).toBe(0);
    expect(metrics['edge-b'].clients).toBeUndefined();
  });
});
