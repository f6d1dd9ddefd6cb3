import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../../engine/src/events.ts';
import { happyPath, refusedPath } from '../traces/fixtures.ts';
import { TraceStore, type RequestEvent } from '../traces/trace-store.ts';
import { faultEntry, LogBuffer, nodeStateEntry, requestEntry, trafficEntry } from './log-lines.ts';

function traceOf(events: RequestEvent[]) {
  const store = new TraceStore();
  for (const event of events) store.apply(event);
  return store.get(events[0].rid)!;
}

describe('log lines', () => {
  it('spell out a completed request with its route and the entry node’s duration', () => {
    expect(requestEntry(traceOf(happyPath()))).toMatchObject({
      kind: 'request',
      rid: 'r1',
      outcome: 'ok',
      text: 'GET /users/7 → 200 via edge→api→users→users-2 in 45 ms',
    });
  });

  it('name the error code and the target that never answered', () => {
    expect(requestEntry(traceOf(refusedPath()))).toMatchObject({
      outcome: 'edge-error',
      text: 'GET /users/7 → 502 EDGE_UPSTREAM_REFUSED via edge→api→users→users-1 ✕ in 5.0 ms',
    });
  });

  it('describe node state changes', () => {
    const event = { type: 'node.state', seq: 1, ts: 1, node: 'users-1', kind: 'service', state: 'stopped', port: null, reason: 'fault: down' } as const;
    expect(nodeStateEntry(event, 'up').text).toBe('users-1 (service) up → stopped: fault: down');
    expect(nodeStateEntry({ ...event, state: 'up', port: 9001, reason: undefined }, 'stopped').text).toBe('users-1 (service) stopped → up on :9001');
  });

  it('describe faults', () => {
    const fault = { id: 'f1', target: 'users-1', type: 'down' };
    expect(faultEntry({ type: 'fault.started', seq: 1, ts: 1, fault }).text).toBe('fault f1 injected: users-1 down: its listener is closed, connections are refused');
    expect(faultEntry({ type: 'fault.ended', seq: 2, ts: 2, fault }).text).toBe('fault f1 cleared: users-1 down: it listens again');
  });

  it('describe traffic changes', () => {
    const event: EventOf<'traffic.state'> = { type: 'traffic.state', seq: 1, ts: 1, running: true, sent: 0, flows: [{ name: 'browse', to: 'edge', rate: 4, clients: 6 }] };
    expect(trafficEntry(event).text).toBe('traffic running: browse 4 req/s → edge');
    expect(trafficEntry({ ...event, running: false }).text).toBe('traffic paused');
  });
});

describe('LogBuffer', () => {
  it('keeps the newest lines first, within its capacity, with stable ids', () => {
    const log = new LogBuffer(3);
    log.push([1, 2].map((n) => ({ kind: 'config' as const, ts: n, text: `line ${n}` })));
    log.push([3, 4].map((n) => ({ kind: 'config' as const, ts: n, text: `line ${n}` })));
    expect(log.lines.map((l) => [l.id, l.text])).toEqual([
      [4, 'line 4'],
      [3, 'line 3'],
      [2, 'line 2'],
    ]);
  });

  it('hands out a new array after a change and the same one otherwise', () => {
    const log = new LogBuffer();
    const before = log.lines;
    log.push([]);
    expect(log.lines).toBe(before);
    log.push([{ kind: 'config', ts: 1, text: 'x' }]);
    expect(log.lines).not.toBe(before);
  });
});
