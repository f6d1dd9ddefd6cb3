import { describe, expect, it } from 'vitest';
import { computeLayout, CLIENTS_ID, type Layout } from '../layout/layout.ts';
import { happyPath, refusedPath } from '../traces/fixtures.ts';
import { TraceStore, type RequestEvent } from '../traces/trace-store.ts';
import { DotField, MOTION, type Motion } from './dot-field.ts';
import { hashUnit } from './id-hash.ts';
import { inSample } from './sampling.ts';

const layout: Layout = computeLayout({
  entries: ['edge'],
  nodes: [
    { id: 'edge', kind: 'proxy', upstreams: [{ to: 'api' }] },
    { id: 'api', kind: 'gateway', upstreams: [{ to: 'users' }] },
    { id: 'users', kind: 'balancer', upstreams: [{ to: 'users-1' }, { to: 'users-2' }] },
    { id: 'users-1', kind: 'service', upstreams: [] },
    { id: 'users-2', kind: 'service', upstreams: [] },
  ],
});
const motion: Motion = { travelMs: 100, crossMs: 50, turnMs: 80, fadeMs: 200, staleMs: 10_000 };
const isLeaf = (id: string) => id.startsWith('users-');

/** Feeds events as they would arrive: the browser clock equals the engine clock here. */
function run(events: RequestEvent[], field = new DotField({ isLeaf, layout: () => layout, motion })) {
  const store = new TraceStore();
  for (const event of events) {
    const trace = store.apply(event);
    const starts = event.type === 'request.received' && event.from === CLIENT_FROM;
    field.track(trace, starts, event.ts, event.ts);
  }
  return field;
}
const CLIENT_FROM = 'client';

function dotOf(field: DotField, rid: string) {
  return field.dots.find((d) => d.active && d.rid === rid)!;
}

describe('DotField', () => {
  it('leaves the clients box when the entry node received the request, and reaches it one travel later', () => {
    const field = run(happyPath('r1', 1000));
    const clients = layout.box.get(CLIENTS_ID)!;
    const edge = layout.box.get('edge')!;
    field.step(1000, false);
    expect(dotOf(field, 'r1')).toMatchObject({ x: clients.outX, y: clients.pipeY, outcome: 'pending' });
    field.step(1000 + motion.travelMs, false);
    expect(dotOf(field, 'r1')).toMatchObject({ x: edge.inX, y: edge.pipeY });
  });

  it('moves along the edge in between', () => {
    const field = run(happyPath('r1', 1000));
    field.step(1000 + motion.travelMs / 2, false);
    const dot = dotOf(field, 'r1');
    expect(dot.x).toBeGreaterThan(layout.box.get(CLIENTS_ID)!.outX);
    expect(dot.x).toBeLessThan(layout.box.get('edge')!.inX);
  });

  it('waits in the service for its real latency, then carries its status home and fades', () => {
    const field = run(happyPath('r1', 1000));
    const service = layout.box.get('users-2')!;
    // Down: 4 edges, 3 box crossings, then the slide into the service.
    const arrival = 1000 + 4 * motion.travelMs + 4 * motion.crossMs;
    field.step(arrival, false);
    const dot = dotOf(field, 'r1');
    expect(dot.y).toBe(service.pipeY);
    expect(dot.x).toBeCloseTo(service.x + service.w * (0.3 + 0.4 * hashUnit('r1')));
    field.step(arrival + 39, false);
    expect(dot.outcome).toBe('pending');
    field.step(arrival + 40 + 1, false);
    expect(dot.outcome).toBe('ok');
    const home = arrival + 40 + 4 * motion.crossMs + 4 * motion.travelMs;
    field.step(home, false);
    expect(dot.x).toBe(layout.box.get(CLIENTS_ID)!.outX);
    expect(dot.alpha).toBe(1);
    field.step(home + motion.fadeMs / 2, false);
    expect(dot.alpha).toBeCloseTo(0.5);
    field.step(home + motion.fadeMs, false);
    expect(field.inFlight).toBe(0);
    expect(dot.active).toBe(false);
  });

  it('turns a refused attempt back halfway and marks it as an edge error', () => {
    const field = run(refusedPath('r2', 2000));
    const turnAt = 2000 + 3 * motion.travelMs + 3 * motion.crossMs + motion.turnMs;
    field.step(turnAt, false);
    const dot = dotOf(field, 'r2');
    const users = layout.box.get('users')!;
    const target = layout.box.get('users-1')!;
    expect(dot.x).toBeGreaterThan(users.outX);
    expect(dot.x).toBeLessThan(target.inX);
    field.step(turnAt + motion.turnMs, false);
    expect(dot).toMatchObject({ x: users.outX, outcome: 'edge-error' });
  });

  it.each([false, true])("wears no colour until it sets off for its balancer's pick, then the pick's colour there and back (reduced motion: %s)", (reduced) => {
    const slots: Record<string, number> = { 'users-1': 4, 'users-2': 6 };
    const field = run(happyPath('r1', 1000), new DotField({ isLeaf, layout: () => layout, motion, targetSlot: (id) => slots[id] ?? -1 }));
    const leavesBalancer = 1000 + 3 * motion.travelMs + 3 * motion.crossMs;
    field.step(leavesBalancer - 1, reduced);
    const dot = dotOf(field, 'r1');
    expect(dot.slot).toBe(-1);
    field.step(leavesBalancer + 1, reduced);
    expect(dot.slot).toBe(6);
    field.step(leavesBalancer + 2 * motion.travelMs + 40 + 2 * motion.crossMs, reduced);
    expect(dot).toMatchObject({ slot: 6, outcome: 'ok' });
  });

  it.each([false, true])('wears no tag until it is in the gateway that named its consumer, then its tag there and back (reduced motion: %s)', (reduced) => {
    const events = happyPath('r1', 1000).map((e) => (e.node === 'api' && e.type !== 'request.received' ? { ...e, consumer: 'mobile' } : e));
    const tags: Record<string, number> = { mobile: 2 };
    const field = run(events, new DotField({ isLeaf, layout: () => layout, motion, consumerSlot: (name) => tags[name] ?? -1 }));
    const entersGateway = 1000 + 2 * motion.travelMs + motion.crossMs;
    field.step(entersGateway - 1, reduced);
    const dot = dotOf(field, 'r1');
    expect(dot.tag).toBe(-1);
    field.step(entersGateway + 1, reduced);
    expect(dot.tag).toBe(2);
    field.step(entersGateway + 3 * motion.travelMs + 40 + 4 * motion.crossMs, reduced);
    expect(dot).toMatchObject({ tag: 2, outcome: 'ok' });
    // Without a consumer on its events, no tag.
    const plain = run(happyPath('r3', 1000), new DotField({ isLeaf, layout: () => layout, motion, consumerSlot: (name) => tags[name] ?? -1 }));
    plain.step(entersGateway + 1, reduced);
    expect(dotOf(plain, 'r3').tag).toBe(-1);
  });

  it('wears the colour of a target it tried and turned back from', () => {
    const field = run(refusedPath('r2', 2000), new DotField({ isLeaf, layout: () => layout, motion, targetSlot: (id) => (id === 'users-1' ? 3 : -1) }));
    field.step(2000 + 3 * motion.travelMs + 3 * motion.crossMs + 2 * motion.turnMs, false);
    expect(dotOf(field, 'r2')).toMatchObject({ slot: 3, outcome: 'edge-error' });
  });

  it('waits where the request is until the next event comes', () => {
    const events = happyPath('r1', 1000);
    const field = run(events.slice(0, 7));
    field.step(1000 + motion.staleMs / 2, false);
    expect(dotOf(field, 'r1').y).toBe(layout.box.get('users-2')!.pipeY);
    expect(field.inFlight).toBe(1);
  });

  it('drops a dot whose request went silent', () => {
    const field = run(happyPath('r1', 1000).slice(0, 3));
    field.step(1010 + motion.staleMs, false);
    expect(field.inFlight).toBe(0);
  });

  it('with reduced motion, shows the dot at the place it reached instead of between places', () => {
    const field = run(happyPath('r1', 1000));
    field.step(1000 + motion.travelMs / 2, true);
    expect(dotOf(field, 'r1').x).toBe(layout.box.get(CLIENTS_ID)!.outX);
  });

  it('gives a dot only to requests it saw start, within its capacity', () => {
    const field = new DotField({ capacity: 2, isLeaf, layout: () => layout, motion });
    for (const rid of ['a', 'b', 'c']) run(happyPath(rid).slice(0, 1), field);
    expect(field.inFlight).toBe(2);
    expect(field.skipped).toBe(1);
    run(happyPath('late').slice(2), field);
    expect(field.inFlight).toBe(2);
  });

  it('stays out of the way while disabled', () => {
    const field = new DotField({ isLeaf, layout: () => layout, motion });
    field.enabled = false;
    run(happyPath('r1'), field);
    expect(field.inFlight).toBe(0);
  });

  it('finds the dot under the pointer', () => {
    const field = run(happyPath('r1', 1000));
    field.step(1000, false);
    const clients = layout.box.get(CLIENTS_ID)!;
    expect(field.hitTest(clients.outX + 3, clients.pipeY - 3, 8)).toBe('r1');
    expect(field.hitTest(clients.outX + 30, clients.pipeY, 8)).toBeNull();
  });

  it('has sane default motion', () => {
    expect(MOTION.travelMs).toBeGreaterThan(MOTION.crossMs);
  });

  it('gives a dot only to the requests of the sample, and always to the selected one', () => {
    const field = new DotField({ isLeaf, layout: () => layout, motion });
    field.sampleEvery = 3;
    const rids = Array.from({ length: 60 }, (_, i) => `r${i}`);
    const outside = rids.find((rid) => !inSample(rid, 3))!;
    field.focus = outside;
    run(rids.flatMap((rid, i) => happyPath(rid, 1000 + i)), field);
    const drawn = new Set(field.dots.filter((d) => d.active).map((d) => d.rid));
    expect(drawn).toEqual(new Set([...rids.filter((rid) => inSample(rid, 3)), outside]));
  });
});
