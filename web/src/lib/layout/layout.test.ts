import { describe, expect, it } from 'vitest';
import { MINI, NARROW, ROOMY, SHORT, TALL, WIDE } from './box-sizes.ts';
import { labelRect } from './edge-labels.ts';
import { classicEdge, fifteenNodes, thirtyNodes } from './fixtures.ts';
import { boxesClear } from './hints.ts';
import { CLIENTS_ID, computeLayout, type Layout, type LayoutInput } from './layout.ts';

/** The stage's room at 1280x800 and 1440x900, as Chromium measures it (the lab's stage column, at most 64% of the window's height, less its border). */
const ROOMS = { '1280x800': { width: 831, height: 510 }, '1440x900': { width: 991, height: 574 } };
const TOPOLOGIES: Record<string, LayoutInput> = { 'the default sandbox': classicEdge, 'fifteen nodes': fifteenNodes, 'thirty nodes': thirtyNodes };
const CASES = Object.entries(TOPOLOGIES).flatMap(([name, input]) => Object.entries(ROOMS).map(([at, room]) => ({ name, at, input, room })));

function expectReadable(layout: Layout) {
  for (const a of layout.boxes) {
    expect(a.x).toBeGreaterThanOrEqual(0);
    expect(a.y).toBeGreaterThanOrEqual(9);
    expect(a.x + a.w).toBeLessThanOrEqual(layout.width);
    expect(a.y + a.h + 9).toBeLessThanOrEqual(layout.height);
    for (const b of layout.boxes) if (a !== b) expect(boxesClear(a, b), `${a.id} overlaps ${b.id} (or its tabs)`).toBe(true);
  }
  const rects = layout.labels.map(labelRect);
  for (const [i, r] of rects.entries()) {
    for (const b of layout.boxes) {
      const apart = r.x + r.w <= b.x || b.x + b.w <= r.x || r.y + r.h <= b.y - 9 || b.y + b.h + 9 <= r.y;
      expect(apart, `label ${layout.labels[i].text} over ${b.id}`).toBe(true);
    }
  }
}

describe('computeLayout', () => {
  const layout = computeLayout(classicEdge);
  const centre = (id: string, l = layout) => {
    const b = l.box.get(id)!;
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

  it('with no room given, draws roomy wide boxes, clear of each other, labels off the boxes', () => {
    expect(layout.boxes.filter((b) => b.depth > 0).every((b) => b.w === WIDE && b.h === TALL.h && !b.narrow && !b.short)).toBe(true);
    expect(layout.box.get('api')!.x - layout.box.get('edge')!.outX).toBe(ROOMY.colGap);
    expect(layout.labels.map((l) => l.text).sort()).toEqual(['/orders/*', '/users/*']);
    expectReadable(layout);
  });

  it('draws one edge per upstream, from the out port to the in port', () => {
    expect(layout.edges.map((e) => e.key).sort()).toEqual(
      ['client->edge', 'edge->api', 'api->users', 'api->orders-1', 'users->users-1', 'users->users-2', 'users->users-3'].sort(),
    );
    const edge = layout.edge.get('edge->api')!;
    expect(edge.route[0].x0).toBe(layout.box.get('edge')!.outX);
    expect(edge.route.at(-1)!.x1).toBe(layout.box.get('api')!.inX);
    expect(edge.route.at(-1)!.y1).toBe(layout.box.get('api')!.pipeY);
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

  it('labels an edge several routes share with the first route and how many more, not the last route alone', () => {
    const l = computeLayout({
      entries: ['api'],
      nodes: [
        { id: 'api', kind: 'gateway', upstreams: ['/a/*', '/b/*', '/c/*'].map((route) => ({ to: 'svc', route })) },
        { id: 'svc', kind: 'service', upstreams: [] },
      ],
    });
    expect(l.labels.map((label) => [label.key, label.text])).toEqual([['api->svc', '/a/* +2']]);
  });

  it('is deterministic', () => {
    expect(computeLayout(classicEdge)).toEqual(layout);
    for (const { input, room } of CASES) expect(computeLayout(input, { room })).toEqual(computeLayout(input, { room }));
  });
});

describe('computeLayout within the stage’s room', () => {
  it.each(CASES)('$name at $at fits the width at scale 1, nothing overlapping', ({ input, room }) => {
    const l = computeLayout(input, { room });
    expect(l.width).toBeLessThanOrEqual(room.width);
    expectReadable(l);
  });

  it('keeps tall boxes for the default sandbox, wide ones where the width allows', () => {
    const at1280 = computeLayout(classicEdge, { room: ROOMS['1280x800'] });
    const at1440 = computeLayout(classicEdge, { room: ROOMS['1440x900'] });
    expect(at1280.boxes.every((b) => !b.short)).toBe(true);
    expect(at1280.height).toBeLessThanOrEqual(ROOMS['1280x800'].height);
    expect(at1280.box.get('api')).toMatchObject({ w: NARROW, narrow: true });
    expect(at1440.box.get('api')).toMatchObject({ w: WIDE, narrow: false });
  });

  it('gives a layer too tall for the room short boxes, and wraps it into staggered sub-columns where the width allows', () => {
    const l = computeLayout(fifteenNodes, { room: ROOMS['1440x900'] });
    const services = l.boxes.filter((b) => b.depth === 4);
    expect(services).toHaveLength(11);
    expect(services.every((b) => b.short && b.h === SHORT.h)).toBe(true);
    expect(new Set(services.map((b) => b.x)).size).toBe(2);
    expect(l.height).toBeLessThanOrEqual(ROOMS['1440x900'].height);
    // In their fan-out order, top to bottom, alternating columns: no edge crosses a sibling's box head-on.
    const ys = services.map((b) => b.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(services.map((b) => b.id)).toEqual([...Array.from({ length: 6 }, (_, i) => `users-${i + 1}`), ...Array.from({ length: 5 }, (_, i) => `orders-${i + 1}`)]);
  });

  it.each(Object.entries(ROOMS))('gives a balancer’s twenty targets mini boxes in more sub-columns, so the diagram fits the room at %s (no scrollbar)', (_, room) => {
    const targets = Array.from({ length: 20 }, (_, i) => `svc${i}`);
    const input: LayoutInput = {
      entries: ['edge'],
      nodes: [
        { id: 'edge', kind: 'proxy', upstreams: [{ to: 'lb' }] },
        { id: 'lb', kind: 'balancer', upstreams: targets.map((to) => ({ to })) },
        ...targets.map((id) => ({ id, kind: 'service' as const, upstreams: [] })),
      ],
    };
    const l = computeLayout(input, { room });
    const boxes = l.boxes.filter((b) => b.depth === 3);
    expect(boxes.every((b) => b.mini && b.short && b.narrow && b.h === MINI.h && b.w === MINI.w)).toBe(true);
    expect(l.height).toBeLessThanOrEqual(room.height);
    expect(l.width).toBeLessThanOrEqual(room.width);
    expectReadable(l);
    // The other layers keep their boxes.
    expect(l.box.get('lb')!.mini).toBe(false);
  });

  it('leads edges into a later sub-column level with its pipe, through the gaps of the sub-column before it', () => {
    const l = computeLayout(fifteenNodes, { room: ROOMS['1440x900'] });
    const services = l.boxes.filter((b) => b.depth === 4);
    const first = services.filter((b) => b.x === services[0].x);
    const later = services.filter((b) => b.x !== services[0].x);
    expect(later.length).toBeGreaterThan(0);
    for (const box of later) {
      const edge = l.edges.find((e) => e.to === box.id)!;
      expect(edge.lead).toBe(box.x);
      expect(edge.route.at(-1)).toMatchObject({ x1: services[0].x, y1: box.pipeY });
      for (const b of first) expect(box.pipeY < b.y || box.pipeY > b.y + b.h, `${edge.key} crosses ${b.id}`).toBe(true);
    }
    for (const box of first) expect(l.edges.find((e) => e.to === box.id)!.lead).toBeUndefined();
  });

  it('draws a balancer’s twenty edges as a bus: one trunk, and a branch per target a row-pitch from the next, none merging', () => {
    const targets = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const input: LayoutInput = {
      entries: ['lb'],
      nodes: [{ id: 'lb', kind: 'balancer', upstreams: targets.map((to) => ({ to })) }, ...targets.map((id) => ({ id, kind: 'service' as const, upstreams: [] }))],
    };
    for (const room of Object.values(ROOMS)) {
      const l = computeLayout(input, { room });
      const lb = l.box.get('lb')!;
      const fan = targets.map((id) => l.edge.get(`lb->${id}`)!);
      // Every edge leaves the port on the same trunk and reaches its target's pipe on a branch of its own, level with it.
      for (const e of fan) {
        expect(e.route[0]).toMatchObject({ x0: lb.outX, y0: lb.pipeY, y1: lb.pipeY });
        const branch = e.route.at(-1)!;
        expect(branch).toMatchObject({ y0: l.box.get(e.to)!.pipeY, y1: l.box.get(e.to)!.pipeY });
      }
      const branchYs = fan.map((e) => e.route.at(-1)!.y1).sort((a, b) => a - b);
      for (let i = 1; i < branchYs.length; i++) expect(branchYs[i] - branchYs[i - 1]).toBeGreaterThanOrEqual(20);
      // The bus is one vertical line between the port and the targets.
      const busXs = new Set(fan.flatMap((e) => e.route.filter((c) => c.x0 === c.x1 && c.y0 !== c.y1).map((c) => c.x0)));
      expect(busXs.size).toBe(1);
      const [busX] = busXs;
      expect(busX).toBeGreaterThan(lb.outX);
      expect(busX).toBeLessThan(Math.min(...targets.map((id) => l.box.get(id)!.inX)));
    }
  });

  it('runs the buses of two pools in one column apart, so their lines never merge', () => {
    for (const room of Object.values(ROOMS)) {
      const l = computeLayout(fifteenNodes, { room });
      const busX = (from: string) => new Set(l.edges.filter((e) => e.from === from).flatMap((e) => e.route.filter((c) => c.x0 === c.x1 && c.y0 !== c.y1).map((c) => c.x0)));
      const [users, orders] = [busX('users'), busX('orders')];
      expect(users.size).toBe(1);
      expect(orders.size).toBe(1);
      expect(Math.abs([...users][0] - [...orders][0])).toBeGreaterThanOrEqual(6);
    }
  });

  it('labels a bus edge on its own branch, level with its box, never on the bus its siblings share', () => {
    const targets = Array.from({ length: 6 }, (_, i) => `w${i}`);
    const input: LayoutInput = {
      entries: ['lb'],
      nodes: [{ id: 'lb', kind: 'balancer', upstreams: targets.map((to, i) => ({ to, weight: i + 2 })) }, ...targets.map((id) => ({ id, kind: 'service' as const, upstreams: [] }))],
    };
    const l = computeLayout(input, { room: ROOMS['1440x900'] });
    expect(l.labels.length).toBeGreaterThan(0);
    for (const label of l.labels) {
      const edge = l.edge.get(label.key)!;
      expect(edge.route.length).toBeGreaterThan(1);
      expect(label.y).toBeCloseTo(l.box.get(edge.to)!.pipeY - 6);
    }
  });

  it('keeps S-curves for a fan-out of fewer boxes than a bus needs (the default sandbox)', () => {
    const l = computeLayout(classicEdge, { room: ROOMS['1280x800'] });
    expect(l.edges.every((e) => e.route.length === 1)).toBe(true);
  });

  it('keeps a chain too long for the room clear of itself, wider than the room (the stage scrolls sideways)', () => {
    const chain: LayoutInput = {
      entries: ['p0'],
      nodes: [
        ...Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, kind: 'proxy' as const, upstreams: [{ to: i < 7 ? `p${i + 1}` : 'svc' }] })),
        { id: 'svc', kind: 'service', upstreams: [] },
      ],
    };
    for (const room of Object.values(ROOMS)) {
      const l = computeLayout(chain, { room });
      expect(l.width).toBeGreaterThan(room.width);
      expectReadable(l);
      const xs = l.boxes.map((b) => b.x);
      for (let i = 1; i < l.boxes.length; i++) expect(xs[i] - (xs[i - 1] + l.boxes[i - 1].w), `gap before ${l.boxes[i].id}`).toBeGreaterThanOrEqual(30);
    }
  });

  it('keeps thirty nodes within the width and far shorter than one box per row', () => {
    const l = computeLayout(thirtyNodes, { room: ROOMS['1440x900'] });
    expect(l.width).toBeLessThanOrEqual(ROOMS['1440x900'].width);
    expect(l.height).toBeLessThan(25 * (TALL.h + 22) * 0.5);
  });
});

describe('computeLayout with layout hints', () => {
  const room = ROOMS['1280x800'];
  const auto = computeLayout(classicEdge, { room });

  it('puts a hinted box where the hint says, and moves the others out of its way', () => {
    const target = auto.box.get('users-2')!;
    const l = computeLayout(classicEdge, { room, positions: { api: { x: target.x, y: target.y } } });
    expect(l.box.get('api')).toMatchObject({ x: target.x, y: target.y, pinned: true, inX: target.x, outX: target.x + target.w });
    expect(l.box.get('api')!.pipeY - l.box.get('api')!.y).toBe(TALL.pipeOffset);
    expect(l.box.get('users-2')!.y).toBeGreaterThan(target.y);
    expect(l.edge.get('edge->api')!.route.at(-1)!.x1).toBe(target.x);
    expectReadable(l);
  });

  it('keeps two hinted boxes dropped on each other apart', () => {
    const l = computeLayout(classicEdge, { room, positions: { 'users-1': { x: 300, y: 40 }, 'users-3': { x: 310, y: 50 } } });
    expect(l.box.get('users-1')).toMatchObject({ x: 300, y: 40 });
    expectReadable(l);
  });

  it('ignores positions for ids no box has, and for the clients box', () => {
    expect(computeLayout(classicEdge, { room, positions: { gone: { x: 5, y: 5 }, [CLIENTS_ID]: { x: 500, y: 500 } } })).toEqual(auto);
  });
});
