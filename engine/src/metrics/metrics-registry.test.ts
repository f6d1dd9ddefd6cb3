import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../bus.ts';
import type { EdgeErrorCode } from '../errors.ts';
import type { EngineEvent, XCacheWord } from '../events.ts';
import { MetricsRegistry } from './metrics-registry.ts';

let clock = 0;
let rid = 0;
const registries: MetricsRegistry[] = [];

function setup(): { bus: EventBus; metrics: MetricsRegistry } {
  clock = 10_000;
  const bus = new EventBus(() => clock);
  const metrics = new MetricsRegistry(bus, { now: () => clock });
  registries.push(metrics);
  metrics.setNodes([
    { id: 'edge', kind: 'proxy' },
    { id: 'users-1', kind: 'service' },
  ]);
  return { bus, metrics };
}

afterEach(() => {
  for (const metrics of registries.splice(0)) metrics.close();
  vi.useRealTimers();
});

function receive(bus: EventBus, node: string): string {
  const id = `r${++rid}`;
  bus.emit({ type: 'request.received', rid: id, node, from: 'client', method: 'GET', path: '/', peer: '127.0.0.1' });
  return id;
}

function complete(bus: EventBus, node: string, status: number, durationMs: number, error?: EdgeErrorCode): void {
  bus.emit({ type: 'request.completed', rid: receive(bus, node), node, status, durationMs, error });
}

describe('MetricsRegistry', () => {
  it('starts every declared node at zero, with its kind', () => {
    const { metrics } = setup();
    expect(metrics.snapshot()).toEqual({
      edge: {
        kind: 'proxy',
        requests: 0,
        inFlight: 0,
        errors: 0,
        statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
        errorCodes: {},
        latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
        ratePerSecond: 0,
        recent: { seconds: 5, requests: 0, latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 } },
      },
      'users-1': expect.objectContaining({ kind: 'service', requests: 0 }),
    });
  });

  it('tracks in-flight from received to completed', () => {
    const { bus, metrics } = setup();
    const first = receive(bus, 'edge');
    receive(bus, 'edge');
    expect(metrics.snapshot().edge.inFlight).toBe(2);
    bus.emit({ type: 'request.completed', rid: first, node: 'edge', status: 200, durationMs: 5 });
    expect(metrics.snapshot().edge.inFlight).toBe(1);
    expect(metrics.snapshot()['users-1'].inFlight).toBe(0);
  });

  it('counts requests, status classes, errors and error codes exactly', () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 101, 1);
    complete(bus, 'edge', 200, 1);
    complete(bus, 'edge', 204, 1);
    complete(bus, 'edge', 301, 1);
    complete(bus, 'edge', 404, 1, 'EDGE_NO_ROUTE');
    complete(bus, 'edge', 429, 1);
    complete(bus, 'edge', 500, 1);
    complete(bus, 'edge', 502, 1, 'EDGE_UPSTREAM_REFUSED');
    complete(bus, 'edge', 502, 1, 'EDGE_UPSTREAM_REFUSED');
    complete(bus, 'edge', 504, 1, 'EDGE_UPSTREAM_TIMEOUT');
    const edge = metrics.snapshot().edge;
    expect(edge.requests).toBe(10);
    expect(edge.inFlight).toBe(0);
    expect(edge.statusClasses).toEqual({ '1xx': 1, '2xx': 2, '3xx': 1, '4xx': 2, '5xx': 4 });
    // 5xx count as errors with or without a code; a 4xx only when the edge produced it (a code).
    expect(edge.errors).toBe(5);
    expect(edge.errorCodes).toEqual({ EDGE_NO_ROUTE: 1, EDGE_UPSTREAM_REFUSED: 2, EDGE_UPSTREAM_TIMEOUT: 1 });
    expect(metrics.snapshot()['users-1'].requests).toBe(0);
  });

  it('reports latency percentiles in ms within HDR precision (3 significant digits)', () => {
    const { bus, metrics } = setup();
    for (let ms = 1; ms <= 1000; ms++) complete(bus, 'users-1', 200, ms + 0.25);
    const { latency } = metrics.snapshot()['users-1'];
    const within = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.01);
    within(latency.p50, 500.25);
    within(latency.p95, 950.25);
    within(latency.p99, 990.25);
    within(latency.max, 1000.25);
    within(latency.mean, 500.75);
    for (const value of Object.values(latency)) expect(value).toBe(Math.round(value * 100) / 100);
  });

  it('keeps sub-millisecond durations to the microsecond', () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 200, 0.42);
    expect(metrics.snapshot().edge.latency).toEqual({ p50: 0.42, p95: 0.42, p99: 0.42, max: 0.42, mean: 0.42 });
  });

  it('never throws on the bus for a duration that is not a finite number', () => {
    const { bus, metrics } = setup();
    expect(() => complete(bus, 'edge', 200, Number.NaN)).not.toThrow();
    expect(metrics.snapshot().edge).toMatchObject({ requests: 1, latency: { max: 0 } });
  });

  it('gives the completions of the last second as the rate', () => {
    const { bus, metrics } = setup();
    for (let i = 0; i < 30; i++) {
      complete(bus, 'edge', 200, 1);
      clock += 50;
    }
    // Completions every 50 ms from 10.0 s to 11.45 s, read at 11.5 s: the window is the current
    // 100 ms bucket and the nine before it (10.6 s .. 11.6 s), which hold 18 of them.
    expect(metrics.snapshot().edge.ratePerSecond).toBe(18);
    clock += 2000;
    expect(metrics.snapshot().edge.ratePerSecond).toBe(0);
  });

  it('keeps counts of nodes that stay, starts new ones at zero and drops removed ones', () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 200, 1);
    complete(bus, 'users-1', 200, 1);
    metrics.setNodes([
      { id: 'edge', kind: 'proxy' },
      { id: 'users-2', kind: 'service' },
    ]);
    const snapshot = metrics.snapshot();
    expect(Object.keys(snapshot).sort()).toEqual(['edge', 'users-2']);
    expect(snapshot.edge.requests).toBe(1);
    expect(snapshot['users-2'].requests).toBe(0);
    complete(bus, 'users-1', 200, 1);
    expect(metrics.snapshot()['users-1']).toBeUndefined();
  });

  it('restarts a node whose kind changed', () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 200, 1);
    metrics.setNodes([{ id: 'edge', kind: 'gateway' }]);
    expect(metrics.snapshot().edge).toMatchObject({ kind: 'gateway', requests: 0 });
  });

  it('never lets in-flight go below zero for a request received before the node was re-declared', () => {
    const { bus, metrics } = setup();
    metrics.setNodes([]);
    const early = receive(bus, 'edge');
    metrics.setNodes([{ id: 'edge', kind: 'proxy' }]);
    bus.emit({ type: 'request.completed', rid: early, node: 'edge', status: 200, durationMs: 1 });
    expect(metrics.snapshot().edge).toMatchObject({ inFlight: 0, requests: 1 });
  });

  it('reset zeroes counts, latency and rate but keeps the requests still in flight', async () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 503, 12, 'EDGE_NO_TARGET');
    receive(bus, 'edge');
    metrics.reset();
    expect(metrics.snapshot().edge).toEqual({
      kind: 'proxy',
      requests: 0,
      inFlight: 1,
      errors: 0,
      statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
      errorCodes: {},
      latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
      ratePerSecond: 0,
      recent: { seconds: 5, requests: 0, latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 } },
    });
    const { body } = await metrics.prometheus();
    expect(body).toContain('edgelab_request_duration_seconds_count{node="edge"} 0');
    expect(body).toContain('edgelab_requests_total{node="edge",status_class="5xx"} 0');
    expect(body).not.toContain('code="EDGE_NO_TARGET"');
  });

  it('counts since a reset only the requests that began after it: one in flight across it only leaves the gauge', () => {
    const { bus, metrics } = setup();
    const early = receive(bus, 'edge');
    clock += 5;
    metrics.reset();
    clock += 1;
    const late = receive(bus, 'edge');
    expect(metrics.snapshot().edge).toMatchObject({ requests: 0, inFlight: 2 });
    clock += 10;
    bus.emit({ type: 'request.completed', rid: early, node: 'edge', status: 200, durationMs: 16 });
    expect(metrics.snapshot().edge).toMatchObject({ requests: 0, inFlight: 1, statusClasses: { '2xx': 0 } });
    bus.emit({ type: 'request.completed', rid: late, node: 'edge', status: 200, durationMs: 10 });
    expect(metrics.snapshot().edge).toMatchObject({ requests: 1, inFlight: 0, statusClasses: { '2xx': 1 } });
    // The traffic generator's count at a flow's entry follows the same rule.
    metrics.clientSettled('edge', 200, false, 20);
    metrics.clientSettled('edge', 200, false, 3);
    expect(metrics.snapshot().edge.clients).toEqual({ requests: 1, '2xx': 1, lost: 0, failedOver: 0 });
  });

  it("counts a caching proxy's X-Cache words, and only a node whose requests carry one has them", () => {
    const { bus, metrics } = setup();
    const answered = (xCache: XCacheWord) =>
      bus.emit({
        type: 'request.completed',
        rid: receive(bus, 'edge'),
        node: 'edge',
        status: 200,
        durationMs: 1,
        cache: { xCache, cacheStatus: 'edge', reason: '', key: undefined, stored: false, collapsed: false, ttl: undefined, age: undefined, fwdStatus: undefined },
      });
    for (const word of ['HIT', 'HIT', 'MISS', 'COLLAPSED', 'STALE', 'REVALIDATED', 'HIT'] as const) answered(word);
    complete(bus, 'users-1', 200, 1);
    expect(metrics.snapshot().edge.cache).toEqual({ HIT: 3, MISS: 1, STALE: 1, REVALIDATED: 1, BYPASS: 0, COLLAPSED: 1 });
    expect(metrics.snapshot()['users-1'].cache).toBeUndefined();
    metrics.reset();
    expect(metrics.snapshot().edge.cache).toBeUndefined();
  });

  it("counts a gateway's partial aggregate answers, and only once it has one", () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 200, 1);
    expect(metrics.snapshot().edge.partial).toBeUndefined();
    for (let i = 0; i < 2; i++) bus.emit({ type: 'request.completed', rid: receive(bus, 'edge'), node: 'edge', status: 200, durationMs: 1, partial: ['orders'] });
    expect(metrics.snapshot().edge).toMatchObject({ requests: 3, partial: 2 });
    metrics.reset();
    expect(metrics.snapshot().edge.partial).toBeUndefined();
  });

  it("counts a balancer's completed requests by the target that answered them, and only a balancer's", () => {
    const { bus, metrics } = setup();
    metrics.setNodes([
      { id: 'edge', kind: 'proxy' },
      { id: 'lb', kind: 'balancer' },
    ]);
    for (const upstream of ['s1', 's2', 's1']) bus.emit({ type: 'request.completed', rid: receive(bus, 'lb'), node: 'lb', status: 200, durationMs: 1, upstream });
    bus.emit({ type: 'request.completed', rid: receive(bus, 'edge'), node: 'edge', status: 200, durationMs: 1, upstream: 'lb' });
    expect(metrics.snapshot().lb.targets).toEqual({ s1: 2, s2: 1 });
    expect(metrics.snapshot().edge.targets).toBeUndefined();
    metrics.reset();
    expect(metrics.snapshot().lb.targets).toBeUndefined();
  });

  it("counts a balancer's first picks of keys it had seen before, by outcome; a new key and a pick without one count nothing", () => {
    const { bus, metrics } = setup();
    metrics.setNodes([{ id: 'lb', kind: 'balancer' }]);
    const outcomes = ['new', 'stayed', 'stayed', 'moved', 'rehomed', undefined] as const;
    for (const outcome of outcomes) {
      const decision = { stage: 'pick' as const, reason: 'r', ...(outcome ? { affinity: { key: '127.0.1.1', outcome } } : {}) };
      bus.emit({ type: 'request.forwarded', rid: receive(bus, 'lb'), node: 'lb', to: 's1', decision, try: 1 });
    }
    expect(metrics.snapshot().lb.keys).toEqual({ stayed: 2, moved: 1, rehomed: 1 });
    metrics.reset();
    expect(metrics.snapshot().lb.keys).toBeUndefined();
  });

  it('reports the faults active now on each node, an edge fault on the node it leads to, until they end; a reset keeps them', () => {
    const { bus, metrics } = setup();
    const fault = (id: string, target: string) =>
      ({ id, target, type: 'down', source: 'api', startedAt: 0 }) as Extract<EngineEvent, { type: 'fault.started' }>['fault'];
    const faults = [fault('f1', 'users-1'), fault('f2', 'edge->users-1'), fault('f3', 'gone')];
    for (const f of faults) bus.emit({ type: 'fault.started', fault: f });
    expect(metrics.snapshot()['users-1']!.activeFaults).toBe(2);
    expect(metrics.snapshot().edge!.activeFaults).toBeUndefined();
    metrics.reset();
    expect(metrics.snapshot()['users-1']!.activeFaults).toBe(2);
    bus.emit({ type: 'fault.ended', fault: faults[0]!, reason: 'cleared' });
    expect(metrics.snapshot()['users-1']!.activeFaults).toBe(1);
    bus.emit({ type: 'fault.ended', fault: faults[1]!, reason: 'expired' });
    expect(metrics.snapshot()['users-1']!.activeFaults).toBeUndefined();
    // A scenario's faults are counted apart as well: an API fault put on the node does not pass for one.
    const scripted = { ...fault('f4', 'users-1'), source: 'scenario' as const };
    bus.emit({ type: 'fault.started', fault: fault('f5', 'users-1') });
    expect(metrics.snapshot()['users-1']).toMatchObject({ activeFaults: 1 });
    expect(metrics.snapshot()['users-1']!.scenarioFaults).toBeUndefined();
    bus.emit({ type: 'fault.started', fault: scripted });
    expect(metrics.snapshot()['users-1']).toMatchObject({ activeFaults: 2, scenarioFaults: 1 });
    bus.emit({ type: 'fault.ended', fault: scripted, reason: 'cleared' });
    expect(metrics.snapshot()['users-1']!.scenarioFaults).toBeUndefined();
  });

  it('hands out snapshots that later events do not change', () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 200, 3);
    const before = metrics.snapshot();
    complete(bus, 'edge', 500, 9);
    expect(before.edge).toMatchObject({ requests: 1, statusClasses: { '5xx': 0 }, latency: { max: 3 } });
  });

  it('emits a metrics.tick with the snapshot every interval until stopped', () => {
    vi.useFakeTimers();
    const { bus, metrics } = setup();
    const ticks: EngineEvent[] = [];
    bus.subscribe((event) => event.type === 'metrics.tick' && ticks.push(event));
    complete(bus, 'edge', 200, 1);
    metrics.startTicks(500);
    vi.advanceTimersByTime(1499);
    expect(ticks).toHaveLength(2);
    expect(ticks[0]).toMatchObject({ type: 'metrics.tick', nodes: { edge: { requests: 1 }, 'users-1': { requests: 0 } } });
    metrics.stopTicks();
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(2);
  });

  it('stops listening to the bus when closed', () => {
    const { bus, metrics } = setup();
    metrics.close();
    complete(bus, 'edge', 200, 1);
    expect(metrics.snapshot().edge.requests).toBe(0);
  });
});

describe('MetricsRegistry.prometheus', () => {
  it('exposes requests, errors, in-flight and the duration histogram per node', async () => {
    const { bus, metrics } = setup();
    complete(bus, 'edge', 200, 0.8);
    complete(bus, 'edge', 200, 40);
    complete(bus, 'edge', 500, 2);
    complete(bus, 'edge', 502, 30_000, 'EDGE_UPSTREAM_RESET');
    receive(bus, 'users-1');
    const { contentType, body } = await metrics.prometheus();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = body.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE edgelab_requests_total counter',
        'edgelab_requests_total{node="edge",status_class="2xx"} 2',
        'edgelab_requests_total{node="edge",status_class="5xx"} 2',
        'edgelab_requests_total{node="edge",status_class="4xx"} 0',
        'edgelab_requests_total{node="users-1",status_class="2xx"} 0',
        '# TYPE edgelab_errors_total counter',
        'edgelab_errors_total{node="edge",code="EDGE_UPSTREAM_RESET"} 1',
        'edgelab_errors_total{node="edge",code="none"} 1',
        '# TYPE edgelab_in_flight gauge',
        'edgelab_in_flight{node="edge"} 0',
        'edgelab_in_flight{node="users-1"} 1',
        '# TYPE edgelab_request_duration_seconds histogram',
        'edgelab_request_duration_seconds_bucket{le="0.001",node="edge"} 1',
        'edgelab_request_duration_seconds_bucket{le="0.0025",node="edge"} 2',
        'edgelab_request_duration_seconds_bucket{le="0.05",node="edge"} 3',
        'edgelab_request_duration_seconds_bucket{le="10",node="edge"} 3',
        'edgelab_request_duration_seconds_bucket{le="30",node="edge"} 4',
        'edgelab_request_duration_seconds_bucket{le="+Inf",node="edge"} 4',
        'edgelab_request_duration_seconds_count{node="edge"} 4',
        'edgelab_request_duration_seconds_count{node="users-1"} 0',
      ]),
    );
    const sum = lines.find((line) => line.startsWith('edgelab_request_duration_seconds_sum{node="edge"}'));
    expect(Number(sum?.split(' ')[1])).toBeCloseTo(30.0428, 6);
  });

  it('drops the series of a removed node', async () => {
    const { bus, metrics } = setup();
    complete(bus, 'users-1', 200, 1);
    metrics.setNodes([{ id: 'edge', kind: 'proxy' }]);
    const { body } = await metrics.prometheus();
    expect(body).not.toContain('node="users-1"');
    expect(body).toContain('edgelab_request_duration_seconds_count{node="edge"} 0');
  });

  it('keeps each registry to its own series', async () => {
    const first = setup();
    const second = setup();
    complete(first.bus, 'edge', 200, 1);
    expect((await second.metrics.prometheus()).body).toContain('edgelab_requests_total{node="edge",status_class="2xx"} 0');
    expect((await first.metrics.prometheus()).body).toContain('edgelab_requests_total{node="edge",status_class="2xx"} 1');
  });

  it("exposes a balancer's returning keys by outcome and each node's active faults, and only a balancer has keys", async () => {
    const { bus, metrics } = setup();
    metrics.setNodes([
      { id: 'edge', kind: 'proxy' },
      { id: 'lb', kind: 'balancer' },
      { id: 's1', kind: 'service' },
    ]);
    const fresh = (await metrics.prometheus()).body.split('\n');
    expect(fresh).toEqual(
      expect.arrayContaining([
        '# HELP edgelab_balancer_keys_total First picks of keys a balancer had seen before, by outcome: stayed on the last target, moved off one that could still take it, rehomed off one that could not.',
        '# TYPE edgelab_balancer_keys_total counter',
        'edgelab_balancer_keys_total{node="lb",outcome="stayed"} 0',
        'edgelab_balancer_keys_total{node="lb",outcome="moved"} 0',
        'edgelab_balancer_keys_total{node="lb",outcome="rehomed"} 0',
        '# HELP edgelab_active_faults Faults active now on a node or on an edge into it.',
        '# TYPE edgelab_active_faults gauge',
        'edgelab_active_faults{node="edge"} 0',
        'edgelab_active_faults{node="s1"} 0',
      ]),
    );
    for (const outcome of ['new', 'stayed', 'stayed', 'moved', 'rehomed', 'stayed'] as const) {
      const decision = { stage: 'pick' as const, reason: 'r', affinity: { key: '127.0.1.1', outcome } };
      bus.emit({ type: 'request.forwarded', rid: receive(bus, 'lb'), node: 'lb', to: 's1', decision, try: 1 });
    }
    const fault = (id: string, target: string) =>
      ({ id, target, type: 'down', source: 'api', startedAt: 0 }) as Extract<EngineEvent, { type: 'fault.started' }>['fault'];
    bus.emit({ type: 'fault.started', fault: fault('f1', 's1') });
    bus.emit({ type: 'fault.started', fault: fault('f2', 'lb->s1') });
    bus.emit({ type: 'fault.started', fault: fault('f3', 'lb') });
    const lines = (await metrics.prometheus()).body.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'edgelab_balancer_keys_total{node="lb",outcome="stayed"} 3',
        'edgelab_balancer_keys_total{node="lb",outcome="moved"} 1',
        'edgelab_balancer_keys_total{node="lb",outcome="rehomed"} 1',
        'edgelab_active_faults{node="s1"} 2',
        'edgelab_active_faults{node="lb"} 1',
        'edgelab_active_faults{node="edge"} 0',
      ]),
    );
    expect(lines.filter((line) => line.startsWith('edgelab_balancer_keys_total{node="edge"') || line.startsWith('edgelab_balancer_keys_total{node="s1"'))).toEqual([]);
    // A reset zeroes the counter, not the gauge: the faults are still active.
    metrics.reset();
    bus.emit({ type: 'fault.ended', fault: fault('f3', 'lb'), reason: 'cleared' });
    const after = (await metrics.prometheus()).body.split('\n');
    expect(after).toEqual(
      expect.arrayContaining(['edgelab_balancer_keys_total{node="lb",outcome="stayed"} 0', 'edgelab_active_faults{node="s1"} 2', 'edgelab_active_faults{node="lb"} 0']),
    );
  });

  it('escapes the node label of the new series as of the others', async () => {
    const { metrics } = setup();
    metrics.setNodes([{ id: 'lb "a"\\b', kind: 'balancer' }]);
    const { body } = await metrics.prometheus();
    expect(body).toContain('edgelab_requests_total{node="lb \\"a\\"\\\\b",status_class="2xx"} 0');
    expect(body).toContain('edgelab_balancer_keys_total{node="lb \\"a\\"\\\\b",outcome="stayed"} 0');
    expect(body).toContain('edgelab_active_faults{node="lb \\"a\\"\\\\b"} 0');
  });

  it("counts a TLS proxy's handshakes (by protocol, resumed, failed, with their times), the requests that came over TLS and its refused h2 streams; in /metrics too", async () => {
    const { bus, metrics } = setup();
    const established = { type: 'tls.connection', node: 'edge', peer: '127.0.0.1', outcome: 'established', tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' } as const;
    bus.emit({ ...established, protocol: 'h2', handshakeMs: 4, resumed: false });
    bus.emit({ ...established, protocol: 'h2', handshakeMs: 2, resumed: true });
    bus.emit({ ...established, protocol: 'http/1.1', handshakeMs: 6, resumed: false });
    bus.emit({ type: 'tls.connection', node: 'edge', peer: '127.0.0.1', outcome: 'failed', handshakeMs: 1, reason: 'ECONNRESET' });
    const received = { type: 'request.received', rid: 'r', node: 'edge', from: 'client', method: 'GET', path: '/', peer: '127.0.0.1' } as const;
    for (const protocol of ['h2', 'h2', 'h2', 'http/1.1'] as const) bus.emit({ ...received, protocol, tls: true });
    bus.emit(received);
    bus.emit({ ...received, node: 'users-1' });
    bus.emit({ type: 'engine.error', node: 'edge', message: 'HTTP/2 client 127.0.0.1 opened 3 streams past the 128 ...', h2RefusedStreams: 3 });
    bus.emit({ type: 'engine.error', node: 'edge', message: 'HTTP/2 client 127.0.0.1: stream reset ...', h2RefusedStreams: 1 });
    bus.emit({ type: 'engine.error', node: 'edge', message: 'HTTP/2 client 127.0.0.1 has 128 streams open at once ...' });
    expect(metrics.snapshot()['users-1'].tls).toBeUndefined();
    expect(metrics.snapshot().edge.tls).toEqual({
      handshakes: 3,
      failed: 1,
      resumed: 1,
      protocols: { h2: 2, 'http/1.1': 1 },
      requests: { h2: 3, 'http/1.1': 1 },
      refusedStreams: 4,
      handshakeMs: { p50: 4, p95: 6, p99: 6, max: 6, mean: 4 },
    });
    const { body } = await metrics.prometheus();
    expect(body).toContain('edgelab_tls_handshakes_total{node="edge",outcome="established",protocol="h2"} 2');
    expect(body).toContain('edgelab_tls_handshakes_total{node="edge",outcome="established",protocol="http/1.1"} 1');
    expect(body).toContain('edgelab_tls_handshakes_total{node="edge",outcome="failed",protocol="none"} 1');
    expect(body).toContain('edgelab_tls_requests_total{node="edge",protocol="h2"} 3');
    expect(body).toContain('edgelab_tls_requests_total{node="edge",protocol="http/1.1"} 1');
    expect(body).toContain('edgelab_tls_refused_streams_total{node="edge"} 4');
    metrics.reset();
    expect(metrics.snapshot().edge.tls).toMatchObject({ handshakes: 0, failed: 0, protocols: { h2: 0, 'http/1.1': 0 }, requests: { h2: 0, 'http/1.1': 0 } });
  });
});
