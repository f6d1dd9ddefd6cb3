import { describe, expect, it } from 'vitest';
import { completed, happyPath, received, refusedPath } from './fixtures.ts';
import { answerError, entryHop, routeOf, TraceStore } from './trace-store.ts';

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
