import { describe, expect, it } from 'vitest';
import { completed, exhaustedPath, forwarded, forwardedTry, happyPath, received, refusedPath, retried, retriedPath } from './fixtures.ts';
import { answerError, entryHop, failureWords, routeOf, TraceStore, triesOf, tryText } from './trace-store.ts';

function storeWith(...events: ReturnType<typeof happyPath>): TraceStore {
  const store = new TraceStore();
  for (const event of events) store.apply(event);
  return store;
}

describe('TraceStore', () => {
  it('joins a request into hops in the order the nodes received it', () => {
    const trace = storeWith(...happyPath()).get('r1')!;
    expect(trace.hops.map((h) => [h.node, h.from])).toEqual([
      ['edge', 'client'],
      ['api', 'edge'],
      ['users', 'api'],
      ['users-2', 'users'],
    ]);
    expect(trace).toMatchObject({ method: 'GET', path: '/users/7', done: true });
    expect(trace.hops[2].forwards[0].decision.reason).toMatch(/round-robin/);
    expect(entryHop(trace)).toMatchObject({ status: 200, durationMs: 44.5 });
  });

  it('keeps the stages a hop passed and the consumer it found', () => {
    const store = new TraceStore();
    const stages = [
      { stage: 'route' as const, verdict: 'continue' as const, ms: 0.01, reason: 'route 1 matched' },
      { stage: 'forward' as const, verdict: 'forward' as const, ms: 0.002 },
    ];
    store.apply({ type: 'request.received', seq: 1, ts: 1, rid: 'r', node: 'api', from: 'client', method: 'GET', path: '/', peer: '' });
    const trace = store.apply({ type: 'request.completed', seq: 2, ts: 5, rid: 'r', node: 'api', status: 200, durationMs: 4, stages, consumer: 'mobile' });
    expect(trace.hops[0]).toMatchObject({ stages, consumer: 'mobile' });
  });

  it('knows the consumer from the forward, before the answer', () => {
    const store = new TraceStore();
    store.apply({ type: 'request.received', seq: 1, ts: 1, rid: 'r', node: 'api', from: 'client', method: 'GET', path: '/', peer: '' });
    const decision = { stage: 'route' as const, reason: 'route 1 matched' };
    expect(store.apply({ type: 'request.forwarded', seq: 2, ts: 2, rid: 'r', node: 'api', to: 'users', decision, consumer: 'mobile' }).hops[0].consumer).toBe('mobile');
    expect(store.apply({ type: 'request.completed', seq: 3, ts: 5, rid: 'r', node: 'api', status: 200, durationMs: 4 }).hops[0].consumer).toBe('mobile');
  });

  it('is not done until the node that answers the client completes', () => {
    const events = happyPath();
    const store = storeWith(...events.slice(0, -1));
    expect(store.get('r1')!.done).toBe(false);
    store.apply(events.at(-1)!);
    expect(store.get('r1')!.done).toBe(true);
  });

  it('spells out the route, with attempts that never arrived', () => {
    expect(routeOf(storeWith(...happyPath()).get('r1')!).map((r) => r.node)).toEqual(['edge', 'api', 'users', 'users-2']);
    expect(routeOf(storeWith(...refusedPath()).get('r2')!)).toEqual([
      { node: 'edge', failed: false },
      { node: 'api', failed: false },
      { node: 'users', failed: false },
      { node: 'users-1', failed: true },
    ]);
  });

  it('finds the error code behind a relayed answer', () => {
    const trace = storeWith(...refusedPath()).get('r2')!;
    expect(trace.hops.map((h) => answerError(trace, h))).toEqual(['EDGE_UPSTREAM_REFUSED', 'EDGE_UPSTREAM_REFUSED', 'EDGE_UPSTREAM_REFUSED']);
    const ok = storeWith(...happyPath()).get('r1')!;
    expect(answerError(ok, ok.hops[0])).toBeUndefined();
  });

  it('keeps a completion whose receipt was sampled away, as an estimated hop', () => {
    const store = storeWith(completed('r9', 'edge', 5000, 200, 30));
    const trace = store.get('r9')!;
    expect(trace.hops[0]).toMatchObject({ node: 'edge', from: 'client', receivedTs: 4970, estimated: true });
    expect(trace.done).toBe(true);
  });

  it('tells apart two visits of the same node', () => {
    const store = storeWith(received('r3', 'a', 'client', 1), received('r3', 'a', 'b', 2), completed('r3', 'a', 3, 200, 1));
    const [outer, inner] = store.get('r3')!.hops;
    expect(inner.completedTs).toBe(3);
    expect(outer.completedTs).toBeUndefined();
  });

  it('forgets the oldest traces beyond its capacity', () => {
    const store = new TraceStore(2);
    for (const rid of ['a', 'b', 'c']) store.apply(received(rid, 'edge', 'client', 1));
    expect(store.size).toBe(2);
    expect(store.get('a')).toBeUndefined();
    expect(store.get('c')).toBeDefined();
  });
});

describe('TraceStore with retries', () => {
  it('joins each try at the balancer with the retry that reported its failure', () => {
    const trace = storeWith(...retriedPath()).get('r4')!;
    const users = trace.hops.find((h) => h.node === 'users')!;
    expect(users.forwards.map((f) => [f.try, f.to])).toEqual([
      [1, 'users-2'],
      [2, 'users-3'],
    ]);
    const tries = triesOf(users);
    expect(tries.map((t) => [t.try, t.forward?.to, t.retry?.target, t.retry?.to])).toEqual([
      [1, 'users-2', 'users-2', 'users-3'],
      [2, 'users-3', undefined, undefined],
    ]);
    expect(tries[0].retry).toMatchObject({ failure: 'EDGE_UPSTREAM_REFUSED', retrying: true, budget: { retries: 1, limit: 3, active: 4 } });
    expect(tries.map(tryText)).toEqual(['try 1 → users-2 refused (EDGE_UPSTREAM_REFUSED); retried to users-3 (try 2)', 'try 2 → users-3']);
    expect(trace).toMatchObject({ done: true });
    expect(entryHop(trace)).toMatchObject({ status: 200 });
  });

  it('keeps the route: the refused try never arrived, the retry did', () => {
    const trace = storeWith(...retriedPath()).get('r4')!;
    expect(routeOf(trace)).toEqual([
      { node: 'edge', failed: false },
      { node: 'api', failed: false },
      { node: 'users', failed: false },
      { node: 'users-2', failed: true },
      { node: 'users-3', failed: false },
    ]);
  });

  it('says why the last failed try was not retried', () => {
    const trace = storeWith(...exhaustedPath()).get('r5')!;
    const users = trace.hops.find((h) => h.node === 'users')!;
    expect(triesOf(users).map(tryText)).toEqual([
      'try 1 → users-2 refused (EDGE_UPSTREAM_REFUSED); retried to users-3 (try 2)',
      'try 2 → users-3 answered 503; not retried: that was try 2 of 2',
    ]);
    expect(trace.hops.map((h) => [h.node, h.status])).toEqual([
      ['users', 503],
      ['users-3', 503],
    ]);
  });

  it('lists no tries for a hop that made one try that worked, or forwards without try numbers', () => {
    const single = storeWith(received('r6', 'users', 'client', 1), forwardedTry('r6', 'users', 'users-1', 2, 1), completed('r6', 'users', 9, 200, 8));
    expect(triesOf(single.get('r6')!.hops[0])).toEqual([]);
    const plain = storeWith(...happyPath()).get('r1')!;
    expect(plain.hops.map(triesOf)).toEqual([[], [], [], []]);
  });

  it('keeps a retry whose forward was sampled away', () => {
    const store = storeWith(
      received('r7', 'users', 'client', 1),
      retried('r7', 'users', 3, 1, 'users-1', 'EDGE_UPSTREAM_TIMEOUT', 'users-2', 'timeout on try 1 of 3'),
      forwardedTry('r7', 'users', 'users-2', 3.1, 2),
    );
    const tries = triesOf(store.get('r7')!.hops[0]);
    expect(tries.map((t) => [t.try, t.forward?.to ?? null])).toEqual([
      [1, null],
      [2, 'users-2'],
    ]);
    expect(tryText(tries[0])).toBe('try 1 → users-1 timed out (EDGE_UPSTREAM_TIMEOUT); retried to users-2 (try 2)');
  });

  it('puts a failure in a word', () => {
    expect(failureWords('EDGE_UPSTREAM_RESET')).toBe('reset the connection (EDGE_UPSTREAM_RESET)');
    expect(failureWords('status 502')).toBe('answered 502');
    expect(failureWords('SOMETHING_NEW')).toBe('failed (SOMETHING_NEW)');
  });
});

describe('TraceStore with an l4 balancer', () => {
  const opened = {
    type: 'connection.opened' as const,
    seq: 1,
    ts: 900,
    node: 'users',
    connection: 'c3',
    peer: '127.0.0.1:50123',
    to: 'users-2',
    decision: { stage: 'pick' as const, algorithm: 'round-robin', reason: 'round-robin: users-2 is next in rotation (position 2 of 3)' },
  };
  /** api -> users (l4, never sees the request) -> users-2: the service names the connection it rode. */
  const l4Path = (rid = 'r4', t = 1000) => [
    received(rid, 'api', 'client', t),
    forwarded(rid, 'api', 'users', t + 0.5),
    { ...received(rid, 'users-2', 'api', t + 1), via: { node: 'users', connection: 'c3' } },
    completed(rid, 'users-2', t + 21, 200, 20),
    completed(rid, 'api', t + 22, 200, 22),
  ];

  it('adds a relay hop for the balancer whose forward is the connection pick, and closes it with the answer', () => {
    const store = new TraceStore();
    store.connectionOpened(opened);
    for (const event of l4Path()) store.apply(event);
    const trace = store.get('r4')!;
    expect(trace.hops.map((h) => [h.node, h.from])).toEqual([
      ['api', 'client'],
      ['users', 'api'],
      ['users-2', 'users'],
    ]);
    const relay = trace.hops[1];
    expect(relay.relay).toEqual({ connection: 'c3' });
    expect(relay.forwards[0]).toMatchObject({ to: 'users-2', decision: { stage: 'pick', algorithm: 'round-robin' } });
    expect(relay.forwards[0].decision.reason).toMatch(/rode connection c3; round-robin picked users-2 once, when the connection opened \(round-robin: users-2 is next/);
    expect(relay.forwards[0].decision.reason).toMatch(/never saw this request/);
    expect(relay).toMatchObject({ completedTs: 1021, status: 200, upstream: 'users-2' });
    expect(routeOf(trace).map((r) => r.node)).toEqual(['api', 'users', 'users-2']);
    expect(trace.done).toBe(true);
  });

  it('still explains the relay when the connection was opened before the page was watching', () => {
    const store = storeWith(...l4Path('r5'));
    expect(store.get('r5')!.hops[1].forwards[0].decision.reason).toMatch(/rode connection c3; the balancer picked users-2 once/);
  });
});
