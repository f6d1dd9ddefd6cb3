/**
 * Every fault as a client sees it through a real chain on real sockets: edge (proxy) -> api (gateway)
 * -> lb (balancer) -> s1, with a second edge api -> s1 (`/direct/*`) so an edge fault can be told from
 * a node fault. Timeouts shrink hop by hop (edge 1.5 s, api 1 s, lb 400 ms) so the innermost hop is
 * the one that times out, as in a real chain. Timings assert lower bounds only; upper bounds, where a
 * fault must not slow things, are generous (a loaded 2-core machine is slow, never early).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import type { EngineEvent, EventOf } from '../events.ts';
import { rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let upstream: RawUpstream | undefined;
afterEach(async () => {
  await running?.stop();
  await upstream?.close();
  running = undefined;
  upstream = undefined;
});

const chain = (extra: { lb?: Record<string, unknown>; s2?: Record<string, unknown> } = {}) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'api', timeouts: { connect: '300ms', response: '1500ms' } },
    {
      id: 'api',
      kind: 'gateway',
      timeouts: { connect: '300ms', response: '1s' },
      routes: [
        { match: { path: '/lb/*' }, to: 'lb' },
        { match: { path: '/direct/*' }, to: 's1' },
        { match: { path: '/s2/*' }, to: 's2' },
      ],
    },
    { id: 'lb', kind: 'balancer', targets: ['s1'], timeouts: { connect: '150ms', response: '400ms' }, ...extra.lb },
    { id: 's1', kind: 'service' },
    { id: 's2', kind: 'service', ...extra.s2 },
  ],
});

interface Answer {
  status: number;
  error: string | null;
  ms: number;
  body: string;
}

async function get(path: string, node = 'edge'): Promise<Answer> {
  const startedAt = performance.now();
  const res = await fetch(running!.url(node, path));
  const body = await res.text();
  return { status: res.status, error: res.headers.get('x-edgelab-error'), ms: performance.now() - startedAt, body };
}

const outcome = (a: Answer) => `${a.status} ${a.error ?? ''}`.trim();

function eventsOf<T extends EngineEvent['type']>(type: T): Array<EventOf<T>> {
  return running!.events.filter((e): e is EventOf<T> => e.type === type);
}

async function inject(body: Record<string, unknown>) {
  return running!.engine.injectFault(body);
}

describe('faults on a node', () => {
  it('down: the listener closes, callers get 502 refused at once; clearing starts it on the same port', async () => {
    running = await startEngine(chain());
    const port = running.port('s1');
    const fault = await inject({ target: 's1', type: 'down' });
    const down = await get('/direct/x');
    expect(outcome(down)).toBe('502 EDGE_UPSTREAM_REFUSED');
    expect(down.ms).toBeLessThan(300);
    await running.engine.clearFault(fault.id);
    expect(running.port('s1')).toBe(port);
    expect((await get('/direct/x')).status).toBe(200);
  });

  it('hang: the request is accepted and never answered; the innermost caller times out with 504 EDGE_UPSTREAM_TIMEOUT', async () => {
    running = await startEngine(chain());
    await inject({ target: 's1', type: 'hang' });
    const hung = await get('/lb/x');
    expect(outcome(hung)).toBe('504 EDGE_UPSTREAM_TIMEOUT');
    expect(hung.ms).toBeGreaterThanOrEqual(395);
    // s1 saw the request and held it: it completes only when lb gives up, as the client leaving.
    const s1 = eventsOf('request.completed').find((e) => e.node === 's1');
    expect(s1).toMatchObject({ error: 'EDGE_CLIENT_ABORTED', status: 499 });
    expect(eventsOf('request.completed').find((e) => e.node === 'lb')).toMatchObject({ status: 504, error: 'EDGE_UPSTREAM_TIMEOUT' });
  });

  it('hang: clearing releases the held requests, which are then answered', async () => {
    running = await startEngine(chain());
    const fault = await inject({ target: 's1', type: 'hang' });
    const pending = get('/', 's1');
    await waitFor(() => eventsOf('request.received').some((e) => e.node === 's1'), 2_000, 's1 to receive');
    expect(running.engine.metrics.snapshot().s1.inFlight).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    await running.engine.clearFault(fault.id);
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(95);
  });

  it('reset: a TCP reset when the request arrives gives 502 EDGE_UPSTREAM_RESET; the node logs FAULT_INJECTED_RESET', async () => {
    running = await startEngine(chain());
    await inject({ target: 's1', type: 'reset' });
    expect(outcome(await get('/lb/x'))).toBe('502 EDGE_UPSTREAM_RESET');
    expect(outcome(await get('/direct/x'))).toBe('502 EDGE_UPSTREAM_RESET');
    const s1 = eventsOf('request.completed').filter((e) => e.node === 's1');
    expect(s1.map((e) => `${e.status} ${e.error}`)).toEqual(['444 FAULT_INJECTED_RESET', '444 FAULT_INJECTED_RESET']);
  });

  it('reset after a delay: cuts a response still in progress, spares one that finished first', async () => {
    running = await startEngine(chain({ s2: { latency: '300ms' } }));
    await inject({ target: 's1', type: 'reset', after: '100ms' });
    await inject({ target: 's2', type: 'reset', after: '100ms' });
    expect((await get('/direct/x')).status).toBe(200);
    const slow = await get('/s2/x');
    expect(outcome(slow)).toBe('502 EDGE_UPSTREAM_RESET');
    expect(slow.ms).toBeGreaterThanOrEqual(95);
  });

  it('latency: adds the delay (a lower bound), on the node only', async () => {
    running = await startEngine(chain());
    await inject({ target: 's1', type: 'latency', ms: 250, jitter: 20 });
    const slow = await get('/direct/x');
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(225);
    const other = await get('/s2/x');
    expect(other.status).toBe(200);
    expect(other.ms).toBeLessThan(225);
  });

  it('errors: the share of responses at the rate, with the status and FAULT_INJECTED_ERROR', async () => {
    let seed = 7;
    const rng = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    running = await startEngine(chain(), { rng });
    await inject({ target: 's1', type: 'errors', rate: 0.3, status: 502 });
    const answers: Answer[] = [];
    for (let i = 0; i < 200; i++) answers.push(await get('/', 's1'));
    const failed = answers.filter((a) => a.status === 502);
    expect(failed.every((a) => a.error === 'FAULT_INJECTED_ERROR')).toBe(true);
    expect(answers.every((a) => a.status === 200 || a.status === 502)).toBe(true);
    // 200 draws at p = 0.3: the standard deviation of the share is 0.032; ±0.1 is over three of them.
    expect(Math.abs(failed.length / 200 - 0.3)).toBeLessThan(0.1);
    const codes = eventsOf('request.completed').filter((e) => e.node === 's1' && e.status === 502);
    expect(codes.length).toBe(failed.length);
    expect(codes.every((e) => e.error === 'FAULT_INJECTED_ERROR')).toBe(true);
  });

  it('errors through the chain: the status reaches the client with the code', async () => {
    running = await startEngine(chain());
    await inject({ target: 's1', type: 'errors' });
    expect(outcome(await get('/lb/x'))).toBe('503 FAULT_INJECTED_ERROR');
  });

  it("the node's GET /health answers under its faults: errors answer the error, hang hangs, down refuses", async () => {
    running = await startEngine(chain());
    const errors = await inject({ target: 's1', type: 'errors', status: 500 });
    expect((await get('/health', 's1')).status).toBe(500);
    await running.engine.clearFault(errors.id);
    expect((await get('/health', 's1')).status).toBe(200);
    await inject({ target: 's1', type: 'hang' });
    const hung = await fetch(running.url('s1', '/health'), { signal: AbortSignal.timeout(200) }).catch((e: Error) => e.name);
    expect(hung).toBe('TimeoutError');
  });

  it('bandwidth: a large response is paced at the rate, and arrives whole', async () => {
    const body = 'x'.repeat(60_000);
    upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    });
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    const fast = await get('/big');
    expect(fast.body.length).toBe(60_000);
    await inject({ target: 'edge', type: 'bandwidth', bytesPerSecond: 100_000 });
    const slow = await get('/big');
    expect(slow.status).toBe(200);
    expect(slow.body).toBe(body);
    // 60 kB at 100 kB/s: 600 ms, less the first tick's credit.
    expect(slow.ms).toBeGreaterThanOrEqual(450);
  });

  it('bandwidth at its slowest (1 byte a second): a short answer still arrives whole', async () => {
    upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end('ok');
    });
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    await inject({ target: 'edge', type: 'bandwidth', bytesPerSecond: 1 });
    const slow = await get('/tiny');
    expect([slow.status, slow.body]).toEqual([200, 'ok']);
  });

  it('slow-close: the last byte and the end are held for the delay', async () => {
    running = await startEngine(chain());
    await inject({ target: 's1', type: 'slow-close', delay: '300ms' });
    const answer = await get('/direct/x');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ node: 's1' });
    expect(answer.ms).toBeGreaterThanOrEqual(290);
  });

  it('flap: the listener really goes down and up, and the balancer health checks show it', async () => {
    running = await startEngine(
      chain({ lb: { targets: ['s1', 's2'], healthCheck: { interval: '50ms', timeout: '45ms', rise: 1, fall: 1 } } }),
    );
    await inject({ target: 's2', type: 'flap', period: '600ms', downFor: '300ms' });
    const down = await waitFor(() => eventsOf('target.health').find((e) => e.target === 's2' && e.change === 'down'), 3_000, 's2 down');
    await waitFor(() => eventsOf('target.health').find((e) => e.target === 's2' && e.change === 'up' && e.seq > down.seq), 3_000, 's2 up');
    const states = eventsOf('node.state')
      .filter((e) => e.node === 's2')
      .map((e) => e.state);
    expect(states).toContain('stopped');
    expect(states.lastIndexOf('up')).toBeGreaterThan(states.indexOf('stopped'));
  });

  it('overload: the service capacity is cut, and restored when cleared', async () => {
    running = await startEngine(chain());
    const fault = await inject({ target: 's1', type: 'overload', capacity: 0 });
    const refused = await get('/direct/x');
    expect(refused.status).toBeGreaterThanOrEqual(500);
    await running.engine.clearFault(fault.id);
    expect((await get('/direct/x')).status).toBe(200);
  });
});

describe('faults on an edge', () => {
  it('a balancer\'s health checks travel its edges: a partition or an edge hang takes the target out, healing brings it back', async () => {
    running = await startEngine(chain({ lb: { targets: ['s1', 's2'], healthCheck: { interval: '50ms', timeout: '45ms', rise: 1, fall: 1 } } }));
    const health = (target: string, change: string, after = 0) =>
      waitFor(() => eventsOf('target.health').find((e) => e.target === target && e.change === change && e.seq > after), 3_000, `${target} ${change}`);
    const partition = await inject({ target: 'lb->s1', type: 'partition', mode: 'reject' });
    const down = await health('s1', 'down');
    expect(down.detail).toBeDefined();
    await running.engine.clearFault(partition.id);
    const up = await health('s1', 'up', down.seq);
    // An edge hang holds the probe as it holds requests on that edge: the check times out.
    await inject({ target: 'lb->s2', type: 'hang' });
    await health('s2', 'down', up.seq);
    // The direct edge api -> s1 never carried the probes, and s1 itself stayed healthy.
    expect((await get('/direct/x')).status).toBe(200);
  });

  it('partition (drop): requests on that edge hit the connect timeout; the other edge into the same node still works', async () => {
    running = await startEngine(chain());
    expect((await get('/lb/x')).status).toBe(200);
    const fault = await inject({ target: 'lb->s1', type: 'partition' });
    const cut = await get('/lb/x');
    expect(outcome(cut)).toBe('504 EDGE_UPSTREAM_CONNECT_TIMEOUT');
    expect(cut.ms).toBeGreaterThanOrEqual(145);
    expect(outcome(await get('/direct/x'))).toBe('200');
    await running.engine.clearFault(fault.id);
    expect((await get('/lb/x')).status).toBe(200);
  });

  it('partition (reject): refused at once; open connections are cut', async () => {
    running = await startEngine(chain());
    expect((await get('/lb/x')).status).toBe(200);
    await inject({ target: 'lb->s1', type: 'partition', mode: 'reject' });
    const refused = await get('/lb/x');
    expect(outcome(refused)).toBe('502 EDGE_UPSTREAM_REFUSED');
    expect(refused.ms).toBeLessThan(300);
  });

  it('receiver-side edge faults touch only requests from that sender', async () => {
    running = await startEngine(chain());
    await inject({ target: 'lb->s1', type: 'latency', ms: 300 });
    await inject({ target: 'lb->s1', type: 'errors', status: 500, rate: 1 });
    const viaLb = await get('/lb/x');
    expect(outcome(viaLb)).toBe('500 FAULT_INJECTED_ERROR');
    expect(viaLb.ms).toBeGreaterThanOrEqual(290);
    const direct = await get('/direct/x');
    expect(direct.status).toBe(200);
    expect(direct.ms).toBeLessThan(290);
    expect((await get('/', 's1')).status).toBe(200);
  });

  it('the sender is the connection a node opened, not a field a client writes: a client naming lb is still a client', async () => {
    running = await startEngine(chain());
    await inject({ target: 'lb->s1', type: 'errors', status: 500, rate: 1 });
    for (const name of ['x-edgelab-from', 'via']) {
      const res = await fetch(running.url('s1', '/'), { headers: { [name]: 'lb' } });
      expect(res.status).toBe(200);
    }
    const received = eventsOf('request.received').filter((e) => e.node === 's1');
    expect(received.map((e) => e.from)).toEqual(['client', 'client']);
    // The same node through lb's connection is on the faulted edge, and its event names lb.
    expect(outcome(await get('/lb/x'))).toBe('500 FAULT_INJECTED_ERROR');
    await waitFor(() => eventsOf('request.received').some((e) => e.node === 's1' && e.from === 'lb'));
  });

  it('hang on an edge gives 504 at the timeout of that sender only', async () => {
    running = await startEngine(chain());
    await inject({ target: 'api->s1', type: 'hang' });
    const hung = await get('/direct/x');
    expect(outcome(hung)).toBe('504 EDGE_UPSTREAM_TIMEOUT');
    expect(hung.ms).toBeGreaterThanOrEqual(990);
    expect((await get('/lb/x')).status).toBe(200);
  });

  it('reset on an edge gives 502 EDGE_UPSTREAM_RESET on that edge only', async () => {
    running = await startEngine(chain());
    await inject({ target: 'api->s1', type: 'reset' });
    expect(outcome(await get('/direct/x'))).toBe('502 EDGE_UPSTREAM_RESET');
    expect((await get('/lb/x')).status).toBe(200);
  });
});

describe('clearing and lifetime', () => {
  it('clearing every fault returns the whole chain to normal, with nothing left on any node', async () => {
    running = await startEngine(chain());
    await inject({ target: 's1', type: 'hang' });
    await inject({ target: 's2', type: 'down' });
    await inject({ target: 'lb->s1', type: 'partition' });
    await inject({ target: 'api->s1', type: 'latency', ms: 500 });
    await inject({ target: 'edge', type: 'errors', rate: 1 });
    expect((await get('/s2/x')).status).toBe(503);
    const { cleared } = await running.engine.clearAllFaults();
    expect(cleared).toHaveLength(5);
    expect(running.engine.faults()).toEqual([]);
    for (const path of ['/lb/x', '/direct/x', '/s2/x']) {
      const answer = await get(path);
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(400);
    }
    const ended = eventsOf('fault.ended');
    expect(ended.map((e) => e.reason)).toEqual(['cleared', 'cleared', 'cleared', 'cleared', 'cleared']);
  });

  it('every fault start and end is an event with the full fault', async () => {
    running = await startEngine(chain());
    const fault = await inject({ target: 'api->s1', type: 'latency', ms: 10 });
    expect(fault).toEqual({
      id: expect.any(String),
      target: 'api->s1',
      type: 'latency',
      ms: 10,
      jitter: 0,
      source: 'api',
      startedAt: expect.any(Number),
    });
    await running.engine.clearFault(fault.id);
    expect(eventsOf('fault.started').map((e) => e.fault)).toEqual([fault]);
    expect(eventsOf('fault.ended').map((e) => [e.fault, e.reason])).toEqual([[fault, 'cleared']]);
  });

  it('a fault on a node that leaves the config ends; one on a node that stays holds', async () => {
    running = await startEngine(chain());
    const gone = await inject({ target: 's2', type: 'latency', ms: 300 });
    const stays = await inject({ target: 's1', type: 'latency', ms: 300 });
    const next = chain();
    next.nodes = next.nodes.filter((n) => n.id !== 's2');
    (next.nodes[1] as { routes: unknown[] }).routes.pop();
    const result = validateConfig(next);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    await running.engine.apply(result.config, next);
    expect(eventsOf('fault.ended').map((e) => [e.fault.id, e.reason])).toEqual([[gone.id, 'target-removed']]);
    expect(running.engine.faults().map((f) => f.id)).toEqual([stays.id]);
    expect((await get('/direct/x')).ms).toBeGreaterThanOrEqual(290);
  });

  it('a config scenario starts and ends its faults on time, restarts from 0 on a new config, and clearing all cancels what is to come', async () => {
    const input = {
      ...chain(),
      scenario: [
        { at: 0, for: '150ms', target: 's1', type: 'latency', ms: 200 },
        { at: '10s', target: 's2', type: 'down' },
      ],
    };
    running = await startEngine(input);
    const first = await waitFor(() => eventsOf('fault.started')[0], 1_000, 'the first step');
    expect(first.fault).toMatchObject({
      target: 's1',
      type: 'latency',
      source: 'scenario',
      scenario: 0,
      endsAt: first.fault.startedAt + 150,
    });
    const expired = await waitFor(() => eventsOf('fault.ended')[0], 2_000, 'the step to end');
    expect(expired).toMatchObject({ reason: 'expired', fault: { id: first.fault.id } });
    expect((await get('/direct/x')).ms).toBeLessThan(190);

    const result = validateConfig(input);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    await running.engine.apply(result.config, input);
    await waitFor(() => eventsOf('fault.started')[1], 1_000, 'the step to start again');
    await running.engine.apply(result.config, input);
    expect(eventsOf('fault.ended')[1]).toMatchObject({ reason: 'scenario-restarted' });
    await waitFor(() => eventsOf('fault.started')[2], 1_000, 'the step to start a third time');
    expect(await running.engine.clearAllFaults()).toEqual({ cleared: [eventsOf('fault.started')[2].fault.id], scenarioCancelled: 1 });
  });
});
