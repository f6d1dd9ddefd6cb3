/** `POST /api/traffic` and `GET /api/traffic` on real sockets: the new fields, live changes, and errors with paths. */
import { afterEach, describe, expect, it } from 'vitest';
import { TrafficFlow } from '../config/schema.ts';
import type { EventOf } from '../events.ts';
import { startControlServer, type ControlServer } from '../server.ts';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let control: ControlServer | undefined;
afterEach(async () => {
  await control?.close();
  await running?.stop();
  running = control = undefined;
});

async function setup(): Promise<string> {
  running = await startEngine({
    version: 1,
    nodes: [
      { id: 'edge', kind: 'proxy', to: 'svc' },
      { id: 'svc', kind: 'service', latency: '1ms' },
    ],
    traffic: [{ name: 'browse', to: 'edge', rate: 20, clients: 4, paths: ['/users/{1..9}'] }],
  });
  control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
  return control.url;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${url}/api/traffic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('/api/traffic', () => {
  it('add puts one more flow beside the running ones, like one of them, from its own address', async () => {
    const url = await setup();
    expect((await post(url, { action: 'add', like: 'browse', name: 'abuser', clients: 1, rate: 30 })).status).toBe(409);
    await post(url, { action: 'start' });
    const added = await post(url, { action: 'add', like: 'browse', name: 'abuser', clients: 1, rate: 30 });
    expect(added.status).toBe(200);
    expect(added.body.flows.map((f: { name: string; rate: number }) => [f.name, f.rate])).toEqual([
      ['browse', 20],
      ['abuser', 30],
    ]);
    const peers = () =>
      new Set(
        running!.events
          .filter((e): e is EventOf<'request.received'> => e.type === 'request.received' && e.node === 'edge')
          .map((e) => e.peer.replace('::ffff:', '')),
      );
    await waitFor(() => (peers().has('127.1.1.1') ? true : undefined));
    // The flow it copied runs on untouched; the new one takes the browse paths.
    expect(running!.engine.traffic.runners.map((r) => [r.name, r.running])).toEqual([
      ['browse', true],
      ['abuser', true],
    ]);
    expect((await post(url, { action: 'add', like: 'browse', name: 'abuser' })).status).toBe(409);
    const bad = await post(url, { action: 'add', like: 'nobody', name: 'x' });
    expect(bad).toMatchObject({ status: 400, body: { errors: [{ path: 'like' }] } });
    const badRate = await post(url, { action: 'add', to: 'edge', name: 'y', rate: -1 });
    expect(badRate).toMatchObject({ status: 400, body: { errors: [{ path: 'rate' }] } });
    // A config that changes nodes only (the service's latency) leaves the traffic as it runs, added flow included.
    const config = (await (await fetch(`${url}/api/config`)).json()) as { nodes: Array<Record<string, unknown>> };
    config.nodes[1].latency = '2ms';
    const put = await fetch(`${url}/api/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    expect(put.status).toBe(200);
    expect(running!.engine.trafficState().flows.map((f) => f.name)).toEqual(['browse', 'abuser']);
  });

  it('resume after a new config was applied starts that config\'s flows, not the previous ones', async () => {
    const url = await setup();
    await post(url, { action: 'set', rate: 7 });
    await post(url, { action: 'stop' });
    const res = await fetch(`${url}/api/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: 1,
        nodes: [
          { id: 'edge', kind: 'proxy', to: 'svc' },
          { id: 'svc', kind: 'service' },
        ],
        traffic: [{ name: 'other', to: 'edge', rate: 3 }],
      }),
    });
    expect(res.status).toBe(200);
    const resumed = await post(url, { action: 'resume' });
    expect(resumed.body).toMatchObject({ running: true, flows: [{ name: 'other', rate: 3 }] });
  });

  it('start with fields changes one flow (the first, or the one named) and keeps the others running', async () => {
    const url = await setup();
    await running!.engine.traffic.start([
      TrafficFlow.parse({ to: 'edge', rate: 5, clients: 2, name: 'a' }),
      TrafficFlow.parse({ to: 'edge', rate: 6, clients: 2, name: 'b' }),
    ]);
    const changed = await post(url, { action: 'start', flow: 'b', shape: 'poisson', rate: 9 });
    expect(changed.status).toBe(200);
    expect(changed.body.flows.map((f: { name: string; rate: number; shape: string }) => [f.name, f.rate, f.shape])).toEqual([
      ['a', 5, 'constant'],
      ['b', 9, 'poisson'],
    ]);
    const unknown = await post(url, { action: 'start', flow: 'zzz', rate: 3 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'flow' });
    expect(unknown.body.errors[0].message).toMatch(/no flow "zzz" \(flows: a, b\)/);
  });

  it('resume brings back the flow as it last ran (started with fields, then set live), not the config\'s', async () => {
    const url = await setup();
    expect((await post(url, { action: 'start', rate: 12, paths: ['/orders/{1..5}'] })).status).toBe(200);
    expect((await post(url, { action: 'set', rate: 7 })).status).toBe(200);
    expect((await post(url, { action: 'stop' })).body.running).toBe(false);
    const resumed = await post(url, { action: 'resume' });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ running: true, flows: [{ name: 'browse', rate: 7 }] });
    expect(running!.engine.traffic.flows[0]).toMatchObject({ rate: 7, paths: ['/orders/{1..5}'] });
    // Resuming while running changes nothing; `start` without fields still means the config's flows.
    expect((await post(url, { action: 'resume' })).body.flows[0].rate).toBe(7);
    await post(url, { action: 'stop' });
    expect((await post(url, { action: 'start' })).body.flows[0].rate).toBe(20);
  });

  it('starts a flow with phases and a mix, reports it, and sets its rate live', async () => {
    const url = await setup();
    const started = await post(url, {
      action: 'start',
      phases: [{ for: '10s', shape: 'ramp', rate: 10, endRate: 50 }, { rate: 30 }],
      requests: [
        { weight: 3, path: '/users/{key}' },
        { method: 'POST', path: '/orders', body: '{}' },
      ],
      keys: { count: 100, distribution: 'zipf' },
    });
    expect(started.status).toBe(200);
    expect(started.body.flows).toEqual([
      {
        name: 'browse',
        to: 'edge',
        rate: 10,
        clients: 4,
        loop: 'open',
        shape: 'ramp',
        phase: { index: 0, of: 2, name: 'phase-1', forMs: 10_000 },
      },
    ]);
    await waitFor(() => (running!.engine.traffic.stats().completed >= 3 ? true : undefined));

    const set = await post(url, { action: 'set', rate: 40 });
    expect(set.status).toBe(200);
    expect(set.body.flows[0]).toMatchObject({ rate: 40, shape: 'constant', phase: { index: 0 } });
    const got = await (await fetch(`${url}/api/traffic`)).json();
    expect(got).toMatchObject({ running: true, targetRate: 40, live: [{ name: 'browse', targetRate: 40, running: true }] });
    expect(got.stats.flows[0].phases.map((p: { state: string }) => p.state)).toEqual(['running', 'pending']);
    expect(got.stats.flows[0].phases[0].sent).toBeGreaterThanOrEqual(3);

    // The state event carries what the lab shows: the flows as set, and the live numbers.
    const events = running!.events.filter((e): e is EventOf<'traffic.state'> => e.type === 'traffic.state');
    expect(events.at(-1)).toMatchObject({ running: true, flows: [{ rate: 40 }], live: [{ name: 'browse' }] });
    expect(typeof events.at(-1)!.achievedRate).toBe('number');
  });

  it('starts a closed loop and changes its users', async () => {
    const url = await setup();
    const started = await post(url, { action: 'start', shape: 'closed', users: 2, think: '20ms' });
    expect(started.body.flows[0]).toMatchObject({ loop: 'closed', rate: 0, users: 2 });
    expect((await post(url, { action: 'set', users: 5 })).body.flows[0].users).toBe(5);
    const wrong = await post(url, { action: 'set', rate: 5 });
    expect(wrong.status).toBe(409);
    expect(wrong.body.errors).toEqual([{ path: 'rate', message: 'flow "browse" is in a closed-loop phase: set users instead' }]);
  });

  it.each([
    [{ action: 'start', rate: -3 }, 'rate', /^must be at least 0, got -3$/],
    [{ action: 'start', shape: 'ramp', rate: 5 }, 'endRate', /^required for shape ramp/],
    [{ action: 'start', phases: [{ for: '1s', shape: 'spike', rate: 5, peakRate: 50 }] }, 'phases[0].peakFor', /^required for shape spike/],
    [{ action: 'start', requests: [{ path: 'no-slash' }] }, 'requests[0].path', /"\/"/],
    [{ action: 'start', keys: { count: 10, distribution: 'zipf', s: -1 } }, 'keys.s', /^must be more than 0, got -1$/],
    [{ action: 'start', apiKeys: { count: 5, header: 'bad header' } }, 'apiKeys.header', /^expected a header name/],
    [{ action: 'start', to: 'ghost' }, 'to', /^unknown node "ghost"/],
    [{ action: 'set' }, 'rate', /^give rate \(open loop\) or users \(closed loop\)/],
    [{ action: 'set', rate: 0 }, 'rate', /^must be more than 0, got 0$/],
    [{ action: 'set', rate: 5, colour: 'red' }, 'colour', /^unknown key/],
    [{ action: 'dance' }, 'action', /^expected "start", "add", "set", "resume" or "stop"/],
  ])('%j is a 400 naming %s', async (body, path, message) => {
    const url = await setup();
    const res = await post(url, body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe(path);
    expect(res.body.errors[0].message).toMatch(message);
    expect(running!.engine.traffic.running).toBe(false);
  });

  // Each bad `start` body is refused whole, naming its field; what `resume` and `start` bring back stays as it was.
  it.each([
    [{ to: 'http://127.0.0.1:99999' }, 'to', /port/],
    [{ to: 'http://[::' }, 'to', /URL/],
    [{ paths: Array.from({ length: 6_000 }, () => '/') }, '(root)', /^at most 5000 values/],
    [{ headers: { 'x-note': 'a\r\nInjected: 1' } }, 'headers.x-note', /^a header value cannot hold CR/],
    [{ headers: { 'x-note': 'a\nb' } }, 'headers.x-note', /^a header value cannot hold LF/],
    [{ headers: { 'x-note': 'nul\u0000' } }, 'headers.x-note', /^a header value cannot hold NUL/],
    [{ headers: { 'x-note': '€' } }, 'headers.x-note', /^a header value cannot hold U\+20AC/],
    [{ headers: { 'x-note': 5 } }, 'headers.x-note', /string/],
    [{ headers: { host: 'example.com' } }, 'headers.host', /^not allowed: the generator sets Host/],
    [{ headers: { 'Content-Length': '5' } }, 'headers.Content-Length', /^not allowed: the generator sets Content-Length/],
    [{ headers: { 'transfer-encoding': 'chunked' } }, 'headers.transfer-encoding', /^not allowed/],
    [{ headers: { connection: 'close' } }, 'headers.connection', /^not allowed: a hop-by-hop field/],
    [{ headers: { 'keep-alive': 'timeout=5' } }, 'headers.keep-alive', /^not allowed: a hop-by-hop field/],
    [{ headers: { upgrade: 'websocket' } }, 'headers.upgrade', /^not allowed: a hop-by-hop field/],
    [{ headers: { te: 'trailers' } }, 'headers.te', /^not allowed: a hop-by-hop field/],
    [{ headers: { trailer: 'x-sum' } }, 'headers.trailer', /^not allowed: a hop-by-hop field/],
    [{ headers: { expect: '100-continue' } }, 'headers.expect', /^not allowed: the generator does not wait for 100-continue/],
    [{ headers: { 'Proxy-Authorization': 'Basic eDp5' } }, 'headers.Proxy-Authorization', /^not allowed: a field for a forward proxy/],
    [{ headers: { 'proxy-connection': 'keep-alive' } }, 'headers.proxy-connection', /^not allowed: a hop-by-hop field/],
    [{ headers: { 'bad header': 'x' } }, 'headers.bad header', /^expected a header name/],
    [{ headers: { 'x-a:b': 'x' } }, 'headers.x-a:b', /^expected a header name/],
    [{ headers: { 'x-a': '1', 'X-A': '2' } }, 'headers.X-A', /^the same header as "x-a"/],
    [{ requests: [{ path: '/', headers: { Host: 'x' } }] }, 'requests[0].headers.Host', /^not allowed/],
    [{ apiKeys: { count: 2, header: 'content-length' } }, 'apiKeys.header', /^not allowed/],
    [{ apiKeys: { count: 2, prefix: 'k\r\n' } }, 'apiKeys.prefix', /^a header value cannot hold CR/],
    [{ cookies: { count: 2, prefix: 's\u0000' } }, 'cookies.prefix', /^a header value cannot hold NUL/],
    [{ method: 'CONNECT' }, 'method', /^CONNECT asks for a tunnel/],
    [{ method: 'get' }, 'method', /^expected an upper-case HTTP method/],
    [{ method: 'GE T' }, 'method', /^expected an upper-case HTTP method/],
    [{ method: 'GET\r\n' }, 'method', /^expected an upper-case HTTP method/],
    [{ requests: [{ method: 'CONNECT', path: '/' }] }, 'requests[0].method', /^CONNECT asks for a tunnel/],
    [{ requests: [{ method: 'GET', path: '/', body: 'x' }] }, 'requests[0].body', /^a GET request has no body/],
    [{ requests: [{ method: 'HEAD', path: '/', body: 'x' }] }, 'requests[0].body', /^a HEAD request has no body/],
    [{ requests: [{ method: 'TRACE', path: '/', body: 'x' }] }, 'requests[0].body', /^a TRACE request has no body/],
    [{ paths: ['/a b'] }, 'paths[0]', /cannot hold a space/],
    [{ paths: ['/a\r\nHost: evil'] }, 'paths[0]', /cannot hold CR/],
    [{ paths: ['/page#top'] }, 'paths[0]', /cannot hold "#"/],
    [{ requests: [{ path: '/x y' }] }, 'requests[0].path', /cannot hold a space/],
    [{ to: 'ghost' }, 'to', /^unknown node "ghost"/],
  ])('start with %j is a 400 naming %s; nothing is applied, and resume and start still work', async (fields, path, message) => {
    const url = await setup();
    expect((await post(url, { action: 'start', rate: 12 })).status).toBe(200);
    expect((await post(url, { action: 'set', rate: 7 })).status).toBe(200);
    expect((await post(url, { action: 'stop' })).status).toBe(200);

    const res = await post(url, { action: 'start', ...fields });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe(path);
    expect(res.body.errors[0].message).toMatch(message);
    expect(running!.engine.traffic.running).toBe(false);

    const resumed = await post(url, { action: 'resume' });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ running: true, flows: [{ name: 'browse', to: 'edge', rate: 7 }] });
    await waitFor(() => (running!.engine.traffic.stats().statusClasses['2xx'] >= 2 ? true : undefined));
    await post(url, { action: 'stop' });
    const started = await post(url, { action: 'start' });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ running: true, flows: [{ name: 'browse', to: 'edge', rate: 20 }] });
    expect(running!.engine.traffic.stats().errorCodes).toEqual({});
  });

  it('lists every problem of a refused start, each with its path', async () => {
    const url = await setup();
    const res = await post(url, { action: 'start', method: 'CONNECT', headers: { host: 'x', 'x-a': 'b\nc' }, paths: ['/a b'] });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['headers.host', 'headers.x-a', 'method', 'paths[0]']);
  });

  it("refuses a flow entering at the lab's own port (the control API), however the host is spelt", async () => {
    const url = await setup();
    const port = control!.port;
    const refused = `http://127.0.0.1:${port} is the lab's own page and control API, not a node: requests sent there would steer the lab, not reach a server`;
    expect(await post(url, { action: 'start', to: `http://0x7f.0.0.1:${port}`, rate: 1 })).toMatchObject({ status: 400, body: { errors: [{ path: 'to', message: refused }] } });
    await post(url, { action: 'start' });
    const added = await post(url, { action: 'add', name: 'sneaky', to: 'edge', failover: [`http://127.1:${port}`], rate: 1 });
    expect(added).toMatchObject({ status: 400, body: { errors: [{ path: 'failover[0]', message: refused }] } });
    expect(running!.engine.trafficState().flows.map((f) => f.to)).toEqual(['edge']);
  });

  it('refuses HTTP/2 to an entry without TLS, as the config does (a start took it and spoke HTTP/1.1 instead)', async () => {
    const url = await setup();
    const refused = { path: 'http2', message: 'HTTP/2 runs over TLS here: "edge" is not a TLS proxy or an https URL' };
    expect(await post(url, { action: 'start', http2: true })).toMatchObject({ status: 400, body: { errors: [refused] } });
    expect(running!.engine.traffic.running).toBe(false);
    await post(url, { action: 'start' });
    expect(await post(url, { action: 'add', like: 'browse', name: 'h2', http2: true })).toMatchObject({ status: 400, body: { errors: [refused] } });
    expect(running!.engine.trafficState().flows.map((f) => f.name)).toEqual(['browse']);
  });

  it('set while nothing runs is a 409', async () => {
    const url = await setup();
    const res = await post(url, { action: 'set', rate: 5 });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toEqual({ path: 'action', message: 'no traffic is running; start it first' });
  });
});

describe('/api/traffic when a config brings traffic of its own', () => {
  it('says which running flows it stopped: one added through the API, and one the new traffic no longer names', async () => {
    const nodes = [
      { id: 'edge', kind: 'proxy', to: 'svc' },
      { id: 'svc', kind: 'service', latency: '1ms' },
    ];
    running = await startEngine({ version: 1, nodes, traffic: [{ name: 'browse', to: 'edge', rate: 5 }] });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    await post(control.url, { action: 'start' });
    expect((await post(control.url, { action: 'add', name: 'abuser', to: 'edge', rate: 20, clients: 1 })).status).toBe(200);
    const apply = async (traffic: unknown[]) => {
      const put = await fetch(`${control!.url}/api/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ version: 1, nodes, traffic }),
      });
      expect(put.status).toBe(200);
      return running!.events.filter((e): e is EventOf<'traffic.flow-stopped'> => e.type === 'traffic.flow-stopped').map(({ flow, node, reason, message }) => ({ flow, node, reason, message }));
    };
    expect(await apply([{ name: 'shop', to: 'edge', rate: 5 }])).toEqual([
      { flow: 'browse', node: 'edge', reason: 'traffic-replaced', message: 'flow "browse" stopped: the config applied runs its own traffic (shop)' },
      { flow: 'abuser', node: 'edge', reason: 'traffic-replaced', message: 'flow "abuser" stopped: the config applied runs its own traffic (shop)' },
    ]);
    expect(running.engine.trafficState()).toMatchObject({ running: true, flows: [{ name: 'shop' }] });
    const [, , shop] = await apply([]);
    expect(shop).toEqual({ flow: 'shop', node: 'edge', reason: 'traffic-replaced', message: 'flow "shop" stopped: the config applied has no traffic' });
    expect(running.engine.trafficState()).toMatchObject({ running: false });
  });
});

describe('/api/traffic when a config takes away the node a flow enters at', () => {
  it('stops that flow with an event naming the node, the others run on, and resume does not bring it back', async () => {
    const nodes = [
      { id: 'edge', kind: 'proxy', to: 'svc' },
      { id: 'svc', kind: 'service', latency: '1ms' },
      { id: 'side', kind: 'service', latency: '1ms' },
    ];
    const traffic = [{ name: 'browse', to: 'edge', rate: 20, clients: 2 }];
    running = await startEngine({ version: 1, nodes, traffic });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    const url = control.url;
    await post(url, { action: 'start' });
    expect((await post(url, { action: 'add', name: 'direct', to: 'side', rate: 20, clients: 1 })).status).toBe(200);
    expect((await post(url, { action: 'add', name: 'spare', to: 'edge', failover: ['side'], rate: 20, clients: 1 })).status).toBe(200);
    // The builder deletes a node and what refers to it in the config; flows started through the API are not in it.
    const put = await fetch(`${url}/api/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, nodes: nodes.slice(0, 2), traffic }),
    });
    expect(put.status).toBe(200);
    const stopped = running.events.filter((e): e is EventOf<'traffic.flow-stopped'> => e.type === 'traffic.flow-stopped');
    expect(stopped.map(({ flow, node, reason, message }) => ({ flow, node, reason, message }))).toEqual([
      { flow: 'direct', node: 'side', reason: 'entry-removed', message: 'flow "direct" stopped: it enters at "side", which the config applied removed' },
      { flow: 'spare', node: 'side', reason: 'entry-removed', message: 'flow "spare" stopped: it fails over to "side", which the config applied removed' },
    ]);
    const state = (await (await fetch(`${url}/api/traffic`)).json()) as { running: boolean; flows: Array<{ name: string }>; live: Array<{ name: string }> };
    expect(state.running).toBe(true);
    expect(state.flows.map((f) => f.name)).toEqual(['browse']);
    expect(state.live.map((f) => f.name)).toEqual(['browse']);
    // The flow left still gets its answers.
    const browse = running.engine.traffic.runners[0];
    const before = browse.counters.completed;
    await waitFor(() => (browse.counters.completed > before + 3 ? true : undefined));
    expect(browse.counters.errorCodes).toEqual({});
    await post(url, { action: 'stop' });
    expect((await post(url, { action: 'resume' })).body.flows.map((f: { name: string }) => f.name)).toEqual(['browse']);
    // A flow added after one was taken away gets addresses of its own (the next flow's), not the gap's.
    expect((await post(url, { action: 'add', name: 'later', to: 'edge', rate: 20, clients: 1 })).status).toBe(200);
    expect(running.engine.traffic.runners.map((r) => [r.name, r.index])).toEqual([
      ['browse', 0],
      ['later', 1],
    ]);
  });

  it('stops the last flow too: traffic then stands still, and resume starts the config\'s flows', async () => {
    const nodes = [
      { id: 'edge', kind: 'proxy', to: 'svc' },
      { id: 'svc', kind: 'service', latency: '1ms' },
      { id: 'side', kind: 'service', latency: '1ms' },
    ];
    running = await startEngine({ version: 1, nodes, traffic: [{ name: 'browse', to: 'edge', rate: 5 }] });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    expect((await post(control.url, { action: 'start', to: 'side', rate: 20 })).status).toBe(200);
    const put = await fetch(`${control.url}/api/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, nodes: nodes.slice(0, 2), traffic: [{ name: 'browse', to: 'edge', rate: 5 }] }),
    });
    expect(put.status).toBe(200);
    expect(running.events.filter((e) => e.type === 'traffic.flow-stopped')).toMatchObject([{ flow: 'browse', node: 'side' }]);
    expect(running.engine.trafficState()).toMatchObject({ running: false });
    expect((await post(control.url, { action: 'resume' })).body).toMatchObject({ running: true, flows: [{ name: 'browse', to: 'edge', rate: 5 }] });
  });
  it("says so too when the config's own flow went with its node (the builder deletes both): the config's other flows restart", async () => {
    const nodes = [
      { id: 'edge', kind: 'proxy', to: 'svc' },
      { id: 'svc', kind: 'service', latency: '1ms' },
      { id: 'side', kind: 'service', latency: '1ms' },
    ];
    const browse = { name: 'browse', to: 'edge', rate: 5 };
    running = await startEngine({ version: 1, nodes, traffic: [browse, { name: 'direct', to: 'side', rate: 5 }] });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    await post(control.url, { action: 'start' });
    const put = await fetch(`${control.url}/api/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, nodes: nodes.slice(0, 2), traffic: [browse] }),
    });
    expect(put.status).toBe(200);
    expect(running.events.filter((e) => e.type === 'traffic.flow-stopped')).toMatchObject([{ flow: 'direct', node: 'side' }]);
    expect(running.engine.trafficState()).toMatchObject({ running: true, flows: [{ name: 'browse' }] });
  });
});
