/**
 * The sandbox service on real sockets: capacity (queueing, rejections, aborts, overrides), error
 * statuses, response size (also through proxy -> gateway -> balancer -> service), cache headers and
 * conditional requests, health under saturation, and live reconfiguration. Timing is asserted with
 * lower bounds only (a queued request cannot finish before the ones ahead of it): a loaded machine is
 * slower, never wrong. Waits poll the live state, never sleep a fixed time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { EventBus } from '../bus.ts';
import { ServiceNode as ServiceSpec } from '../config/schema.ts';
import { validateConfig } from '../config/validate.ts';
import type { EventOf } from '../events.ts';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';
import { L4Links } from '../nodes/l4-links.ts';
import { ServiceNode } from './service-node.ts';
import type { CapacityState } from './service-capacity.ts';

let running: RunningEngine | undefined;
let standalone: ServiceNode | undefined;
afterEach(async () => {
  await running?.stop();
  await standalone?.dispose();
  running = undefined;
  standalone = undefined;
});

/** One service behind a proxy (so the config is a valid topology); tests talk to the service directly. */
const withService = (service: Record<string, unknown>) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1' },
    { id: 's1', kind: 'service', ...service },
  ],
});

function capacity(): CapacityState {
  return running!.engine.topology().find((n) => n.id === 's1')!.service!;
}

interface Timed {
  status: number;
  headers: Headers;
  body: string;
  ms: number;
}

async function timed(url: string, init: RequestInit = {}): Promise<Timed> {
  const began = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, headers: res.headers, body, ms: performance.now() - began };
}

describe('service capacity', () => {
  it('processes N at once, queues M (latency grows), turns the rest away with SERVICE_OVERLOADED; health and metrics tell', async () => {
    running = await startEngine(withService({ latency: '200ms', capacity: { concurrency: 2, queue: 2 } }));
    const url = running.url('s1', '/work');
    const four = [0, 1, 2, 3].map(() => timed(url));
    await waitFor(() => capacity().inFlight === 2 && capacity().queued === 2, 5_000, '2 in flight, 2 queued');
    expect(capacity()).toMatchObject({ saturated: true, concurrency: 2, queueLimit: 2 });

    const health = await fetch(running.url('s1', '/health'));
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      node: 's1',
      status: 'saturated',
      inFlight: 2,
      queued: 2,
      capacity: { concurrency: 2, queue: 2 },
    });

    const fifth = await timed(url);
    expect(fifth.status).toBe(503);
    expect(fifth.headers.get('x-edgelab-error')).toBe('SERVICE_OVERLOADED');
    expect(fifth.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(fifth.body)).toMatchObject({ error: 'SERVICE_OVERLOADED' });

    const done = await Promise.all(four);
    expect(done.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const byWait = done.map((r) => JSON.parse(r.body) as { queuedMs?: number }).map((b) => b.queuedMs ?? 0);
    // Two started at once; the other two waited for a slot: the 200 ms service time less how much later
    // than the first two they arrived (tens of ms on a loaded machine: CI once saw one arrive 11 ms late).
    expect(byWait.filter((w) => w === 0)).toHaveLength(2);
    expect(byWait.filter((w) => w >= 100)).toHaveLength(2);
    const ms = done.map((r) => r.ms).sort((a, b) => a - b);
    expect(ms[0]).toBeGreaterThanOrEqual(195);
    expect(ms[2]).toBeGreaterThanOrEqual(390);

    expect(capacity()).toMatchObject({ inFlight: 0, queued: 0, rejected: 1, timedOut: 0, saturated: false });
    const healthy = await fetch(running.url('s1', '/health'));
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: 'up', inFlight: 0, queued: 0 });
    await waitFor(() => running!.engine.metrics.snapshot().s1.requests === 5, 2_000, 'five completions');
    const metrics = running.engine.metrics.snapshot().s1;
    expect(metrics.statusClasses).toMatchObject({ '2xx': 4, '5xx': 1 });
    expect(metrics.errorCodes).toEqual({ SERVICE_OVERLOADED: 1 });
  });

  it('a request that waits queueTimeout gets 503 SERVICE_QUEUE_TIMEOUT with Retry-After', async () => {
    running = await startEngine(withService({ latency: '400ms', capacity: { concurrency: 1, queue: 3, queueTimeout: '100ms' } }));
    const first = timed(running.url('s1', '/a'));
    await waitFor(() => capacity().inFlight === 1, 5_000, 'one in flight');
    const second = await timed(running.url('s1', '/b'));
    expect(second.status).toBe(503);
    expect(second.headers.get('x-edgelab-error')).toBe('SERVICE_QUEUE_TIMEOUT');
    expect(second.headers.get('retry-after')).toBe('1');
    expect(second.ms).toBeGreaterThanOrEqual(95);
    expect((await first).status).toBe(200);
    expect(capacity()).toMatchObject({ rejected: 1, timedOut: 1, queued: 0 });
    const completed = running.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.node === 's1');
    expect(completed.map((e) => e.error ?? e.status)).toContain('SERVICE_QUEUE_TIMEOUT');
  });

  it('a client that leaves while queued gives up its place', async () => {
    running = await startEngine(withService({ latency: '300ms', capacity: { concurrency: 1, queue: 1 } }));
    const first = timed(running.url('s1', '/a'));
    await waitFor(() => capacity().inFlight === 1, 5_000, 'one in flight');
    const leaving = new AbortController();
    const gone = fetch(running.url('s1', '/b'), { signal: leaving.signal }).catch((error: Error) => error.name);
    await waitFor(() => capacity().queued === 1, 5_000, 'one queued');
    leaving.abort();
    expect(await gone).toBe('AbortError');
    await waitFor(() => capacity().queued === 0, 5_000, 'the queue to empty');
    // Its place is free again: the next request queues instead of being turned away.
    const third = timed(running.url('s1', '/c'));
    await waitFor(() => capacity().queued === 1, 5_000, 'the third queued');
    expect((await first).status).toBe(200);
    expect((await third).status).toBe(200);
    expect(capacity()).toMatchObject({ rejected: 0, inFlight: 0, queued: 0 });
    const aborted = running.events.find(
      (e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.error === 'EDGE_CLIENT_ABORTED',
    );
    expect(aborted?.node).toBe('s1');
  });

  it('setCapacityOverride shrinks the concurrency, and undefined restores it and starts the queue at once', async () => {
    const config = ServiceSpec.parse({ id: 's1', kind: 'service', latency: '150ms', capacity: { concurrency: 4, queue: 10 } });
    standalone = new ServiceNode(config, { bus: new EventBus(), rng: Math.random, resolve: () => undefined, l4Links: new L4Links(), generation: () => 1 });
    await standalone.start();
    const node = standalone;
    node.setCapacityOverride(1);
    const three = [0, 1, 2].map(() => timed(`http://127.0.0.1:${node.port}/x`));
    await waitFor(() => node.capacityState().queued === 2, 5_000, 'two queued behind one');
    expect(node.capacityState()).toMatchObject({ inFlight: 1, concurrency: 1, configuredConcurrency: 4 });
    node.setCapacityOverride(undefined);
    expect(node.capacityState()).toMatchObject({ inFlight: 3, queued: 0, concurrency: 4 });
    expect((await Promise.all(three)).map((r) => r.status)).toEqual([200, 200, 200]);
  });
});

describe('service errors', () => {
  it('a list of error statuses: each injected error picks one of them', async () => {
    running = await startEngine(withService({ errorRate: 1, errorStatus: [500, 502, 503] }), { rng: seededRng(11) });
    const seen = new Map<number, number>();
    for (let i = 0; i < 60; i++) {
      const res = await fetch(running.url('s1', '/x'));
      expect(res.headers.get('x-edgelab-error')).toBe('SERVICE_INJECTED_ERROR');
      expect((await res.json()) as object).toMatchObject({ error: 'SERVICE_INJECTED_ERROR', status: res.status });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
    }
    // Uniform over three: one status missing from 60 draws has probability 3 * (2/3)^60, about 1e-10.
    expect([...seen.keys()].sort()).toEqual([500, 502, 503]);
  });

  it('a single error status still works as a number', async () => {
    running = await startEngine(withService({ errorRate: 1, errorStatus: 502 }));
    expect((await fetch(running.url('s1', '/x'))).status).toBe(502);
  });
});

describe('service response size', () => {
  it('pads the JSON body to exactly responseSize bytes; HEAD announces the same length', async () => {
    running = await startEngine(withService({ responseSize: '2kb' }));
    const res = await fetch(running.url('s1', '/items/1'));
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe('2048');
    expect(bytes.length).toBe(2048);
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ node: 's1', path: '/items/1', status: 200 });
    const head = await fetch(running.url('s1', '/items/1'), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('2048');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('a 1.5mb body arrives whole and valid through proxy -> gateway -> balancer -> service', async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'api' },
        { id: 'api', kind: 'gateway', routes: [{ match: { path: '/files/*' }, to: 'lb' }] },
        { id: 'lb', kind: 'balancer', targets: ['s1', 's2'] },
        { id: 's1', kind: 'service', responseSize: '1.5mb' },
        { id: 's2', kind: 'service', responseSize: '1.5mb' },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(running.url('edge', '/files/big'));
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(res.status).toBe(200);
      expect(bytes.length).toBe(1.5 * 1024 * 1024);
      const body = JSON.parse(bytes.toString('utf8')) as { node: string; via: string; padding: string };
      expect(['s1', 's2']).toContain(body.node);
      expect(body.via).toContain('edge');
    }
  });
});

describe('service cache headers and conditional requests', () => {
  const cached = withService({
    responseSize: 600,
    cache: [
      { path: '/static/*', cacheControl: 'public, max-age=60', etag: true, lastModified: true },
      { path: '/dated', lastModified: true },
    ],
  });

  it('a matching path gets Cache-Control, a strong ETag stable per path and content, and Last-Modified; others get none', async () => {
    running = await startEngine(cached);
    const a1 = await fetch(running.url('s1', '/static/a.css'));
    const a2 = await fetch(running.url('s1', '/static/a.css'));
    const b = await fetch(running.url('s1', '/static/b.css'));
    const other = await fetch(running.url('s1', '/api/users'));
    expect(a1.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = a1.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(a2.headers.get('etag')).toBe(etag);
    expect(b.headers.get('etag')).not.toBe(etag);
    // The same tag promises the same bytes (strong validator), so the body is the same too.
    expect(await a2.text()).toBe(await a1.text());
    const lastModified = a1.headers.get('last-modified')!;
    expect(lastModified).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(lastModified)).toBeLessThanOrEqual(Date.now());
    expect(a2.headers.get('last-modified')).toBe(lastModified);
    for (const header of ['cache-control', 'etag', 'last-modified']) expect(other.headers.get(header)).toBeNull();
    expect(JSON.parse(await other.text())).toHaveProperty('requestId');
  });

  it('answers conditional GET and HEAD per RFC 9110: If-None-Match first, If-Modified-Since only without it', async () => {
    running = await startEngine(cached);
    const url = running.url('s1', '/static/app.js');
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    await first.arrayBuffer();
    const status = async (headers: Record<string, string>, method = 'GET') => {
      const res = await fetch(url, { method, headers });
      const body = await res.text();
      if (res.status === 304) {
        expect(body).toBe('');
        expect(res.headers.get('etag')).toBe(etag);
        expect(res.headers.get('cache-control')).toBe('public, max-age=60');
        expect(res.headers.get('last-modified')).toBe(lastModified);
        expect(res.headers.get('content-type')).toBeNull();
      } else expect(Buffer.byteLength(body)).toBe(method === 'HEAD' ? 0 : 600);
      return res.status;
    };
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect(await status({ 'if-none-match': etag })).toBe(304);
    expect(await status({ 'if-none-match': `W/${etag}` })).toBe(304);
    expect(await status({ 'if-none-match': `"nope", ${etag}` })).toBe(304);
    expect(await status({ 'if-none-match': '*' })).toBe(304);
    expect(await status({ 'if-none-match': '"nope"' })).toBe(200);
    expect(await status({ 'if-modified-since': lastModified })).toBe(304);
    expect(await status({ 'if-modified-since': earlier })).toBe(200);
    expect(await status({ 'if-none-match': '"nope"', 'if-modified-since': lastModified })).toBe(200);
    expect(await status({ 'if-none-match': etag }, 'HEAD')).toBe(304);
    expect(await status({ 'if-modified-since': earlier }, 'HEAD')).toBe(200);
  });

  it('a path with Last-Modified only answers If-Modified-Since, and an injected error carries no validators', async () => {
    running = await startEngine(cached);
    const first = await fetch(running.url('s1', '/dated'));
    expect(first.headers.get('etag')).toBeNull();
    const lastModified = first.headers.get('last-modified')!;
    expect((await fetch(running.url('s1', '/dated'), { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    const config = validateConfig(withService({ errorRate: 1, cache: [{ path: '/dated', lastModified: true }] }));
    if (!config.ok) throw new Error('invalid');
    await running.engine.apply(config.config);
    const failed = await fetch(running.url('s1', '/dated'), { headers: { 'if-modified-since': lastModified } });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('last-modified')).toBeNull();
  });

  it('304 and validators pass through the whole chain', async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'api' },
        { id: 'api', kind: 'gateway', routes: [{ match: { path: '/static/*' }, to: 'lb' }] },
        { id: 'lb', kind: 'balancer', targets: ['s1'] },
        { id: 's1', kind: 'service', cache: [{ path: '/static/*', cacheControl: 'public, max-age=60', etag: true }] },
      ],
    });
    const first = await fetch(running.url('edge', '/static/x'));
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await fetch(running.url('edge', '/static/x'), { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });
});

describe('service live reconfigure', () => {
  it('a capacity change applies to queued requests at once; the node keeps its port; content changes move ETag and Last-Modified', async () => {
    running = await startEngine(
      withService({
        latency: '250ms',
        capacity: { concurrency: 1, queue: 5 },
        cache: [{ path: '/static/*', etag: true, lastModified: true }],
      }),
    );
    const port = running.port('s1');
    const before = await fetch(running.url('s1', '/static/a'));
    await before.arrayBuffer();
    const three = [0, 1, 2].map(() => timed(running!.url('s1', '/x')));
    await waitFor(() => capacity().inFlight === 1 && capacity().queued === 2, 5_000, 'one in flight, two queued');
    const wider = validateConfig(
      withService({
        latency: '250ms',
        responseSize: '1kb',
        capacity: { concurrency: 3, queue: 5 },
        cache: [{ path: '/static/*', etag: true, lastModified: true }],
      }),
    );
    if (!wider.ok) throw new Error('invalid');
    await running.engine.apply(wider.config);
    expect(capacity()).toMatchObject({ inFlight: 3, queued: 0, concurrency: 3 });
    expect(running.port('s1')).toBe(port);
    const done = await Promise.all(three);
    expect(done.map((r) => r.status)).toEqual([200, 200, 200]);
    const after = await fetch(running.url('s1', '/static/a'));
    expect(Buffer.byteLength(await after.text())).toBe(1024);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThanOrEqual(Date.parse(before.headers.get('last-modified')!));
  });

  it('health without capacity reports the live numbers and unlimited concurrency', async () => {
    running = await startEngine(withService({}));
    const health = await fetch(running.url('s1', '/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ node: 's1', status: 'up', inFlight: 0, queued: 0, capacity: { concurrency: null, queue: 0 } });
  });
});
