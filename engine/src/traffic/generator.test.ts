/**
 * The traffic generator on real sockets: against a real engine (client addresses, open-loop rate,
 * failures by code), and against raw upstreams (the rate it holds, honest skipping, closed loop,
 * identities, the mix, phases, live rate changes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { TrafficFlow } from '../config/schema.ts';
import type { EventOf } from '../events.ts';
import { rawUpstream, startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';
import { TrafficGenerator } from './generator.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const config = (latency: string, rate: number, clients: number) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's' },
    { id: 's', kind: 'service', latency },
  ],
  traffic: [{ to: 'edge', rate, clients, paths: ['/items/{1..3}'] }],
});

describe('TrafficGenerator', () => {
  it('sends from one loopback address per client, so the first hop sees real client IPs', async () => {
    running = await startEngine(config('1ms', 100, 3), { traffic: true });
    await waitFor(() => (running!.engine.traffic.stats().completed >= 30 ? true : undefined));
    const peers = new Set(
      running.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received' && e.node === 'edge').map((e) => e.peer),
    );
    expect([...peers].sort()).toEqual(['127.0.1.1', '127.0.2.1', '127.0.3.1']);
    const paths = new Set(running.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received').map((e) => e.path));
    expect([...paths].every((p) => /^\/items\/[123]$/.test(p))).toBe(true);
  });

  it('gives each flow its own client addresses, so one flow of one client stands apart from the crowd', async () => {
    const input = config('1ms', 100, 2);
    input.traffic.push({ to: 'edge', rate: 50, clients: 1, paths: ['/abuse'] } as never);
    running = await startEngine(input, { traffic: true });
    const peersOf = (path: RegExp) =>
      new Set(
        running!.events
          .filter((e): e is EventOf<'request.received'> => e.type === 'request.received' && e.node === 'edge' && path.test(e.path))
          .map((e) => e.peer),
      );
    await waitFor(() => (peersOf(/^\/abuse$/).size > 0 && peersOf(/^\/items/).size === 2 ? true : undefined));
    expect([...peersOf(/^\/items/)].sort()).toEqual(['127.0.1.1', '127.0.2.1']);
    expect([...peersOf(/^\/abuse$/)]).toEqual(['127.1.1.1']);
  });

  it('keeps an open-loop rate that does not slow down when responses are slow', async () => {
    // 40 req/s for 1.5 s against a 300 ms service: a closed loop over 2 clients would send about 10.
    running = await startEngine(config('300ms', 40, 2), { traffic: true });
    await new Promise((r) => setTimeout(r, 1_500));
    await running.engine.stopTraffic();
    const sent = running.engine.traffic.stats().sent;
    // Timers on a shared 2-core machine may run late but never skip intended sends: 1 + 1.5 s * 40.
    expect(sent).toBeGreaterThanOrEqual(55);
    expect(sent).toBeLessThanOrEqual(63);
    await waitFor(() => (running!.engine.traffic.stats().outstanding === 0 ? true : undefined));
    const stats = running.engine.traffic.stats();
    expect(stats.statusClasses['2xx']).toBe(sent);
    expect(stats.latency.p50).toBeGreaterThanOrEqual(300);
  });

  it('counts failures by code when the target is down', async () => {
    running = await startEngine(config('1ms', 50, 2), { traffic: false });
    await running.engine.injectFault({ target: 'edge', type: 'down' });
    await running.engine.startTraffic();
    await waitFor(() => (running!.engine.traffic.stats().completed >= 5 ? true : undefined));
    expect(running.engine.traffic.stats().errorCodes).toHaveProperty('CLIENT_CONNECTION_REFUSED');
  });
});

/** A generator aimed at raw upstream URLs (a flow's `to` may be a URL), seeded, state changes counted. */
function generator(): { traffic: TrafficGenerator; changes: () => number } {
  let changes = 0;
  const traffic = new TrafficGenerator({
    resolve: (to) => new URL(to).origin,
    rng: seededRng(1),
    onStateChange: () => changes++,
    stateIntervalMs: 100,
  });
  return { traffic, changes: () => changes };
}

const flow = (fields: Record<string, unknown>) => TrafficFlow.parse(fields);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TrafficGenerator against raw upstreams', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  let traffic: TrafficGenerator | undefined;
  afterEach(async () => {
    await traffic?.close();
    traffic = undefined;
    await Promise.all(opened.splice(0).map((u) => u.close()));
  });
  const upstream = async (handler: Parameters<typeof rawUpstream>[0]) => {
    const u = await rawUpstream(handler);
    opened.push(u);
    return u;
  };

  it('holds 200 req/s within 5% over 2 s against a trivial service (achieved = completed / elapsed, its own stats)', async () => {
    const target = await upstream((_req, res) => res.end('ok'));
    ({ traffic } = generator());
    await traffic.start([flow({ to: target.url, rate: 200, clients: 8 })]);
    await sleep(2_000);
    const stats = traffic.stats();
    // ~400 requests: one send at t = 0 then every 5 ms, each answered in about a millisecond. 5% is 20
    // requests' worth, far above what late timers cost (they delay sends, the schedule never drops them).
    expect(stats.skipped).toBe(0);
    expect(stats.completed).toBeGreaterThanOrEqual(380);
    expect(stats.achievedRate).toBeGreaterThanOrEqual(190);
    expect(stats.achievedRate).toBeLessThanOrEqual(210);
    expect(stats.flows[0]).toMatchObject({ name: 'flow-1', running: true, targetRate: 200, skipped: 0 });
    expect(stats.statusClasses['2xx']).toBe(stats.completed);
  });

  it('says so when it cannot keep up: a hanging upstream and a small outstanding cap give skipped sends', async () => {
    const hanging = await upstream(() => {});
    ({ traffic } = generator());
    await traffic.start([flow({ to: hanging.url, rate: 100, clients: 2, maxOutstanding: 5 })]);
    await sleep(500);
    const stats = traffic.stats();
    expect(stats.sent).toBe(5);
    expect(stats.outstanding).toBe(5);
    expect(stats.completed).toBe(0);
    // 100 req/s for 0.5 s asked for about 50 sends; all but 5 were skipped, and the stats say which.
    expect(stats.skipped).toBeGreaterThanOrEqual(40);
    expect(stats.intended).toBe(stats.sent + stats.skipped);
    expect(stats.flows[0].skipped).toBe(stats.skipped);
    expect(stats.flows[0].phases[0]).toMatchObject({ state: 'running', skipped: stats.skipped, sent: 5 });
  });

  it('closed loop: N users never have more than N requests outstanding, and each thinks between answer and next send', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const arrivals = new Map<string, number[]>();
    const target = await upstream((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const peer = req.socket.remoteAddress!;
      arrivals.set(peer, [...(arrivals.get(peer) ?? []), performance.now()]);
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 20);
    });
    ({ traffic } = generator());
    await traffic.start([flow({ to: target.url, shape: 'closed', users: 3, clients: 3, think: '60ms' })]);
    await sleep(1_000);
    const stats = traffic.stats();
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBe(3);
    expect(stats.flows[0]).toMatchObject({ loop: 'closed', users: 3, targetRate: null, skipped: 0 });
    expect(stats.outstanding).toBeLessThanOrEqual(3);
    // One user per client address: its requests are at least 20 ms (answer) + 60 ms (think) apart.
    expect([...arrivals.keys()].sort()).toEqual(['127.0.1.1', '127.0.2.1', '127.0.3.1']);
    for (const times of arrivals.values()) {
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(78);
    }
    // The chain allows 3 users × 1000 / (20 + 60) ≈ 37 requests a second at most.
    expect(stats.sent).toBeLessThanOrEqual(40);
    expect(stats.sent).toBeGreaterThanOrEqual(20);
    // Closed-loop latency is from the actual send: about the 20 ms the upstream takes.
    expect(stats.latency.p50).toBeGreaterThanOrEqual(20);
    expect(stats.latency.p50).toBeLessThan(60);
  });

  it('gives each client its own address, API key and cookie, and a real server sees them', async () => {
    const seen = new Set<string>();
    const target = await upstream((req, res) => {
      seen.add(`${req.socket.remoteAddress} ${req.headers['x-api-key']} ${req.headers.cookie}`);
      res.end('ok');
    });
    ({ traffic } = generator());
    await traffic.start([
      flow({
        to: target.url,
        rate: 100,
        clients: 3,
        apiKeys: { count: 3, header: 'x-api-key' },
        cookies: { name: 'session', count: 2 },
        paths: ['/items/{key}'],
        keys: { count: 5, distribution: 'zipf' },
      }),
    ]);
    await waitFor(() => (target.received.length >= 30 ? true : undefined));
    await traffic.stop();
    expect([...seen].sort()).toEqual(['127.0.1.1 key-1 session=s-1', '127.0.2.1 key-2 session=s-2', '127.0.3.1 key-3 session=s-1']);
    expect(target.received.every((r) => /^\/items\/[1-5]$/.test(r.url))).toBe(true);
  });

  it('sends the weighted mix with methods, headers and bodies', async () => {
    const bodies: string[] = [];
    const target = await upstream((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${body}`);
        res.end('ok');
      });
    });
    ({ traffic } = generator());
    await traffic.start([
      flow({
        to: target.url,
        rate: 200,
        requests: [
          { weight: 1, path: '/users/1' },
          { weight: 1, method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"item":1}' },
        ],
      }),
    ]);
    await waitFor(() => (bodies.length >= 40 ? true : undefined));
    expect(new Set(bodies)).toEqual(new Set(['GET /users/1 - ', 'POST /orders application/json {"item":1}']));
  });

  it('runs phases in sequence on the flow timeline, then finishes', async () => {
    const target = await upstream((_req, res) => res.end('ok'));
    const { traffic: t, changes } = generator();
    traffic = t;
    await traffic.start([
      flow({
        to: target.url,
        clients: 2,
        phases: [
          { for: '300ms', rate: 50 },
          { for: '300ms', shape: 'closed', users: 2, think: '50ms' },
        ],
      }),
    ]);
    await waitFor(() => (traffic!.running ? undefined : true), 3_000);
    const stats = traffic.stats().flows[0];
    expect(stats).toMatchObject({ running: false, finished: true, phase: 1 });
    // 50 req/s for 300 ms: sends at 0, 20, ... 280 ms, exactly 15 (a send due at 300 ms belongs to the next phase).
    expect(stats.phases[0]).toMatchObject({ state: 'done', shape: 'constant', intended: 15, sent: 15, forMs: 300, startMs: 0 });
    expect(stats.phases[1]).toMatchObject({ state: 'done', loop: 'closed', startMs: 300 });
    expect(stats.phases[1].sent).toBeGreaterThanOrEqual(4);
    expect(stats.phases[1].sent).toBeLessThanOrEqual(14);
    // Phase changes are state changes the lab hears about.
    expect(changes()).toBeGreaterThanOrEqual(3);
  });

  it('reports a rate under one a second as it is, not rounded to 0', async () => {
    const target = await upstream((_req, res) => res.end('ok'));
    ({ traffic } = generator());
    await traffic.start([flow({ name: 'rare', to: target.url, rate: 0.04 }), flow({ name: 'odd', to: target.url, rate: 2.345 })]);
    expect(traffic.stats().flows.map((f) => f.targetRate)).toEqual([0.04, 2.3]);
  });

  it('changes a running open-loop rate without a restart', async () => {
    const target = await upstream((_req, res) => res.end('ok'));
    ({ traffic } = generator());
    await traffic.start([flow({ name: 'browse', to: target.url, rate: 10 })]);
    const runner = traffic.runners[0];
    await sleep(300);
    const before = traffic.stats().sent;
    traffic.set({ rate: 200 });
    await sleep(500);
    const stats = traffic.stats();
    expect(traffic.runners[0]).toBe(runner);
    expect(stats.flows[0].targetRate).toBe(200);
    // 0.5 s at 200 req/s is about 100 more sends; at the old 10 req/s it would have been 5.
    expect(stats.sent - before).toBeGreaterThanOrEqual(80);
    expect(() => traffic!.set({ flow: 'ghost', rate: 5 })).toThrow(/flow: no running flow "ghost"/);
    expect(() => traffic!.set({ users: 5 })).toThrow(/users: flow "browse" is in an open-loop phase/);
  });

  /** A flow as the engine could be handed it without the schema (which refuses these): `raw` over a valid flow with `load`. */
  const unchecked = (load: Record<string, unknown>, raw: Record<string, unknown>) => ({
    ...flow({ to: 'http://127.0.0.1:1', clients: 2, ...load }),
    ...raw,
  });
  const open = { rate: 100 };
  const closed = { shape: 'closed', users: 2, think: '5ms' };

  // The generator never throws on what it is given: each send runs in a timer or a user's loop, where
  // a throw would kill the process (vitest reports it as an unhandled error).
  it.each([
    ['an unparseable target URL (open loop)', open, { to: 'http://[::' }, 'CLIENT_BAD_TARGET'],
    ['a port past 65535 (open loop)', open, { to: 'http://127.0.0.1:99999' }, 'CLIENT_BAD_TARGET'],
    ['an unparseable target URL (closed loop)', closed, { to: 'http://[::' }, 'CLIENT_BAD_TARGET'],
    ['a header undici refuses (open loop)', open, { headers: { 'transfer-encoding': 'chunked' } }, 'CLIENT_INVALID_REQUEST'],
    ['a method undici refuses (closed loop)', closed, { method: 'CONNECT' }, 'CLIENT_INVALID_REQUEST'],
    ['a header value undici refuses (closed loop)', closed, { headers: { 'x-a': 'b\r\nc' } }, 'CLIENT_INVALID_REQUEST'],
  ])('counts %s as an error on every send, and keeps running', async (_, load, raw, code) => {
    const target = await upstream((_req, res) => res.end('ok'));
    ({ traffic } = generator());
    await traffic.start([unchecked(load, { to: target.url, ...raw })]);
    await waitFor(() => (traffic!.stats().completed >= 10 ? true : undefined));
    const stats = traffic.stats();
    expect(stats.errorCodes).toEqual({ [code]: stats.completed });
    expect(stats.flows[0].running).toBe(true);
    expect(target.received).toEqual([]);
  });

  it('counts a target that goes away (a node removed, or down) as refused, and reaches it again when it is back', async () => {
    const target = await upstream((_req, res) => res.end('ok'));
    let listening = true;
    traffic = new TrafficGenerator({ resolve: () => (listening ? target.url : undefined), rng: seededRng(1) });
    await traffic.start([flow({ to: 'svc', rate: 100, clients: 2 })]);
    await waitFor(() => (traffic!.stats().statusClasses['2xx'] >= 5 ? true : undefined));
    listening = false;
    await waitFor(() => ((traffic!.stats().errorCodes.CLIENT_CONNECTION_REFUSED ?? 0) >= 5 ? true : undefined));
    const answered = traffic.stats().statusClasses['2xx'];
    listening = true;
    await waitFor(() => (traffic!.stats().statusClasses['2xx'] >= answered + 5 ? true : undefined));
  });
});
