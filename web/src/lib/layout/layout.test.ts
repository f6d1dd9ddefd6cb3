import { describe, expect, it } from 'vitest';
import { CLIENTS_ID, computeLayout, DIMENSIONS, type LayoutInput } from './layout.ts';

/** The default sandbox (examples/classic-edge.yaml) as /api/topology describes it. */
const classicEdge: LayoutInput = {
  entries: ['edge'],
  nodes: [
    { id: 'edge', kind: 'proxy', upstreams: [{ to: 'api' }] },
    { id: 'api', kind: 'gateway', upstreams: [{ to: 'users' }, { to: 'orders-1' }] },
    { id: 'users', kind: 'balancer', upstreams: [{ to: 'users-1' }, { to: 'users-2' }, { to: 'users-3' }] },
    { id: 'users-1', kind: 'service', upstreams: [] },
    { id: 'users-2', kind: 'service', upstreams: [] },
    { id: 'users-3', kind: 'service', upstreams: [] },
    { id: 'orders-1', kind: 'service', upstreams: [] },
  ],
};

describe('computeLayout', () => {
  const layout = computeLayout(classicEdge);
  const depthOf = (id: string) => layout.box.get(id)?.depth;
  const centre = (id: string) => {
    const b = layout.box.get(id)!;
    return b.y + b.h / 2;
  };

  it('layers nodes by depth from the clients box', () => {
    expect(Object.fromEntries(layout.boxes.map((b) => [b.id, b.depth]))).toEqual({
      [CLIENTS_ID]: 0,
      edge: 1,
      api: 2,
      users: 3,
      'orders-1': 3,
      'users-1': 4,
      'users-2': 4,
      'users-3': 4,
    });
  });

  it('places deeper layers further right', () => {
    const xs = [CLIENTS_ID, 'edge', 'api', 'users', 'users-1'].map((id) => layout.box.get(id)!.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(layout.box.get('users')!.x).toBe(layout.box.get('orders-1')!.x);
  });

  it('orders a layer by config order when parents tie, and fans targets around their balancer', () => {
    expect(centre('users')).toBeLessThan(centre('orders-1'));
    expect(centre('users-1')).toBeLessThan(centre('users-2'));
    expect(centre('users-2')).toBeLessThan(centre('users-3'));
    expect(centre('users-2')).toBeCloseTo(centre('users'));
  });

  it('never overlaps two boxes and keeps every box inside the drawing', () => {
    for (const a of layout.boxes) {
      expect(a.x).toBeGreaterThanOrEqual(DIMENSIONS.pad);
      expect(a.y).toBeGreaterThanOrEqual(DIMENSIONS.pad);
      expect(a.x + a.w).toBeLessThanOrEqual(layout.width);
      expect(a.y + a.h).toBeLessThanOrEqual(layout.height);
      for (const b of layout.boxes) {
        if (a === b) continue;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
  });

  it('draws one edge per upstream, from the out port to the in port', () => {
    expect(layout.edges.map((e) => e.key).sort()).toEqual(
      ['client->edge', 'edge->api', 'api->users', 'api->orders-1', 'users->users-1', 'users->users-2', 'users->users-3'].sort(),
    );
    const edge = layout.edge.get('edge->api')!;
    expect(edge.curve.x0).toBe(layout.box.get('edge')!.outX);
    expect(edge.curve.x1).toBe(layout.box.get('api')!.inX);
    expect(edge.curve.y1).toBe(layout.box.get('api')!.pipeY);
  });

  it('gives URL upstreams an external box', () => {
    const l = computeLayout({ entries: ['edge'], nodes: [{ id: 'edge', kind: 'proxy', upstreams: [{ to: 'http://example.test' }] }] });
    expect(l.box.get('http://example.test')).toMatchObject({ kind: 'external', depth: 2 });
  });

  it('still places nodes no flow reaches, and survives cycles', () => {
    const l = computeLayout({
      entries: [],
      nodes: [
        { id: 'a', kind: 'proxy', upstreams: [{ to: 'b' }] },
        { id: 'b', kind: 'proxy', upstreams: [{ to: 'a' }] },
        { id: 'lone', kind: 'service', upstreams: [] },
      ],
    });
    expect(l.boxes.map((b) => [b.id, b.depth])).toEqual([
      [CLIENTS_ID, 0],
      ['a', 1],
      ['lone', 1],
      ['b', 2],
    ]);
  });

  it('is deterministic', () => {
    expect(computeLayout(classicEdge)).toEqual(layout);
  });
});
