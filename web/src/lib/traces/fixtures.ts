/**
 * Builders for request events in tests: one request through the default sandbox, as the engine emits
 * it (received down the chain, forwarded with a decision, completed back up).
 */
import type { CacheView, Decision, EventOf } from '../../../../engine/src/events.ts';
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

/** A balancer's forward for try `n`, as `request.forwarded` carries it with `try`. */
export function forwardedTry(
  rid: string,
  node: string,
  to: string,
  ts: number,
  n: number,
  reason = `round-robin: ${to} is next in rotation`,
): RequestEvent {
  return {
    type: 'request.forwarded',
    seq: ++seq,
    ts,
    rid,
    node,
    to,
    decision: { stage: 'pick', algorithm: 'round-robin', reason },
    try: n,
  };
}

/** A balancer's `request.retry` for a failed try: retried to `to`, or not (then `reason` says why). */
export function retried(
  rid: string,
  node: string,
  ts: number,
  n: number,
  target: string,
  failure: string,
  to: string | undefined,
  reason: string,
  budget = { retries: to === undefined ? 0 : 1, limit: 3, active: 4 },
): RequestEvent {
  return {
    type: 'request.retry',
    seq: ++seq,
    ts,
    rid,
    node,
    try: n,
    target,
    failure,
    retrying: to !== undefined,
    ...(to === undefined ? {} : { to }),
    reason,
    budget,
  };
}

/** users-2 refuses try 1; the balancer retries to users-3, which answers 200 on try 2. */
export function retriedPath(rid = 'r4', t = 4000): RequestEvent[] {
  return [
    received(rid, 'edge', 'client', t),
    forwarded(rid, 'edge', 'api', t + 0.5),
    received(rid, 'api', 'edge', t + 1),
    forwarded(rid, 'api', 'users', t + 1.5, 'route /users/* matched'),
    received(rid, 'users', 'api', t + 2),
    forwardedTry(rid, 'users', 'users-2', t + 2.5, 1),
    retried(
      rid,
      'users',
      t + 3.5,
      1,
      'users-2',
      'EDGE_UPSTREAM_REFUSED',
      'users-3',
      'connect-error on try 1 of 3; retry 1 in flight of max(3, 20% of 4 active) = 3',
    ),
    forwardedTry(rid, 'users', 'users-3', t + 3.6, 2),
    received(rid, 'users-3', 'users', t + 4),
    completed(rid, 'users-3', t + 24, 200, 20),
    { type: 'request.completed', seq: ++seq, ts: t + 24.5, rid, node: 'users', status: 200, durationMs: 22.5, upstream: 'users-3' },
    completed(rid, 'api', t + 25, 200, 24),
    completed(rid, 'edge', t + 25.5, 200, 25.5),
  ];
}

/** Both tries fail: users-2 refuses, users-3 answers 503 on the last try, so the client gets that 503. */
export function exhaustedPath(rid = 'r5', t = 5000): RequestEvent[] {
  return [
    received(rid, 'users', 'client', t),
    forwardedTry(rid, 'users', 'users-2', t + 0.5, 1),
    retried(
      rid,
      'users',
      t + 1.5,
      1,
      'users-2',
      'EDGE_UPSTREAM_REFUSED',
      'users-3',
      'connect-error on try 1 of 2; retry 1 in flight of max(3, 20% of 1 active) = 3',
    ),
    forwardedTry(rid, 'users', 'users-3', t + 1.6, 2),
    received(rid, 'users-3', 'users', t + 2),
    completed(rid, 'users-3', t + 7, 503, 5),
    retried(rid, 'users', t + 7.5, 2, 'users-3', 'status 503', undefined, 'that was try 2 of 2'),
    completed(rid, 'users', t + 8, 503, 8),
  ];
}

/** What a proxy's cache says about one request, as `request.completed` carries it. */
export function cacheView(xCache: CacheView['xCache'], fields: Partial<CacheView> = {}): CacheView {
  return {
    xCache,
    cacheStatus: `EdgeLab;${xCache === 'HIT' ? 'hit' : 'fwd=miss'}`,
    reason: `cache: ${xCache === 'HIT' ? 'fresh for 12 s more (max-age=20, age 8 s)' : 'nothing stored for this key'} -> ${xCache}`,
    key: 'GET edge /orders/3 ',
    stored: false,
    collapsed: xCache === 'COLLAPSED',
    ttl: undefined,
    age: undefined,
    fwdStatus: undefined,
    ...fields,
  };
}

/** GET /orders/3 answered by the proxy's cache (HIT, STALE or COLLAPSED): no forward, no upstream, a `cache: answer` step. */
export function cacheHitPath(rid = 'h1', t = 3000, xCache: CacheView['xCache'] = 'HIT', waitMs = 0.4): RequestEvent[] {
  const cache = cacheView(xCache, { ttl: 12, age: 8 });
  return [
    received(rid, 'edge', 'client', t, '/orders/3'),
    {
      ...completed(rid, 'edge', t + waitMs, 200, waitMs),
      cache,
      stages: [{ stage: 'cache', verdict: 'answer', ms: waitMs, reason: cache.reason }],
      decision: { stage: 'cache', reason: cache.reason },
    } as RequestEvent,
  ];
}

/** GET /orders/3, stale at the proxy: revalidated with orders-1, which answers 304; the client gets the stored 200. */
export function revalidatedPath(rid = 'v1', t = 4000): RequestEvent[] {
  const cache = cacheView('REVALIDATED', {
    fwdStatus: 304,
    stored: true,
    ttl: 20,
    age: 0,
    reason: 'cache: stale by 3 s; revalidated, the origin answered 304, stored headers updated -> REVALIDATED',
  });
  return [
    received(rid, 'edge', 'client', t, '/orders/3'),
    forwarded(rid, 'edge', 'api', t + 0.5),
    received(rid, 'api', 'edge', t + 1, '/orders/3'),
    forwarded(rid, 'api', 'orders-1', t + 1.5, 'route /orders/* matched'),
    received(rid, 'orders-1', 'api', t + 2, '/orders/3'),
    completed(rid, 'orders-1', t + 27, 304, 25),
    completed(rid, 'api', t + 27.5, 304, 26.5),
    { ...completed(rid, 'edge', t + 28, 200, 28), upstream: 'api', cache } as RequestEvent,
  ];
}

/** A background refresh of /orders/3 by edge (its own id, first seen at api), and the `cache.refresh` that settles it. */
export function refreshPath(rid = 'f1', t = 5000, forRid = 'h1'): { events: RequestEvent[]; settled: EventOf<'cache.refresh'> } {
  return {
    events: [
      received(rid, 'api', 'edge', t, '/orders/3'),
      forwarded(rid, 'api', 'orders-1', t + 0.5, 'route /orders/* matched'),
      received(rid, 'orders-1', 'api', t + 1, '/orders/3'),
      completed(rid, 'orders-1', t + 26, 304, 25),
      completed(rid, 'api', t + 26.5, 304, 26.5),
    ],
    settled: {
      type: 'cache.refresh',
      seq: ++seq,
      ts: t + 27,
      node: 'edge',
      rid,
      for: forRid,
      status: 304,
      cache: cacheView('REVALIDATED', { fwdStatus: 304, stored: true, reason: 'cache: background refresh; the origin answered 304, stored headers updated -> REVALIDATED' }),
      durationMs: 27,
    },
  };
}
