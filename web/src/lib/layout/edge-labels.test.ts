import { describe, expect, it } from 'vitest';
import { labelRect, placeFaultBadge, type FaultBadge } from './edge-labels.ts';
import { classicEdge } from './fixtures.ts';
import { computeLayout, type LayoutInput } from './layout.ts';

const ROOM_1280 = { width: 831, height: 510 };
const ROOM_1440 = { width: 991, height: 574 };
const apart = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
  a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;

/** A balancer's `n` targets with weights 1, 2, 3, ...: every weight but 1 is an edge label. */
function weighted(n: number): LayoutInput {
  const targets = Array.from({ length: n }, (_, i) => `svc${i}`);
  return {
    entries: ['edge'],
    nodes: [
      { id: 'edge', kind: 'proxy', upstreams: [{ to: 'lb' }] },
      { id: 'lb', kind: 'balancer', upstreams: targets.map((to, i) => ({ to, weight: 1 + (i % 3) })) },
      ...targets.map((id) => ({ id, kind: 'service' as const, upstreams: [] })),
    ],
  };
}

describe('placeFaultBadge', () => {
  // "latency +300 ms" is the widest badge a single fault has: 15 characters.
  const WIDE_BADGE = 15 * 6.6 + 24;

  it.each([
    [6, '1280x800', ROOM_1280],
    [12, '1280x800', ROOM_1280],
    [6, '1440x900', ROOM_1440],
    [12, '1440x900', ROOM_1440],
  ])(
    'keeps the badge of every weighted branch of a %i-target balancer at %s off its weight, the boxes and the badges before it',
    (n, _, room) => {
      const layout = computeLayout(weighted(n), { room });
      const labelled = layout.labels.filter((l) => l.key.startsWith('lb->'));
      expect(labelled.length).toBeGreaterThan(0);
      const placed: FaultBadge[] = [];
      for (const label of labelled) {
        const badge = placeFaultBadge(layout.edge.get(label.key)!, WIDE_BADGE, layout, placed);
        expect(apart(badge, labelRect(label)), `${label.key}: the badge covers its weight ${label.text}`).toBe(true);
        for (const b of layout.boxes)
          expect(apart(badge, { x: b.x, y: b.y - 9, w: b.w, h: b.h + 18 }), `${label.key}: the badge covers ${b.id}`).toBe(true);
        for (const other of placed) expect(apart(badge, other), `${label.key}: the badge covers ${other.key}'s`).toBe(true);
        placed.push(badge);
      }
    },
  );

  it('puts the whole badge of an edge with room for it on its line, between its boxes', () => {
    const layout = computeLayout(classicEdge);
    const edge = layout.edge.get('edge->api')!;
    const badge = placeFaultBadge(edge, 60, layout, []);
    expect(badge.compact).toBe(false);
    expect(badge.y + 9).toBeCloseTo(edge.route[0].y0);
    for (const b of layout.boxes) expect(apart(badge, { x: b.x, y: b.y - 9, w: b.w, h: b.h + 18 }), `the badge covers ${b.id}`).toBe(true);
    expect(badge.x).toBeGreaterThan(edge.route[0].x0);
    expect(badge.x + badge.w).toBeLessThan(edge.route[0].x1);
  });
});
