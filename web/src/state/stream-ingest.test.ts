import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../engine/src/events.ts';
import type { Fault } from '../lib/api-types.ts';
import { cacheHitPath, happyPath, refreshPath, refusedPath } from '../lib/traces/fixtures.ts';
import { labWithTopology, metrics, stubApi, topology } from './state-fixtures.ts';

describe('StreamIngest, the lab’s live stream', () => {
  beforeEach(stubApi);
  afterEach(() => vi.unstubAllGlobals());

  it('draws a background refresh from the caching proxy onwards, and logs it as one when it settles', () => {
    const lab = labWithTopology();
    const cache = {
      entries: 0,
      bytes: 0,
      maxBytes: 1,
      locked: 0,
      words: { HIT: 0, MISS: 0, STALE: 0, REVALIDATED: 0, BYPASS: 0, COLLAPSED: 0 },
      hitRatio: 0,
      history: [],
      items: [],
    };
    lab.topology = { ...topology, nodes: topology.nodes.map((n) => (n.id === 'edge' ? { ...n, cache } : n)) };
    const { events, settled } = refreshPath();
    lab.ingest(events, 5000);
    expect(lab.dots.inFlight).toBe(1);
    expect(lab.dots.dots.find((d) => d.active)?.waypoints[0]).toMatchObject({ node: 'edge', side: 'out' });
    lab.ingest([settled], 5030);
    lab.flushLog();
    expect(lab.dots.dots.find((d) => d.active)?.done).toBe(true);
    expect(lab.log.map((l) => l.text)).toEqual([
      'background refresh GET /orders/3 → 304 via edge→api→orders-1 in 27 ms · X-Cache REVALIDATED',
    ]);
  });

  it('gives a refresh no dot when the proxy it comes from does not cache, and rings a dot its cache answered', () => {
    const lab = labWithTopology();
    lab.ingest(refreshPath().events, 5000);
    expect(lab.dots.inFlight).toBe(0);
    lab.ingest(cacheHitPath(), 3000);
    lab.dots.step(1e13, true);
    expect(lab.dots.dots.find((d) => d.rid === 'h1')).toMatchObject({ cached: true, outcome: 'ok' });
  });

  it('lays the topology out, entries from the traffic', () => {
    const lab = labWithTopology();
    expect(lab.layout?.box.get('client')?.depth).toBe(0);
    expect(lab.layout?.box.get('edge')?.depth).toBe(1);
    expect(lab.services.map((s) => s.id)).toEqual(['users-1', 'users-2']);
  });

  it('takes counts from metrics ticks, never from the events it saw', () => {
    const lab = labWithTopology();
    lab.ingest([...happyPath('a'), ...happyPath('b', 2000)], 5000);
    expect(lab.metrics).toEqual({});
    lab.ingest([{ type: 'metrics.tick', seq: 99, ts: 3000, nodes: { 'users-1': metrics } }], 5000);
    expect(lab.metrics['users-1'].requests).toBe(12);
  });

  it('hands every metrics tick to its listeners, in order, until they stop listening', () => {
    const lab = labWithTopology();
    const seen: number[] = [];
    const stop = lab.onMetricsTick((nodes) => seen.push(nodes['users-1'].requests));
    const tick = (seq: number, requests: number): EngineEvent => ({
      type: 'metrics.tick',
      seq,
      ts: seq,
      nodes: { 'users-1': { ...metrics, requests } },
    });
    lab.ingest([tick(1, 12), tick(2, 15)], 5000);
    stop();
    lab.ingest([tick(3, 18)], 5000);
    expect(seen).toEqual([12, 15]);
  });

  it('tells its config listeners of each applied config, in order with the ticks', () => {
    const lab = labWithTopology();
    const seen: string[] = [];
    lab.onMetricsTick(() => seen.push('tick'));
    const stop = lab.onConfigApplied(() => seen.push('config'));
    const tick = (seq: number): EngineEvent => ({ type: 'metrics.tick', seq, ts: seq, nodes: { 'users-1': metrics } });
    lab.ingest([tick(1), { type: 'config.applied', seq: 2, ts: 2, name: 'Classic edge', nodes: 5, generation: 2 }, tick(3)], 5000);
    stop();
    lab.ingest([{ type: 'config.applied', seq: 4, ts: 4, name: 'Classic edge', nodes: 5, generation: 2 }], 5000);
    expect(seen).toEqual(['tick', 'config', 'tick']);
  });

  it('takes a counts reset as the new counts: the boxes, the charts (marked) and the tick listeners start from zero, and the log says so', () => {
    const lab = labWithTopology();
    const seen: number[] = [];
    lab.onMetricsTick((nodes) => seen.push(nodes['users-1'].requests));
    const nodesWith = (requests: number) => ({ 'users-1': { ...metrics, requests, statusClasses: { ...metrics.statusClasses, '2xx': requests } } });
    lab.ingest([{ type: 'metrics.tick', seq: 1, ts: 1000, nodes: nodesWith(40) }, { type: 'metrics.tick', seq: 2, ts: 1500, nodes: nodesWith(50) }], 2000);
    expect(lab.history.series('users-1')).toHaveLength(1);
    lab.ingest([{ type: 'metrics.reset', seq: 3, ts: 1600, nodes: nodesWith(0) }], 2000);
    expect(lab.metrics['users-1'].requests).toBe(0);
    expect(lab.history.series('users-1').map((p) => [p.ts, p.total])).toEqual([[1600, 0]]);
    expect(lab.history.markers().at(-1)).toEqual({ ts: 1600, kind: 'reset', label: 'counts reset' });
    expect(seen).toEqual([40, 50, 0]);
    lab.flushLog();
    expect(lab.log.at(-1)?.text).toBe('counts reset: 1 node counts again from zero');
  });

  it('writes one log line per finished request, published on the log flush', () => {
    const lab = labWithTopology();
    lab.ingest([...happyPath('a'), ...refusedPath('b')], 5000);
    expect(lab.log).toEqual([]);
    lab.flushLog();
    expect(lab.log.map((l) => l.rid)).toEqual(['b', 'a']);
    expect(lab.log[0].text).toContain('EDGE_UPSTREAM_REFUSED');
  });

  it('gives each started request a dot, and keeps the latest decisions per node', () => {
    const lab = labWithTopology();
    lab.ingest(happyPath('a'), 1000);
    expect(lab.dots.inFlight).toBe(1);
    lab.flush();
    expect(lab.decisions.users[0]).toMatchObject({ rid: 'a', to: 'users-2' });
    expect(lab.decisions.users[0].decision.reason).toMatch(/round-robin/);
  });

  it('tracks node states over the topology and logs the change', () => {
    const lab = labWithTopology();
    const event: EngineEvent = { type: 'node.state', seq: 5, ts: 10, node: 'users-1', kind: 'service', state: 'stopped', port: null };
    lab.ingest([event], 20);
    expect(lab.stateOf('users-1').state).toBe('stopped');
    expect(lab.stateOf('users-2').state).toBe('up');
    lab.flushLog();
    expect(lab.log[0].text).toBe('users-1 (service) up → stopped');
  });

  it('keeps the selected trace up to date', () => {
    const lab = labWithTopology();
    const events = happyPath('a');
    lab.ingest(events.slice(0, 3), 1000);
    lab.selection.openTrace('a');
    expect(lab.selection.selectedTrace?.hops).toHaveLength(2);
    lab.ingest(events.slice(3), 1000);
    lab.flush();
    expect(lab.selection.selectedTrace?.hops).toHaveLength(4);
    expect(lab.selection.selectedTrace?.done).toBe(true);
  });

  it('adds up the dropped counts the engine reports, in one log line per flush', () => {
    const lab = labWithTopology();
    lab.ingest([{ type: 'stream.dropped', reason: 'slow-consumer', dropped: 7, total: 21 }], 1);
    lab.ingest([{ type: 'stream.dropped', reason: 'slow-consumer', dropped: 3, total: 9 }], 2);
    expect(lab.droppedTotal).toBe(10);
    lab.flushLog();
    expect(lab.log.map((l) => l.text)).toEqual([expect.stringContaining('10 request events were skipped')]);
  });

  it('says when a replay after a reconnect was a sample of a busy stretch, without counting it as falling behind', () => {
    const lab = labWithTopology();
    lab.ingest([{ type: 'stream.dropped', reason: 'history-sample', dropped: 40, total: 60 }], 1);
    expect(lab.droppedTotal).toBe(0);
    lab.flushLog();
    expect(lab.log.map((l) => l.text)).toEqual([expect.stringContaining('40 of 60 events left out')]);
  });

  it("says when it reconnected to a restarted engine, forgets the old run's picks and reloads the topology", async () => {
    const lab = labWithTopology();
    lab.ingest([...happyPath('a')], 5000);
    lab.flush();
    expect(lab.picks.users).toHaveLength(1);
    const fetched = vi.mocked(fetch).mock.calls.length;
    lab.ingest([{ type: 'stream.dropped', reason: 'engine-restart', dropped: 6, total: 6 }], 6000);
    lab.flush();
    expect(lab.picks).toEqual({});
    expect(lab.droppedTotal).toBe(0);
    await vi.waitFor(() => expect(vi.mocked(fetch).mock.calls.length).toBeGreaterThan(fetched));
    expect(
      vi
        .mocked(fetch)
        .mock.calls.slice(fetched)
        .map(([url]) => String(url)),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/\/api\/topology$/)]));
    lab.flushLog();
    expect(lab.log[0].text).toBe('reconnected: the engine restarted (6 of its events since were no longer held); reloaded the topology');
  });

  it('follows faults from their events', () => {
    const lab = labWithTopology();
    const fault: Fault = { id: 'f1', target: 'users-1', type: 'down', source: 'api', startedAt: 1 };
    lab.ingest([{ type: 'fault.started', seq: 1, ts: 1, fault }], 1);
    expect(lab.downTargets.has('users-1')).toBe(true);
    lab.ingest([{ type: 'fault.ended', seq: 2, ts: 2, fault, reason: 'cleared' }], 2);
    expect(lab.downTargets.has('users-1')).toBe(false);
  });

  it('keeps each balancer’s picks for the views, and starts them again when a config is applied', () => {
    const lab = labWithTopology();
    lab.ingest([...happyPath('a'), ...happyPath('b', 2000)], 5000);
    expect(lab.picks).toEqual({});
    lab.flush();
    expect(lab.picks.users.map((p) => p.rid)).toEqual(['b', 'a']);
    // Routing decisions are not picks.
    expect(lab.picks.api).toBeUndefined();
    lab.ingest([{ type: 'config.applied', seq: 50, ts: 3000, name: 'Classic edge', nodes: 5, generation: 2 }], 5000);
    lab.flush();
    expect(lab.picks).toEqual({});
  });

  it('starts the picks again on a counts reset, and reads the inspectors\' live views again', async () => {
    const lab = labWithTopology();
    lab.ingest([...happyPath('a')], 5000);
    lab.flush();
    expect(lab.picks.users).toHaveLength(1);
    const fetched = vi.mocked(fetch).mock.calls.length;
    lab.ingest([{ type: 'metrics.reset', seq: 60, ts: 5500, nodes: {} }], 6000);
    lab.flush();
    expect(lab.picks).toEqual({});
    expect(lab.countsResets).toBe(1);
    await vi.waitFor(() => expect(vi.mocked(fetch).mock.calls.slice(fetched).map(([url]) => String(url))).toEqual([expect.stringMatching(/\/api\/topology$/)]));
  });

  it('keeps the limit decisions of a new config that end before its config.applied, and drops the old config’s', () => {
    const lab = labWithTopology();
    let seq = 100;
    const limited = (rid: string, ts: number, generation: number, remaining: number): EngineEvent => ({
      type: 'request.completed',
      seq: seq++,
      ts,
      rid,
      node: 'api',
      status: 200,
      durationMs: 2,
      stages: [
        { stage: 'route', verdict: 'continue', ms: 0 },
        {
          stage: 'rate-limit',
          verdict: 'continue',
          ms: 0,
          limits: [
            {
              name: 'per-ip',
              limiter: 'token-bucket',
              key: 'ip 127.0.0.5',
              allowed: true,
              delayMs: 0,
              quota: 5,
              remaining,
              resetMs: 0,
              retryAfterMs: 0,
              level: remaining,
              generation,
            },
          ],
        },
      ],
    });
    const applied = (generation: number): EngineEvent => ({
      type: 'config.applied',
      seq: seq++,
      ts: 3000,
      name: 'Classic edge',
      nodes: 5,
      generation,
    });
    const kept = () => [...(lab.limitHistory.get('api')?.keysOf('per-ip').get('ip 127.0.0.5') ?? [])].map((p) => p.remaining);
    lab.ingest([applied(1), limited('a', 1000, 1, 4)], 5000);
    // The new limiter decides twice before the engine says its config is applied; a request of the old one ends after.
    lab.ingest([limited('b', 2000, 2, 3), limited('c', 2100, 2, 2), applied(2), limited('d', 3100, 1, 1)], 5000);
    expect(kept()).toEqual([3, 2]);
    // A restarted engine counts its configs from 1 again: its decisions are not taken for an old config's.
    lab.ingest([{ type: 'stream.dropped', reason: 'engine-restart', dropped: 0, total: 0 }, limited('e', 9000, 1, 4)], 9500);
    expect(kept()).toEqual([4]);
  });

  it('shows the engine’s next pick only while it is newer than the last pick', () => {
    const lab = labWithTopology();
    lab.algorithmViews = { users: { algorithm: 'round-robin', next: 'users-1', targets: [], askedAt: 10_000 } };
    expect(lab.currentNext('users')).toBe('users-1');
    lab.ingest(happyPath('a', 9_000), 9_010);
    lab.flush();
    expect(lab.currentNext('users')).toBe('users-1');
    lab.ingest(happyPath('b', 11_000), 11_010);
    expect(lab.currentNext('users')).toBeUndefined();
  });
});
