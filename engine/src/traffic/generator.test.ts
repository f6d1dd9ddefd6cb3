/** The traffic generator against a real engine: open-loop rate, distinct client addresses, honest latency. */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../events.ts';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const config = (latency: string, rate: number, clients: number) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's' },
    { id: 's', kind: 'service', latency },
  ],
  traffic: [{ to: 'edge', rate, clients, paths: ['/items/{1..3}'] }],
});

describe('TrafficGenerator', () => {
  it('sends from one loopback address per client, so the first hop sees real client IPs', async () => {
    running = await startEngine(config('1ms', 100, 3), { traffic: true });
    await waitFor(() => (running!.engine.traffic.stats().completed >= 30 ? true : undefined));
    const peers = new Set(
      running.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received' && e.node === 'edge').map((e) => e.peer),
    );
    expect([...peers].sort()).toEqual(['127.0.1.1', '127.0.2.1', '127.0.3.1']);
    const paths = new Set(running.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received').map((e) => e.path));
    expect([...paths].every((p) => /^\/items\/[123]$/.test(p))).toBe(true);
  });

  it('keeps an open-loop rate that does not slow down when responses are slow', async () => {
    // 40 req/s for 1.5 s against a 300 ms service: a closed loop over 2 clients would send about 10.
    running = await startEngine(config('300ms', 40, 2), { traffic: true });
    await new Promise((r) => setTimeout(r, 1_500));
    await running.engine.stopTraffic();
    const sent = running.engine.traffic.stats().sent;
    // Timers on a shared 2-core machine may run late but never skip intended sends: 1 + 1.5 s * 40.
    expect(sent).toBeGreaterThanOrEqual(55);
    expect(sent).toBeLessThanOrEqual(63);
    await waitFor(() => (running!.engine.traffic.stats().outstanding === 0 ? true : undefined));
    const stats = running.engine.traffic.stats();
    expect(stats.statusClasses['2xx']).toBe(sent);
    expect(stats.latency.p50).toBeGreaterThanOrEqual(300);
  });

  it('counts failures by code when the target is down', async () => {
    running = await startEngine(config('1ms', 50, 2), { traffic: false });
    await running.engine.injectFault({ target: 'edge', type: 'down' });
    await running.engine.startTraffic();
    await waitFor(() => (running!.engine.traffic.stats().completed >= 5 ? true : undefined));
    expect(running.engine.traffic.stats().errorCodes).toHaveProperty('CLIENT_CONNECTION_REFUSED');
  });
});
