import { describe, expect, it } from 'vitest';
import { cacheHitPath, happyPath, received, refreshPath, refusedPath, revalidatedPath } from './fixtures.ts';
import { TraceStore, type RequestEvent } from './trace-store.ts';
import { buildWaypoints, type Waypoint } from './waypoints.ts';

const isLeaf = (node: string) => /-\d$/.test(node);

function waypointsAfter(events: RequestEvent[], holds?: (node: string) => boolean): Waypoint[] {
  const store = new TraceStore();
  for (const event of events) store.apply(event);
  return buildWaypoints(store.get(events[0].rid)!, isLeaf, holds);
}

/** The sandbox's proxy caches. */
const caching = (node: string) => node === 'edge';

const brief = (w: Waypoint) => `${w.node}:${w.side}${w.toward ? `>${w.toward}` : ''}@${w.ts - 1000}${w.status ? ` ${w.status}` : ''}`;

describe('buildWaypoints', () => {
  it('goes down the chain, waits in the service for as long as it worked, and comes back with the answer', () => {
    expect(waypointsAfter(happyPath()).map(brief)).toEqual([
      'client:out@0',
      'edge:in@0',
      'edge:out@0.5',
      'api:in@1',
      'api:out@1.5',
      'users:in@2',
      'users:out@2.5',
      'users-2:in@3',
      'users-2:mid@3',
      'users-2:mid@43',
      'users-2:in@43 200',
      'users:out@43',
      'users:in@43.5 200',
      'api:out@43.5',
      'api:in@44 200',
      'edge:out@44',
      'edge:in@44.5 200',
      'client:out@44.5 200',
    ]);
  });

  it('turns back halfway towards a target that refused, carrying the error', () => {
    const w = waypointsAfter(refusedPath());
    const turn = w.findIndex((p) => p.toward !== undefined);
    expect(w[turn]).toMatchObject({ node: 'users', side: 'out', toward: 'users-1' });
    expect(w[turn + 1]).toMatchObject({ node: 'users', side: 'out', status: 502, error: 'EDGE_UPSTREAM_REFUSED' });
    expect(w.at(-1)).toMatchObject({ node: 'client', status: 502, error: 'EDGE_UPSTREAM_REFUSED' });
  });

  it('only ever appends as events arrive, so a dot can keep its place', () => {
    for (const events of [happyPath(), refusedPath()]) {
      let previous: Waypoint[] = [];
      for (let n = 1; n <= events.length; n++) {
        const current = waypointsAfter(events.slice(0, n));
        expect(current.slice(0, previous.length)).toEqual(previous);
        previous = current;
      }
    }
  });

  it("carries the consumer from the gateway that named it on, up and back, and nowhere before it", () => {
    // The gateway's forward names the consumer (a 403 names it only at its answer).
    const events = happyPath().map((e) => (e.node === 'api' && e.type !== 'request.received' ? { ...e, consumer: 'mobile' } : e));
    const w = waypointsAfter(events);
    const named = w.flatMap((p, i) => (p.consumer === undefined ? [] : [`${i} ${brief(p)} ${p.consumer}`]));
    expect(named).toEqual(['4 api:out@1.5 mobile', '13 api:out@43.5 mobile', '14 api:in@44 200 mobile']);
    const forbidden = waypointsAfter([
      received('r9', 'api', 'client', 1000),
      { type: 'request.completed', seq: 99, ts: 1001, rid: 'r9', node: 'api', status: 403, durationMs: 1, error: 'EDGE_FORBIDDEN', consumer: 'scraper' },
    ]);
    expect(forbidden.map((p) => p.consumer)).toEqual([undefined, undefined, undefined, 'scraper', 'scraper', undefined]);
    expect(waypointsAfter(happyPath()).some((p) => p.consumer !== undefined)).toBe(false);
  });

  it('stops where the request is while it is still there', () => {
    const w = waypointsAfter(happyPath().slice(0, 7));
    expect(w.at(-1)).toMatchObject({ node: 'users-2', side: 'mid' });
  });

  describe('at a caching proxy', () => {
    it('turns a HIT back at the proxy, marked cached, and never goes further', () => {
      const w = waypointsAfter(cacheHitPath(), caching);
      expect(w.map(brief)).toEqual(['client:out@2000', 'edge:in@2000', 'edge:mid@2000', 'edge:mid@2000.4', 'edge:in@2000.4 200', 'client:out@2000.4 200']);
      expect(w.filter((p) => p.status !== undefined).every((p) => p.cached === true)).toBe(true);
    });

    it('keeps a request that waits there (collapsed on another fetch) in its middle until it is answered', () => {
      const [received] = cacheHitPath('c1', 3000, 'COLLAPSED', 80);
      expect(waypointsAfter([received], caching).at(-1)).toMatchObject({ node: 'edge', side: 'mid' });
      expect(waypointsAfter([received]).at(-1)).toMatchObject({ node: 'edge', side: 'in' });
    });

    it('passes a forwarded request through its middle, and a revalidated answer is not marked cached (it went upstream)', () => {
      const w = waypointsAfter(revalidatedPath(), caching);
      expect(w.slice(1, 4).map(brief)).toEqual(['edge:in@3000', 'edge:mid@3000', 'edge:out@3000.5']);
      expect(w.find((p) => p.node === 'orders-1' && p.status !== undefined)).toMatchObject({ status: 304 });
      expect(w.at(-1)).toMatchObject({ status: 200 });
      expect(w.some((p) => p.cached)).toBe(false);
    });

    it('only ever appends there too', () => {
      for (const events of [cacheHitPath(), revalidatedPath()]) {
        let previous: Waypoint[] = [];
        for (let n = 1; n <= events.length; n++) {
          const current = waypointsAfter(events.slice(0, n), caching);
          expect(current.slice(0, previous.length)).toEqual(previous);
          previous = current;
        }
      }
    });

    it('draws a background refresh from the proxy onwards and back to it', () => {
      const w = waypointsAfter(refreshPath().events, caching);
      expect(w[0]).toMatchObject({ node: 'edge', side: 'out' });
      expect(w.at(-1)).toMatchObject({ node: 'edge', side: 'out', status: 304 });
      expect(w.some((p) => p.node === 'client')).toBe(false);
    });
  });
});
