/**
 * Builders for request events in tests: one request through the default sandbox, as the engine emits
 * it (received down the chain, forwarded with a decision, completed back up).
 */
import type { Decision } from '../../../../engine/src/events.ts';
import type { RequestEvent } from './trace-store.ts';

let seq = 0;

export function received(rid: string, node: string, from: string, ts: number, path = '/users/7'): RequestEvent {
  return { type: 'request.received', seq: ++seq, ts, rid, node, from, method: 'GET', path, peer: '127.0.0.1' };
}

export function forwarded(rid: string, node: string, to: string, ts: number, reason = `${node} sends it to ${to}`): RequestEvent {
  const decision: Decision = { stage: node === 'users' ? 'pick' : 'proxy', reason };
  return { type: 'request.forwarded', seq: ++seq, ts, rid, node, to, decision };
}

export function completed(rid: string, node: string, ts: number, status: number, durationMs: number, error?: string): RequestEvent {
  return { type: 'request.completed', seq: ++seq, ts, rid, node, status, durationMs, ...(error ? { error: error as never } : {}) };
}

/** GET /users/7 via edge -> api -> users -> users-2, 40 ms in the service, 200. */
export function happyPath(rid = 'r1', t = 1000): RequestEvent[] {
  return [
    received(rid, 'edge', 'client', t),
    forwarded(rid, 'edge', 'api', t + 0.5),
    received(rid, 'api', 'edge', t + 1),
    forwarded(rid, 'api', 'users', t + 1.5, 'route /users/* matched'),
    received(rid, 'users', 'api', t + 2),
    forwarded(rid, 'users', 'users-2', t + 2.5, 'round-robin: users-2 is next in rotation (position 2 of 3)'),
    received(rid, 'users-2', 'users', t + 3),
    completed(rid, 'users-2', t + 43, 200, 40),
    completed(rid, 'users', t + 43.5, 200, 41.5),
    completed(rid, 'api', t + 44, 200, 43),
    completed(rid, 'edge', t + 44.5, 200, 44.5),
  ];
}

/** The balancer picks users-1, which is down: refused, 502 with EDGE_UPSTREAM_REFUSED. */
export function refusedPath(rid = 'r2', t = 2000): RequestEvent[] {
  return [
    received(rid, 'edge', 'client', t),
    forwarded(rid, 'edge', 'api', t + 0.5),
    received(rid, 'api', 'edge', t + 1),
    forwarded(rid, 'api', 'users', t + 1.5),
    received(rid, 'users', 'api', t + 2),
    forwarded(rid, 'users', 'users-1', t + 2.5, 'round-robin: users-1 is next in rotation (position 1 of 3)'),
    completed(rid, 'users', t + 4, 502, 2, 'EDGE_UPSTREAM_REFUSED'),
    completed(rid, 'api', t + 4.5, 502, 3.5),
    completed(rid, 'edge', t + 5, 502, 5),
  ];
}
