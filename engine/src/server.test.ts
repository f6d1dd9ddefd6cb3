/** The control API on real sockets: reads, config replacement, traffic, faults, and who may write. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './http/read-body.ts';
import { precompressFolder } from './proxy/compression/precompress.ts';
import type { TopologyNode } from './engine.ts';
import type { NodeMetrics } from './events.ts';
import { startControlServer, type ControlServer } from './server.ts';
import { parseEventId } from './stream/event-id.ts';
import { SseTestClient } from './stream/sse-test-client.ts';
import { rawHttp, startEngine, waitFor, type RunningEngine } from './testing/harness.ts';

let running: RunningEngine | undefined;
let control: ControlServer | undefined;
afterEach(async () => {
  await control?.close();
  await running?.stop();
  running = control = undefined;
});

const sandbox = () => ({
  version: 1,
  name: 'API test',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'lb' },
    { id: 'lb', kind: 'balancer', targets: ['s1', 's2'] },
    { id: 's1', kind: 'service', latency: '5ms' },
    { id: 's2', kind: 'service', latency: '5ms' },
  ],
  traffic: [{ name: 'browse', to: 'edge', rate: 50, clients: 4, paths: ['/users/{1..9}'] }],
});

async function setup(config: unknown = sandbox()): Promise<string> {
  running = await startEngine(config, { metricsIntervalMs: 100 });
  control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
  return control.url;
}

const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Every kind of count a node keeps for its inspector: a caching, compressing proxy, a gateway with a limited route, a balancer, a service with one slot. */
const countingSandbox = {
  version: 1,
  name: 'Counting',
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

/** What the page reads: every node's metrics, and the inspectors' views in the topology, by node id. */
interface PageCounts {
  metrics: Record<string, NodeMetrics>;
  nodes: Record<string, TopologyNode>;
}

async function readPageCounts(url: string): Promise<PageCounts> {
  const metrics = (await (await fetch(`${url}/api/metrics`)).json()).nodes;
  const topology = await (await fetch(`${url}/api/topology`)).json();
  return { metrics, nodes: Object.fromEntries(topology.nodes.map((n: TopologyNode) => [n.id, n])) };
}

describe('control API', () => {
  it('reports health, topology with real ports, and the config as written', async () => {
    const url = await setup();
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ status: 'ok' });
    const topology = await (await fetch(`${url}/api/topology`)).json();
    expect(topology.name).toBe('API test');
    expect(topology.nodes.map((n: { id: string; state: string }) => `${n.id}:${n.state}`)).toEqual(['edge:up', 'lb:up', 's1:up', 's2:up']);
    expect(topology.nodes[0].port).toBe(running!.port('edge'));
    expect(topology.nodes[1]).toMatchObject({ algorithm: 'round-robin', next: 's1', upstreams: [{ to: 's1', weight: 1 }, { to: 's2', weight: 1 }] });
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox());
  });

  it('counts real requests in /api/metrics and in Prometheus text', async () => {
    const url = await setup();
    for (let i = 0; i < 4; i++) expect((await fetch(running!.url('edge', `/users/${i}`))).status).toBe(200);
    const metrics = await (await fetch(`${url}/api/metrics`)).json();
    expect(metrics.nodes.edge).toMatchObject({ requests: 4, inFlight: 0, errors: 0, statusClasses: { '2xx': 4 } });
    expect(metrics.nodes.s1.requests + metrics.nodes.s2.requests).toBe(4);
    expect(metrics.nodes.s1.requests).toBe(2);
    expect(metrics.algorithms.lb).toMatchObject({ algorithm: 'round-robin', next: 's1', targets: [{ id: 's1', picks: 2 }, { id: 's2', picks: 2 }] });
    const prom = await (await fetch(`${url}/metrics`)).text();
    expect(prom).toMatch(/edgelab_requests_total\{node="edge",status_class="2xx"\} 4/);
    expect(prom).toMatch(/edgelab_request_duration_seconds_bucket\{.*node="edge".*\} \d+/);
    expect(prom).toMatch(/edgelab_in_flight\{node="s1"\} 0/);
  });

  it("exposes a balancer's returning keys and each node's active faults in Prometheus text, as /api/metrics counts them", async () => {
    const url = await setup();
    // One client address (127.0.0.1) through a round-robin balancer: after its first pick, every pick is of a key seen before.
    for (let i = 0; i < 5; i++) expect((await fetch(running!.url('lb', `/users/${i}`))).status).toBe(200);
    expect((await fetch(`${url}/api/faults`, json('POST', { target: 's2', type: 'down' }))).status).toBe(201);
    expect((await fetch(`${url}/api/faults`, json('POST', { target: 'lb->s2', type: 'latency', ms: 5 }))).status).toBe(201);
    const keys = (await (await fetch(`${url}/api/metrics`)).json()).nodes.lb.keys;
    expect(keys.stayed + keys.moved + keys.rehomed).toBe(4);
    const prom = await (await fetch(`${url}/metrics`)).text();
    for (const outcome of ['stayed', 'moved', 'rehomed']) expect(prom).toContain(`edgelab_balancer_keys_total{node="lb",outcome="${outcome}"} ${keys[outcome]}\n`);
    expect(prom).not.toContain('edgelab_balancer_keys_total{node="edge"');
    expect(prom).toContain('# TYPE edgelab_active_faults gauge');
    expect(prom).toContain('edgelab_active_faults{node="s2"} 2\n');
    expect(prom).toContain('edgelab_active_faults{node="s1"} 0\n');
    expect((await fetch(`${url}/api/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('edgelab_active_faults{node="s2"} 0\n');
  });

  it('resets every node\'s counts (POST /api/metrics/reset) and says so on the stream with the zeroed snapshot', async () => {
    const url = await setup();
    for (let i = 0; i < 4; i++) expect((await fetch(running!.url('edge', `/users/${i}`))).status).toBe(200);
    expect((await (await fetch(`${url}/api/metrics`)).json()).nodes.lb).toMatchObject({ requests: 4, targets: { s1: 2, s2: 2 } });
    const stream = await SseTestClient.connect(`${url}/api/events`);
    try {
      const answer = await fetch(`${url}/api/metrics/reset`, { method: 'POST' });
      expect(answer.status).toBe(200);
      expect((await answer.json()).reset).toEqual(['edge', 'lb', 's1', 's2']);
      const after = (await (await fetch(`${url}/api/metrics`)).json()).nodes;
      for (const id of ['edge', 'lb', 's1', 's2']) expect(after[id], id).toMatchObject({ requests: 0, errors: 0, statusClasses: { '2xx': 0 } });
      expect(after.lb.targets).toBeUndefined();
      const reset = await waitFor(() => stream.events.find((e) => e.type === 'metrics.reset'), 5_000, 'the metrics.reset event');
      expect(reset.type === 'metrics.reset' && reset.nodes.edge).toMatchObject({ kind: 'proxy', requests: 0 });
      // Counting goes on from zero.
      expect((await fetch(running!.url('edge', '/users/1'))).status).toBe(200);
      expect((await (await fetch(`${url}/api/metrics`)).json()).nodes.edge.requests).toBe(1);
      expect((await fetch(`${url}/api/metrics/reset`)).status).toBe(405);
    } finally {
      stream.close();
    }
  });

  it('resets every count the page reads on POST /api/metrics/reset (node metrics, route hits, limiter tallies, cache words and history, compression, capacity refusals, picks) and keeps the state', async () => {
    const url = await setup(countingSandbox);
    const get = (path: string) => fetch(running!.url('edge', path), { headers: GZIP });

    expect((await get('/orders/1')).headers.get('x-cache')).toBe('MISS');
    expect((await get('/orders/1')).headers.get('x-cache')).toBe('HIT');
    expect((await Promise.all(['/users/1', '/users/2', '/users/3'].map(async (p) => (await get(p)).status))).sort()).toEqual([200, 200, 429]);
    // One slow request holds the service's only slot; the next is turned away at once.
    const first = get('/slow/a');
    await waitFor(() => (running!.engine.topology().find((n) => n.id === 'slow')?.service?.inFlight === 1 ? true : undefined));
    expect((await get('/slow/b')).status).toBe(503);
    expect((await first).status).toBe(200);

    const before = await readPageCounts(url);
    expect(before.metrics.edge.requests).toBe(7);
    expect(before.nodes.api.gateway!.routes.map((r) => r.hits).sort()).toEqual([1, 2, 3]);
    expect(before.nodes.api.gateway!.limits[0].inspection).toMatchObject({ allowed: 2, rejected: 1, keys: 1 });
    expect(before.nodes.edge.cache).toMatchObject({ entries: 1, words: { HIT: 1 } });
    expect(before.nodes.edge.cache!.words.MISS).toBeGreaterThan(0);
    expect(before.nodes.edge.cache!.history.length).toBeGreaterThan(0);
    expect(before.nodes.edge.compression!.responses).toBeGreaterThan(0);
    expect(before.nodes.edge.compression!.saved).toBeGreaterThan(0);
    expect(before.nodes.slow.service!.rejected).toBe(1);
    expect(before.nodes.lb.targets!.map((t) => t.picks)).toEqual([1, 1]);

    const answer = await fetch(`${url}/api/metrics/reset`, { method: 'POST' });
    expect(answer.status).toBe(200);

    const after = await readPageCounts(url);
    for (const [id, node] of Object.entries(after.metrics)) expect(node.requests, id).toBe(0);
    expect(after.nodes.api.gateway!.routes.map((r) => r.hits)).toEqual([0, 0, 0]);
    const limit = after.nodes.api.gateway!.limits[0].inspection!;
    expect(limit).toMatchObject({ allowed: 0, rejected: 0, delayed: 0, evictedIdle: 0, evictedForced: 0, topByUse: [], topByRejections: [] });
    expect(after.nodes.edge.cache).toMatchObject({ words: { HIT: 0, MISS: 0, STALE: 0, REVALIDATED: 0, BYPASS: 0, COLLAPSED: 0 }, hitRatio: 0, history: [] });
    expect(after.nodes.edge.compression).toEqual({ responses: 0, bytesIn: 0, bytesOut: 0, saved: 0, failures: 0 });
    expect(after.nodes.slow.service).toMatchObject({ rejected: 0, timedOut: 0 });
    expect(after.nodes.lb.targets!.map((t) => t.picks)).toEqual([0, 0]);

    // State stays: the stored response, the limiter's key and its empty bucket.
    expect(after.nodes.edge.cache!.entries).toBe(1);
    expect(limit.keys).toBe(1);
    expect((await get('/orders/1')).headers.get('x-cache')).toBe('HIT');
    expect((await get('/users/4')).status).toBe(429);
    // And counting goes on from zero.
    const again = await readPageCounts(url);
    expect(again.nodes.edge.cache!.words).toMatchObject({ HIT: 1, MISS: 1 });
    expect(again.nodes.api.gateway!.limits[0].inspection).toMatchObject({ allowed: 0, rejected: 1 });
    expect(again.metrics.edge.requests).toBe(2);
  });

  it('rejects a bad config with every error and keeps the running one', async () => {
    const url = await setup();
    const bad = sandbox();
    (bad.nodes[1] as { targets: string[] }).targets = ['s1', 'users-9'];
    bad.nodes[3].id = 's1';
    const res = await fetch(`${url}/api/config`, json('PUT', bad));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors).toEqual(expect.arrayContaining([{ path: 'nodes[3].id', node: 's1', message: 'duplicate id "s1" (also nodes[2])' }]));
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox());
    expect((await fetch(running!.url('edge', '/still-works'))).status).toBe(200);
    const notJson = await fetch(`${url}/api/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(/invalid JSON/);
  });

  it('validates a config without applying it (POST /api/config/validate)', async () => {
    const url = await setup();
    const bad = sandbox();
    bad.nodes[3].id = 's1';
    const refused = await fetch(`${url}/api/config/validate`, json('POST', bad));
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ ok: false, errors: expect.arrayContaining([{ path: 'nodes[3].id', node: 's1', message: 'duplicate id "s1" (also nodes[2])' }]) });
    const renamed = { ...sandbox(), name: 'Checked only' };
    expect(await (await fetch(`${url}/api/config/validate`, json('POST', renamed))).json()).toEqual({ ok: true, errors: [], warnings: [] });
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox());
    expect((await fetch(`${url}/api/config/validate`)).status).toBe(405);
  });

  it('applies a good config without dropping requests in flight', async () => {
    const url = await setup();
    const slow = sandbox();
    slow.nodes[2].latency = '400ms';
    slow.nodes[3].latency = '400ms';
    expect((await fetch(`${url}/api/config`, json('PUT', slow))).status).toBe(200);
    const edgePort = running!.port('edge');
    const inFlight = Array.from({ length: 6 }, (_, i) => fetch(running!.url('edge', `/u/${i}`)).then((r) => r.status));
    await waitFor(() => running!.engine.metrics.snapshot().s1.inFlight > 0 || undefined);
    const next = { ...slow, name: 'Renamed', nodes: [...slow.nodes, { id: 's3', kind: 'service' }] };
    (next.nodes[1] as { targets: string[] }).targets = ['s1', 's2', 's3'];
    const res = await fetch(`${url}/api/config`, json('PUT', next));
    expect(await res.json()).toMatchObject({ applied: true, name: 'Renamed', failures: [] });
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(running!.port('edge')).toBe(edgePort);
    const topology = await (await fetch(`${url}/api/topology`)).json();
    expect(topology.nodes.map((n: { id: string }) => n.id)).toEqual(['edge', 'lb', 's1', 's2', 's3']);
  });

  it('runs an empty sandbox (no nodes): no listeners, the config as written, and a first node added to it', async () => {
    const url = await setup();
    const empty = { version: 1, name: 'Empty', nodes: [], traffic: [] };
    expect(await (await fetch(`${url}/api/config`, json('PUT', empty))).json()).toEqual({ applied: true, name: 'Empty', failures: [] });
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(empty);
    expect((await (await fetch(`${url}/api/topology`)).json()).nodes).toEqual([]);
    expect((await (await fetch(`${url}/api/metrics`)).json()).nodes).toEqual({});
    const first = { ...empty, nodes: [{ id: 's1', kind: 'service' }] };
    expect((await fetch(`${url}/api/config`, json('PUT', first))).status).toBe(200);
    expect((await fetch(running!.url('s1', '/hello'))).status).toBe(200);
  });

  it('tags the config (ETag) and applies a PUT with If-Match only over the config the client read: 412 and nothing applied otherwise', async () => {
    const url = await setup();
    const read = await fetch(`${url}/api/config`);
    const tag = read.headers.get('etag')!;
    expect(tag).toMatch(/^"[\w-]+"$/);
    // Another tab applies a config (a new name): the tag changes with it, and the PUT answer carries the new one.
    const theirs = { ...sandbox(), name: 'Theirs' };
    const put = await fetch(`${url}/api/config`, json('PUT', theirs));
    const theirTag = put.headers.get('etag');
    expect(theirTag).not.toBe(tag);
    expect((await fetch(`${url}/api/config`)).headers.get('etag')).toBe(theirTag);
    // A save over the config read before: refused, theirs runs on.
    const mine = { ...sandbox(), name: 'Mine' };
    const stale = await fetch(`${url}/api/config`, { ...json('PUT', mine), headers: { 'content-type': 'application/json', 'if-match': tag } });
    expect(stale.status).toBe(412);
    expect((await stale.json()).error).toContain('the running config changed since it was read; nothing was applied');
    expect(stale.headers.get('etag')).toBe(theirTag);
    expect(running!.engine.config?.name).toBe('Theirs');
    // A weak tag never matches (strong comparison); the current tag, a list holding it, or * do.
    const withTag = (ifMatch: string, body: unknown) => fetch(`${url}/api/config`, { ...json('PUT', body), headers: { 'content-type': 'application/json', 'if-match': ifMatch } });
    expect((await withTag(`W/${theirTag}`, mine)).status).toBe(412);
    const current = await withTag(`"nope", ${theirTag}`, mine);
    expect(current.status).toBe(200);
    expect(running!.engine.config?.name).toBe('Mine');
    expect((await withTag('*', theirs)).status).toBe(200);
    expect(running!.engine.config?.name).toBe('Theirs');
  });

  it('refuses a config body over 1 MiB (PUT and validate alike) with 413 before reading it as JSON; the running config stays', async () => {
    const url = await setup();
    const huge = JSON.stringify({ ...sandbox(), name: 'x'.repeat(MAX_BODY_BYTES) });
    for (const [method, path] of [['PUT', '/api/config'], ['POST', '/api/config/validate']]) {
      const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: huge });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ errors: [{ path: '(body)', message: `larger than ${MAX_BODY_BYTES} bytes` }] });
    }
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox());
  });

  it('keeps layout hints through PUT and GET, reports them in the topology, and a change of them alone reconfigures nothing', async () => {
    const url = await setup();
    const applied: number[] = [];
    const unsubscribe = running!.engine.bus.subscribe((event) => {
      if (event.type === 'config.applied') applied.push(event.generation);
    });
    const moved = { ...sandbox(), layout: { positions: { lb: { x: 300, y: 40 } } } };
    const res = await fetch(`${url}/api/config`, json('PUT', moved));
    expect(res.status).toBe(200);
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(moved);
    expect((await (await fetch(`${url}/api/topology`)).json()).layout).toEqual({ positions: { lb: { x: 300, y: 40 } } });
    expect(applied).toEqual([]);
    // The same config sent again, and any other change, are applied as ever.
    expect((await fetch(`${url}/api/config`, json('PUT', moved))).status).toBe(200);
    expect(applied).toHaveLength(1);
    const slower = { ...moved, nodes: moved.nodes.map((n) => (n.id === 's1' ? { ...n, latency: '6ms' } : n)) };
    expect((await fetch(`${url}/api/config`, json('PUT', slower))).status).toBe(200);
    expect(applied).toHaveLength(2);
    unsubscribe();
  });

  it('applies a config with a route that can never match, and says so in its answer', async () => {
    const url = await setup();
    const config = {
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          routes: [
            { match: { path: '/*' }, to: 's' },
            { match: { path: '/*' }, to: 's' },
          ],
        },
        { id: 's', kind: 'service' },
      ],
    };
    const res = await fetch(`${url}/api/config`, json('PUT', config));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ applied: true, warnings: [{ path: 'nodes[0].routes[1]', message: expect.stringMatching(/never match/) }] });
  });

  it('while a config waits on a replaced node\'s request, the topology shows the old node stopping, and a config sent then runs after it', async () => {
    const slow = { ...sandbox(), nodes: sandbox().nodes.map((n) => (n.kind === 'service' ? { ...n, latency: '300ms' } : n)) };
    const url = await setup(slow);
    await running!.engine.stopTraffic();
    const withLb = (lb: object) => ({ ...slow, nodes: slow.nodes.map((n) => (n.id === 'lb' ? { id: 'lb', ...lb } : n)) });
    // The balancer has a request in flight: the first config, replacing it, waits for that request.
    const inFlight = fetch(running!.url('lb', '/users/1')).then((res) => res.status);
    await waitFor(() => running!.engine.metrics.snapshot().lb?.inFlight === 1 || undefined);
    const first = fetch(`${url}/api/config`, json('PUT', withLb({ kind: 'proxy', to: 's1' })));
    // The old balancer has stopped listening, its request still in flight: the first config waits for it.
    await waitFor(() => running!.events.some((e) => e.type === 'node.state' && e.node === 'lb' && e.state === 'stopped') || undefined);
    const during = await fetch(`${url}/api/topology`);
    expect(during.status).toBe(200);
    expect((await during.json()).nodes.find((n: TopologyNode) => n.id === 'lb')).toMatchObject({ kind: 'balancer', state: 'stopped' });
    expect((await fetch(`${url}/api/metrics`)).status).toBe(200);
    const second = fetch(`${url}/api/config`, json('PUT', withLb({ kind: 'service' })));
    expect([(await first).status, (await second).status, await inFlight]).toEqual([200, 200, 200]);
    const lb = (await (await fetch(`${url}/api/topology`)).json()).nodes.find((n: TopologyNode) => n.id === 'lb');
    expect([lb.kind, lb.state]).toEqual(['service', 'up']);
  });

  it('a config that removes a node answers at once; the removed node finishes its requests in flight behind it', async () => {
    const url = await setup();
    const slow = sandbox();
    slow.nodes[3].latency = '1500ms';
    expect((await fetch(`${url}/api/config`, json('PUT', slow))).status).toBe(200);
    const s2Port = running!.port('s2');
    const inFlight = fetch(`http://127.0.0.1:${s2Port}/slow`).then((r) => r.status);
    await waitFor(() => running!.engine.metrics.snapshot().s2.inFlight > 0 || undefined);
    const without = { ...slow, nodes: slow.nodes.filter((n) => n.id !== 's2') };
    (without.nodes[1] as { targets: string[] }).targets = ['s1'];
    const startedAt = performance.now();
    const res = await fetch(`${url}/api/config`, json('PUT', without));
    expect(await res.json()).toMatchObject({ applied: true, failures: [] });
    // Before, the PUT waited for the 1.5 s request (or forever, with a long enough latency).
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(await inFlight).toBe(200);
    // Its listener closed with the PUT: a new node can take the port.
    await expect(fetch(`http://127.0.0.1:${s2Port}/`)).rejects.toThrow();
    const reuse = { ...without, nodes: [...without.nodes, { id: 's9', kind: 'service', listen: s2Port }] };
    (reuse.nodes[1] as { targets: string[] }).targets = ['s1', 's9'];
    expect(await (await fetch(`${url}/api/config`, json('PUT', reuse))).json()).toMatchObject({ applied: true, failures: [] });
  });

  it('a node replaced under its id (another kind) finishes its requests first: none is counted as the new node\'s', async () => {
    const url = await setup();
    const slow = sandbox();
    slow.nodes[3].latency = '600ms';
    expect((await fetch(`${url}/api/config`, json('PUT', slow))).status).toBe(200);
    const inFlight = fetch(running!.url('s2', '/slow')).then((r) => r.status);
    await waitFor(() => running!.engine.metrics.snapshot().s2.inFlight > 0 || undefined);
    const replaced = structuredClone(slow) as { nodes: Array<Record<string, unknown>> };
    replaced.nodes[3] = { id: 's2', kind: 'proxy', to: 's1' };
    expect(await (await fetch(`${url}/api/config`, json('PUT', replaced))).json()).toMatchObject({ applied: true, failures: [] });
    expect(await inFlight).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The old service's request completed before the proxy under its id began counting.
    expect(running!.engine.metrics.snapshot().s2).toMatchObject({ requests: 0, inFlight: 0 });
  });

  it('stopping the engine cuts a removed node that is still draining', async () => {
    const url = await setup();
    const stuck = sandbox();
    stuck.nodes[3].latency = '10m';
    expect((await fetch(`${url}/api/config`, json('PUT', stuck))).status).toBe(200);
    const inFlight = fetch(running!.url('s2', '/stuck')).then(
      (r) => r.status,
      () => 'cut',
    );
    await waitFor(() => running!.engine.metrics.snapshot().s2.inFlight > 0 || undefined);
    const without = { ...stuck, nodes: stuck.nodes.filter((n) => n.id !== 's2') };
    (without.nodes[1] as { targets: string[] }).targets = ['s1'];
    expect((await fetch(`${url}/api/config`, json('PUT', without))).status).toBe(200);
    await control!.close();
    control = undefined;
    await running!.stop();
    running = undefined;
    expect(await inFlight).toBe('cut');
  });

  it('starts, changes and stops traffic', async () => {
    const url = await setup();
    const started = await (await fetch(`${url}/api/traffic`, json('POST', { action: 'start', rate: 40 }))).json();
    expect(started).toMatchObject({ running: true, flows: [{ name: 'browse', to: 'edge', rate: 40, clients: 4 }] });
    await waitFor(() => (running!.engine.metrics.snapshot().edge.requests >= 5 ? true : undefined));
    const stopped = await (await fetch(`${url}/api/traffic`, json('POST', { action: 'stop' }))).json();
    expect(stopped.running).toBe(false);
    const bad = await fetch(`${url}/api/traffic`, json('POST', { action: 'start', rate: -3 }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^rate: /);
    expect((await fetch(`${url}/api/traffic`, json('POST', { action: 'dance' }))).status).toBe(400);
    expect((await fetch(`${url}/api/traffic`, json('POST', { action: 'start', to: 'ghost' }))).status).toBe(400);
  });

  it('stops a service with a down fault (502 refused) and starts it again on the same port', async () => {
    const url = await setup();
    const port = running!.port('s2');
    const res = await fetch(`${url}/api/faults`, json('POST', { target: 's2', type: 'down' }));
    expect(res.status).toBe(201);
    const fault = await res.json();
    expect(fault).toEqual({ id: expect.any(String), target: 's2', type: 'down', source: 'api', startedAt: expect.any(Number) });
    expect(await (await fetch(`${url}/api/faults`)).json()).toEqual([fault]);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(running!.url('edge', '/x'));
      statuses.push(`${r.status} ${r.headers.get('x-edgelab-error') ?? ''}`.trim());
    }
    expect(statuses.sort()).toEqual(['200', '200', '502 EDGE_UPSTREAM_REFUSED', '502 EDGE_UPSTREAM_REFUSED']);
    expect((await fetch(`${url}/api/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(running!.port('s2')).toBe(port);
    for (let i = 0; i < 4; i++) expect((await fetch(running!.url('edge', '/y'))).status).toBe(200);
    expect((await fetch(`${url}/api/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(404);
    const kinds = running!.events.filter((e) => e.type === 'fault.started' || e.type === 'fault.ended').map((e) => e.type);
    expect(kinds).toEqual(['fault.started', 'fault.ended']);
  });

  it.each([
    [{ target: 'ghost', type: 'down' }, 'target: unknown node "ghost"'],
    [{ target: 's1', type: 'meltdown' }, 'type: expected one of "down", "hang", "latency"'],
    [{ target: 's1' }, 'type: '],
    [{ target: 's1', type: 'down', extra: 1 }, 'extra: unknown key'],
  ])('rejects the fault %j', async (body, message) => {
    const url = await setup();
    const res = await fetch(`${url}/api/faults`, json('POST', body));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain(message);
  });

  it('a request target that is no path (//[) is a 400 naming it, not an internal error', async () => {
    const url = await setup();
    const res = await rawHttp(control!.port, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toBe('not a request path: "//["');
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
  });

  it('refuses writes from another origin, cross-site, or without JSON, and foreign Host headers', async () => {
    const url = await setup();
    const foreign = await fetch(`${url}/api/traffic`, json('POST', { action: 'stop' }, { origin: 'http://evil.example' }));
    expect(foreign.status).toBe(403);
    const crossSite = await fetch(`${url}/api/traffic`, json('POST', { action: 'stop' }, { 'sec-fetch-site': 'cross-site' }));
    expect(crossSite.status).toBe(403);
    const form = await fetch(`${url}/api/traffic`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"action":"stop"}' });
    expect(form.status).toBe(415);
    const { request } = await import('undici');
    const rebound = await request(`${url}/api/health`, { headers: { host: 'attacker.example' } });
    expect(rebound.statusCode).toBe(421);
    await rebound.body.dump();
    const sameOrigin = await fetch(`${url}/api/traffic`, json('POST', { action: 'stop' }, { origin: url }));
    expect(sameOrigin.status).toBe(200);
  });

  it('purges a caching proxy by prefix or URL, and names what is wrong with a bad purge', async () => {
    const url = await setup();
    const cached = { ...sandbox(), nodes: sandbox().nodes.map((n) => (n.id === 'edge' ? { ...n, cache: {} } : n)) };
    await running!.engine.stopTraffic();
    expect((await fetch(`${url}/api/config`, json('PUT', cached))).status).toBe(200);
    // The services send no Cache-Control: nothing is stored, and the purge says 0.
    await (await fetch(running!.url('edge', '/users/1'))).text();
    expect(await (await fetch(`${url}/api/cache/edge?prefix=/users/`, { method: 'DELETE' })).json()).toEqual({ purged: 0 });
    expect(await (await fetch(`${url}/api/cache/edge?url=/users/1`, { method: 'DELETE' })).json()).toEqual({ purged: 0 });
    const both = await fetch(`${url}/api/cache/edge?url=/a&prefix=/b`, { method: 'DELETE' });
    expect([both.status, (await both.json()).error]).toEqual([400, 'url: give url or prefix, not both']);
    const relative = await fetch(`${url}/api/cache/edge?prefix=users`, { method: 'DELETE' });
    expect([relative.status, (await relative.json()).error]).toEqual([400, 'prefix: expected a path prefix starting with /, got "users"']);
    const notCaching = await fetch(`${url}/api/cache/lb`, { method: 'DELETE' });
    expect([notCaching.status, (await notCaching.json()).error]).toEqual([404, 'node: "lb" has no cache (a proxy with cache: in its config has)']);
    expect((await fetch(`${url}/api/cache/edge`)).status).toBe(405);
    const topology = await (await fetch(`${url}/api/topology`)).json();
    expect(topology.nodes[0].cache).toMatchObject({ entries: 0, maxBytes: 64 * 1024 * 1024, words: { MISS: 1 } });
  });

  it('answers unknown routes and methods clearly', async () => {
    const url = await setup();
    expect((await fetch(`${url}/api/nope`)).status).toBe(404);
    const res = await fetch(`${url}/api/metrics`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the lab page, served compressed', () => {
  const page = Buffer.from(`<!doctype html><html><body>${'<div class="panel">lab</div>'.repeat(100)}</body></html>`);
  const script = Buffer.from(Array.from({ length: 500 }, (_, i) => `export const step${i} = { id: ${i}, label: "step ${i}" };`).join('\n'));
  let webRoot: string | undefined;
  afterEach(async () => {
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
    webRoot = undefined;
  });

  /** A built page as the Vite build leaves it (variants written by precompressFolder), served by the control server. */
  async function setupWeb(): Promise<string> {
    webRoot = await mkdtemp(path.join(tmpdir(), 'edgelab-web-'));
    await mkdir(path.join(webRoot, 'assets'));
    await writeFile(path.join(webRoot, 'index.html'), page);
    await writeFile(path.join(webRoot, 'assets', 'app.js'), script);
    await precompressFolder(webRoot);
    running = await startEngine(sandbox(), { metricsIntervalMs: 100 });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot });
    return control.url;
  }

  /** The raw bytes and headers (fetch would decode the body and hide what was on the wire). */
  function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
  }

  it('sends the variant the client weighs highest, q-values honoured, with Vary', async () => {
    const url = await setupWeb();
    const br = await get(`${url}/assets/app.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', vary: 'Accept-Encoding', 'content-type': 'text/javascript' });
    expect(zlib.brotliDecompressSync(br.body).equals(script)).toBe(true);
    expect(br.body.length).toBeLessThan(script.length / 4);
    // sirv alone would send brotli here: it looks for the word br, not at its weight.
    const gzip = await get(`${url}/assets/app.js`, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.body).equals(script)).toBe(true);
    const plain = await get(`${url}/assets/app.js`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.equals(script)).toBe(true);
    const refused = await get(`${url}/assets/app.js`, { 'accept-encoding': '*;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('a variant asked for by name is no page (its coding is sent only to a client that takes it); no path leaves the web root', async () => {
    const url = await setupWeb();
    const named = await get(`${url}/assets/app.js.br`, {});
    expect([named.status, JSON.parse(named.body.toString()).error]).toEqual([404, 'no such page: /assets/app.js.br']);
    expect((await get(`${url}/index.html.gz`, { 'accept-encoding': 'gzip' })).status).toBe(404);
    for (const escape of ['/assets/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/app.js%00.html', '/%c0%ae%c0%ae/etc/passwd']) {
      // The page (a client route) or a 404: never a file from outside.
      const res = await get(`${url}${escape}`, {});
      expect(res.status === 404 || res.body.equals(page), `${escape}: ${res.status} ${res.body.subarray(0, 60).toString()}`).toBe(true);
    }
  });

  it('the page at any client route is index.html, compressed; its 304 keeps Vary', async () => {
    const url = await setupWeb();
    const first = await get(`${url}/lessons/cache-the-hot-path`, { 'accept-encoding': 'br' });
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(first.body).equals(page)).toBe(true);
    const again = await get(`${url}/`, { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.headers.vary).toBe('Accept-Encoding');
  });
});

describe('event stream through the control server', () => {
  it('streams a request hop by hop, then resumes from Last-Event-ID without loss', async () => {
    const url = await setup();
    const { request } = await import('undici');
    const read = async (headers: Record<string, string>, until: (items: Array<{ type: string; rid?: string; seq?: number; node?: string }>) => boolean) => {
      const res = await request(`${url}/api/events`, { headers });
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const items: Array<{ type: string; rid?: string; seq?: number; node?: string }> = [];
      let lastId = '';
      let buffer = '';
      for await (const chunk of res.body) {
        buffer += chunk.toString();
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of message.split('\n')) {
            if (line.startsWith('id: ')) lastId = line.slice(4);
            if (line.startsWith('data: ')) items.push(...JSON.parse(line.slice(6)));
          }
        }
        if (until(items)) break;
      }
      res.body.destroy();
      return { items, lastId };
    };
    const first = read({}, (items) => items.some((i) => i.type === 'request.completed' && (i as { node?: string }).node === 'edge'));
    await new Promise((r) => setTimeout(r, 50));
    const rid = (await fetch(running!.url('edge', '/one'))).headers.get('x-request-id');
    const { items, lastId } = await first;
    const hops = items.filter((i) => i.rid === rid).map((i) => `${i.type}@${i.node}`);
    expect(hops).toEqual([
      'request.received@edge',
      'request.forwarded@edge',
      'request.received@lb',
      'request.forwarded@lb',
      'request.received@s1',
      'request.completed@s1',
      'request.completed@lb',
      'request.completed@edge',
    ]);
    const missed = (await fetch(running!.url('edge', '/two'))).headers.get('x-request-id');
    const resumed = await read({ 'last-event-id': lastId }, (all) => all.some((i) => i.rid === missed && i.type === 'request.completed' && (i as { node?: string }).node === 'edge'));
    expect(resumed.items[0].seq).toBe(parseEventId(lastId)!.seq + 1);
    expect(resumed.items.filter((i) => i.rid === missed)).toHaveLength(8);
  });
});
