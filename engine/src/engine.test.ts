/**
 * Engine.resetMetrics on real traffic: every count a learner reads as a count goes back to zero on the
 * API the page reads (`/api/metrics`, and the inspectors' views in `/api/topology`), and no state does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from './server.ts';
import { startEngine, waitFor, type RunningEngine } from './testing/harness.ts';

let running: RunningEngine | undefined;
let control: ControlServer | undefined;
afterEach(async () => {
  await control?.close();
  await running?.stop();
  running = control = undefined;
});

const config = {
  version: 1,
  name: 'Reset test',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'api', cache: {}, compression: true },
    {
      id: 'api',
      kind: 'gateway',
      routes: [
        // A bucket of 2 that refills one token every 100 s: the third request is refused, and so is the next after the reset.
        { match: { path: '/users/*' }, to: 'lb', rateLimit: { algorithm: 'token-bucket', rate: 0.01, burst: 2, key: 'ip' } },
        { match: { path: '/orders/*' }, to: 'orders' },
        { match: { path: '/slow/*' }, to: 'slow' },
      ],
    },
    { id: 'lb', kind: 'balancer', targets: ['s1', 's2'] },
    { id: 's1', kind: 'service', responseSize: '4KB' },
    { id: 's2', kind: 'service', responseSize: '4KB' },
    { id: 'orders', kind: 'service', responseSize: '4KB', cache: [{ path: '/orders/*', cacheControl: 'public, max-age=600' }] },
    { id: 'slow', kind: 'service', latency: '400ms', capacity: { concurrency: 1, queue: 0 } },
  ],
};

const GZIP = { 'accept-encoding': 'gzip' };

interface Views {
  metrics: Record<string, { requests: number; cache?: Record<string, number>; targets?: Record<string, number> }>;
  nodes: Record<string, Record<string, any>>;
}

async function read(url: string): Promise<Views> {
  const metrics = (await (await fetch(`${url}/api/metrics`)).json()).nodes;
  const topology = await (await fetch(`${url}/api/topology`)).json();
  return { metrics, nodes: Object.fromEntries(topology.nodes.map((n: { id: string }) => [n.id, n])) };
}

describe('Engine.resetMetrics', () => {
  it('zeroes every count the page reads (node metrics, route hits, limiter tallies, cache words and history, compression, capacity refusals, picks) and keeps the state', async () => {
    running = await startEngine(config);
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    const url = control.url;
    const get = (path: string) => fetch(running!.url('edge', path), { headers: GZIP });

    expect((await get('/orders/1')).headers.get('x-cache')).toBe('MISS');
    expect((await get('/orders/1')).headers.get('x-cache')).toBe('HIT');
    expect((await Promise.all(['/users/1', '/users/2', '/users/3'].map(async (p) => (await get(p)).status))).sort()).toEqual([200, 200, 429]);
    // One slow request holds the service's only slot; the next is turned away at once.
    const first = get('/slow/a');
    await waitFor(() => (running!.engine.topology().find((n) => n.id === 'slow')?.service?.inFlight === 1 ? true : undefined));
    expect((await get('/slow/b')).status).toBe(503);
    expect((await first).status).toBe(200);

    const before = await read(url);
    expect(before.metrics.edge.requests).toBe(7);
    expect(before.nodes.api.gateway.routes.map((r: { hits: number }) => r.hits).sort()).toEqual([1, 2, 3]);
    expect(before.nodes.api.gateway.limits[0].inspection).toMatchObject({ allowed: 2, rejected: 1, keys: 1 });
    expect(before.nodes.edge.cache).toMatchObject({ entries: 1, words: { HIT: 1 } });
    expect(before.nodes.edge.cache.words.MISS).toBeGreaterThan(0);
    expect(before.nodes.edge.cache.history.length).toBeGreaterThan(0);
    expect(before.nodes.edge.compression.responses).toBeGreaterThan(0);
    expect(before.nodes.edge.compression.saved).toBeGreaterThan(0);
    expect(before.nodes.slow.service.rejected).toBe(1);
    expect(before.nodes.lb.targets.map((t: { picks: number }) => t.picks)).toEqual([1, 1]);

    const answer = await fetch(`${url}/api/metrics/reset`, { method: 'POST' });
    expect(answer.status).toBe(200);

    const after = await read(url);
    for (const [id, node] of Object.entries(after.metrics)) expect(node.requests, id).toBe(0);
    expect(after.nodes.api.gateway.routes.map((r: { hits: number }) => r.hits)).toEqual([0, 0, 0]);
    const limit = after.nodes.api.gateway.limits[0].inspection;
    expect(limit).toMatchObject({ allowed: 0, rejected: 0, delayed: 0, evictedIdle: 0, evictedForced: 0, topByUse: [], topByRejections: [] });
    expect(after.nodes.edge.cache).toMatchObject({ words: { HIT: 0, MISS: 0, STALE: 0, REVALIDATED: 0, BYPASS: 0, COLLAPSED: 0 }, hitRatio: 0, history: [] });
    expect(after.nodes.edge.compression).toEqual({ responses: 0, bytesIn: 0, bytesOut: 0, saved: 0, failures: 0 });
    expect(after.nodes.slow.service).toMatchObject({ rejected: 0, timedOut: 0 });
    expect(after.nodes.lb.targets.map((t: { picks: number }) => t.picks)).toEqual([0, 0]);

    // State stays: the stored response, the limiter's key and its empty bucket.
    expect(after.nodes.edge.cache.entries).toBe(1);
    expect(limit.keys).toBe(1);
    expect((await get('/orders/1')).headers.get('x-cache')).toBe('HIT');
    expect((await get('/users/4')).status).toBe(429);
    // And counting goes on from zero.
    const again = await read(url);
    expect(again.nodes.edge.cache.words).toMatchObject({ HIT: 1, MISS: 1 });
    expect(again.nodes.api.gateway.limits[0].inspection).toMatchObject({ allowed: 0, rejected: 1 });
    expect(again.metrics.edge.requests).toBe(2);
  });
});
