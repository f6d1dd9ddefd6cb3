import { describe, expect, it } from 'vitest';
import type { EngineEvent, FaultInfo, NodeMetrics } from '../../../../engine/src/events.ts';
import type { MetricsByNode } from '../../../../lessons/format.ts';
import { nodeMetrics, type NodeNumbers } from '../../../../lessons/metrics.fixture.ts';
import { EVENTS_LISTED, isNotable, summariseStep, type NotableEvent, type StepAccountInput } from './step-account.ts';
import { StepRecorder } from './step-recorder.ts';

const lb = (targets: Record<string, number>, extra: NodeNumbers = {}): NodeMetrics => ({ ...nodeMetrics({ kind: 'balancer', ...extra }), targets });
const edge = (requests: number, errors = 0, errorCodes: Record<string, number> = {}) => nodeMetrics({ kind: 'proxy', requests, errors, errorCodes });
/** "12:03:04" from seconds after 12:03:00, so the times read the same in every time zone. */
const timeOf = (ts: number) => `12:03:${String(ts / 1000).padStart(2, '0')}`;

let seq = 0;
function health(ts: number, target: string, change: 'ejected' | 'returned' | 'down' | 'up', source: 'active' | 'passive' = 'passive'): NotableEvent {
  const event: EngineEvent = { type: 'target.health', seq: ++seq, ts, node: 'lb', target, source, change, healthy: change === 'returned' || change === 'up', reason: 'x', detail: {} };
  if (!isNotable(event)) throw new Error(`${change} is not told`);
  return event;
}

function account(before: MetricsByNode, after: MetricsByNode, events: NotableEvent[] = [], extra: Partial<StepAccountInput> = {}) {
  return summariseStep({ before, after, events, entries: ['edge'], timeOf, ...extra });
}

describe('summariseStep: what just happened, from the engine’s counts and events', () => {
  it('tells where each balancer’s requests went, what was ejected and when, and how the entry fared', () => {
    const before = { edge: edge(100), lb: lb({ 'app-1': 30, 'app-2': 30, 'app-3': 30 }) };
    const after = { edge: edge(180), lb: lb({ 'app-1': 71, 'app-2': 69, 'app-3': 30 }) };
    expect(account(before, after, [health(4_000, 'app-3', 'ejected')], { balancerTargets: { lb: ['app-1', 'app-2', 'app-3'] } })).toEqual([
      'At lb, requests were answered by app-1 41 times, app-2 39 times, app-3 0 times.',
      'app-3 was ejected by lb’s outlier detection at 12:03:04.',
      'At the entry, edge answered 80 requests: 0 errors.',
    ]);
  });

  it('names a configured target that answered nothing, though it never appears in the counts', () => {
    const after = { edge: edge(10), lb: lb({ 'app-1': 10 }) };
    expect(account({}, after, [], { balancerTargets: { lb: ['app-1', 'app-2'] } })[0]).toBe('At lb, requests were answered by app-1 10 times, app-2 0 times.');
  });

  it('says the entry’s errors by code, the clients’ losses and failovers, other nodes’ refusals and a cache’s words', () => {
    const before = { edge: { ...edge(0), clients: { requests: 0, '2xx': 0, lost: 0, failedOver: 0 } }, api: nodeMetrics({ kind: 'gateway' }) };
    const after = {
      edge: { ...edge(50, 3, { EDGE_UPSTREAM_REFUSED: 2, EDGE_NO_TARGET: 1 }), clients: { requests: 60, '2xx': 47, lost: 1, failedOver: 12 } },
      api: nodeMetrics({ kind: 'gateway', errorCodes: { EDGE_RATE_LIMITED: 20 } }),
      shop: nodeMetrics({ kind: 'proxy', cache: { HIT: 40, MISS: 4 } }),
    };
    expect(account(before, after)).toEqual([
      'At the entry, edge answered 50 requests: 3 errors (EDGE_UPSTREAM_REFUSED 2 times, EDGE_NO_TARGET 1 time). Its clients lost 1 request and failed over 12 requests to another entry.',
      'api answered EDGE_RATE_LIMITED 20 times.',
      'shop’s cache said HIT 40 times, MISS 4 times.',
    ]);
  });

  it('tells faults, circuits and configs in order with their times, and counts what it leaves out', () => {
    const fault = { id: 'f1', target: 'app-2', type: 'down', source: 'api', startedAt: 0 } as unknown as FaultInfo;
    const events: NotableEvent[] = [
      { type: 'fault.started', seq: 1, ts: 1_000, fault },
      { type: 'circuit.state', seq: 2, ts: 2_000, node: 'lb', target: 'app-2', from: 'closed', to: 'open', reason: '5 failures in a row', detail: {} },
      { type: 'config.applied', seq: 3, ts: 3_000, name: 'Two proxies', nodes: 4, generation: 3 },
      { type: 'fault.ended', seq: 4, ts: 5_000, fault, reason: 'cleared' },
    ];
    expect(account({}, { edge: edge(0) }, events)).toEqual([
      'app-2 was stopped (a “down” fault) at 12:03:01.',
      'lb opened its circuit to app-2 at 12:03:02: 5 failures in a row',
      'A config was applied at 12:03:03 (“Two proxies”).',
      'app-2 was started again at 12:03:05.',
      'At the entry, edge answered 0 requests: 0 errors.',
    ]);
    const many = Array.from({ length: EVENTS_LISTED + 3 }, (_, i) => health(i * 1000, 'app-1', i % 2 === 0 ? 'down' : 'up', 'active'));
    const lines = account({}, {}, many);
    expect(lines).toHaveLength(EVENTS_LISTED + 1);
    expect(lines.at(-1)).toBe('…and 3 more changes in the event log.');
  });

  it('tells a stop a fault made once, by the fault, a stop from elsewhere by itself, and “an” before a fault that needs it', () => {
    const stopped = (seq: number, ts: number, node: string, reason: string): NotableEvent => ({
      type: 'node.state', seq, ts, node, kind: 'service', state: 'stopped', port: null, reason,
    });
    const down = { id: 'f1', target: 'lb', type: 'down', source: 'api', startedAt: 0 } as unknown as FaultInfo;
    const flap = { id: 'f2', target: 'app-3', type: 'flap', source: 'scenario', startedAt: 0 } as unknown as FaultInfo;
    const errors = { id: 'f3', target: 'app-2', type: 'errors', source: 'scenario', startedAt: 0 } as unknown as FaultInfo;
    const events: NotableEvent[] = [
      { type: 'fault.started', seq: 1, ts: 1_000, fault: down },
      stopped(2, 1_000, 'lb', 'fault f1: down'),
      { type: 'fault.started', seq: 3, ts: 2_000, fault: flap },
      stopped(4, 2_000, 'app-3', 'fault f2: flap (down 1000 ms of every 4000 ms)'),
      stopped(5, 6_000, 'app-3', 'fault f2: flap (down 1000 ms of every 4000 ms)'),
      stopped(6, 7_000, 'app-1', 'stopped from the page'),
      { type: 'fault.started', seq: 7, ts: 8_000, fault: errors },
    ];
    expect(account({}, { edge: edge(0) }, events)).toEqual([
      'lb was stopped (a “down” fault) at 12:03:01.',
      'A “flap” fault began on app-3 at 12:03:02.',
      'app-1 stopped at 12:03:07: stopped from the page.',
      'An “errors” fault began on app-2 at 12:03:08.',
      'At the entry, edge answered 0 requests: 0 errors.',
    ]);
  });

  it('tells what the entry’s own cache said, as for any proxy', () => {
    const before = { edge: nodeMetrics({ kind: 'proxy', requests: 10, cache: { HIT: 2, MISS: 8 } }) };
    const after = { edge: nodeMetrics({ kind: 'proxy', requests: 170, cache: { HIT: 90, MISS: 78 } }) };
    expect(account(before, after)).toEqual(['At the entry, edge answered 160 requests: 0 errors.', 'edge’s cache said HIT 88 times, MISS 70 times.']);
  });

  it('counts a counter that went back (reset) from zero, and says when nothing was counted', () => {
    expect(account({ edge: edge(500) }, { edge: edge(20) })).toEqual(['At the entry, edge answered 20 requests: 0 errors.']);
    expect(account({}, {}, [], { entries: [] })).toEqual(['The engine counted no requests during this step.']);
  });

  it('leaves out each health check on the way: only a target leaving or rejoining a pool is told', () => {
    const check: EngineEvent = { type: 'target.health', seq: 1, ts: 0, node: 'lb', target: 'a', source: 'active', change: 'check-failed', healthy: true, reason: '', detail: {} };
    expect(isNotable(check)).toBe(false);
    expect(isNotable({ type: 'metrics.tick', seq: 2, ts: 0, nodes: {} })).toBe(false);
  });
});

describe('StepRecorder', () => {
  const tick = (n: number) => ({ edge: edge(n) });

  it('counts from the step’s first counts to the goal, and stops at finish', () => {
    const recorder = new StepRecorder(tick(10));
    recorder.tick(tick(20));
    recorder.event(health(1_000, 'app-3', 'ejected'));
    recorder.event({ type: 'target.health', seq: 0, ts: 1_500, node: 'lb', target: 'app-3', source: 'active', change: 'check-failed', healthy: true, reason: '', detail: {} });
    const record = recorder.finish();
    recorder.tick(tick(90));
    recorder.event(health(2_000, 'app-3', 'returned'));
    expect(recorder.finish()).toBe(record);
    expect(record).toMatchObject({ before: tick(10), after: tick(20), sinceChange: false });
    expect(record!.events.map((e) => e.type === 'target.health' && e.change)).toEqual(['ejected']);
  });

  it('as the lesson machine does, counts again from the first tick after a config applied during the step', () => {
    const recorder = new StepRecorder(null);
    recorder.tick(tick(5));
    recorder.tick(tick(30));
    recorder.event({ type: 'config.applied', seq: 9, ts: 9, name: 'fix', nodes: 2, generation: 2 });
    recorder.tick(tick(31));
    recorder.tick(tick(60));
    expect(recorder.finish()).toMatchObject({ before: tick(31), after: tick(60), sinceChange: true });
    expect(new StepRecorder(null).finish()).toBeNull();
  });
});
