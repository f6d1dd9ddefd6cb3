/**
 * The control API under hostile calls, on real sockets: each malformed call gets a 4xx naming what is
 * wrong (or a 405 with Allow), and leaves the running engine as it was.
 */
import { request } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LIMITS, limitMessage } from './config/limits.ts';
import { startControlServer, type ControlServer } from './server.ts';
import { rawHttp, startEngine, type RunningEngine } from './testing/harness.ts';

const sandbox = {
  version: 1,
  name: 'Refusals',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1', cache: {} },
    { id: 's1', kind: 'service', cache: [{ path: '/*', cacheControl: 'public, max-age=600' }] },
  ],
};

/** The test's engine and control server, stopped when it ends. */
let running: RunningEngine | undefined;
let control: ControlServer | undefined;

async function setup(config: object = sandbox): Promise<string> {
  const engine = await startEngine(config, { traffic: false });
  const server = await startControlServer({ engine: engine.engine, port: 0, webRoot: '/nonexistent' });
  onTestFinished(async () => {
    await server.close();
    await engine.stop();
  });
  [running, control] = [engine, server];
  return server.url;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** One request with the body as raw bytes (fetch would re-encode a string). */
function send(method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: control!.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('control API refusals', () => {
  it('a path id that is no valid percent-encoding is a 400 naming the field, not an internal error', async () => {
    const url = await setup();
    const fault = await fetch(`${url}/api/faults/%E0%A4%A`, { method: 'DELETE' });
    expect([fault.status, (await fault.json()).error]).toEqual([400, 'id: not a valid percent-encoded UTF-8 path segment: "%E0%A4%A"']);
    const cache = await fetch(`${url}/api/cache/%FF`, { method: 'DELETE' });
    expect([cache.status, (await cache.json()).error]).toEqual([400, 'node: not a valid percent-encoded UTF-8 path segment: "%FF"']);
    // A valid escape is decoded, and the answer names the fault as decoded.
    const spaced = await fetch(`${url}/api/faults/f%201`, { method: 'DELETE' });
    expect([spaced.status, (await spaced.json()).error]).toEqual([404, 'no active fault "f 1"']);
  });

  it('a purge parameter given twice, misspelt, or out of place is a 400 naming it, and nothing is purged', async () => {
    const url = await setup();
    await (await fetch(running!.url('edge', '/a'))).text();
    await (await fetch(running!.url('edge', '/b'))).text();
    for (const query of ['url=/a&url=/b', 'prefix=/a&prefix=/', 'url=/a&host=x&host=y']) {
      const res = await fetch(`${url}/api/cache/edge?${query}`, { method: 'DELETE' });
      const name = query.split('&')[1].split('=')[0];
      expect([res.status, (await res.json()).error]).toEqual([400, `${name}: given 2 times; give it once`]);
    }
    // A misspelt parameter, or host without url, would have purged everything.
    for (const [query, error] of [
      ['prefx=/a', 'prefx: unknown parameter; give url, host, prefix'],
      ['host=x', 'host: give host with url (a prefix purges on every host)'],
    ]) {
      const res = await fetch(`${url}/api/cache/edge?${query}`, { method: 'DELETE' });
      expect([res.status, (await res.json()).error]).toEqual([400, error]);
    }
    const topology = await (await fetch(`${url}/api/topology`)).json();
    expect(topology.nodes[0].cache.entries).toBe(2);
  });

  it('a call that takes no fields names a field it is given and does nothing', async () => {
    const url = await setup();
    await (await fetch(running!.url('edge', '/a'))).text();
    const reset = await fetch(`${url}/api/metrics/reset`, { method: 'POST', headers: JSON_TYPE, body: '{"node":"edge"}' });
    expect([reset.status, (await reset.json()).error]).toEqual([400, 'node: unknown key: this call takes no fields']);
    expect((await (await fetch(`${url}/api/metrics`)).json()).nodes.edge.requests).toBe(1);

    const fault = await (await fetch(`${url}/api/faults`, { method: 'POST', headers: JSON_TYPE, body: '{"target":"s1","type":"down"}' })).json();
    const clearAll = await fetch(`${url}/api/faults`, { method: 'DELETE', headers: JSON_TYPE, body: JSON.stringify({ id: fault.id }) });
    expect([clearAll.status, (await clearAll.json()).error]).toEqual([400, 'id: unknown key: this call takes no fields']);
    const clearOne = await fetch(`${url}/api/faults/${fault.id}`, { method: 'DELETE', headers: JSON_TYPE, body: '[]' });
    expect([clearOne.status, (await clearOne.json()).error]).toEqual([400, '(body): this call takes no body (or {})']);
    expect((await (await fetch(`${url}/api/faults`)).json()).map((f: { id: string }) => f.id)).toEqual([fault.id]);
    const purge = await fetch(`${url}/api/cache/edge`, { method: 'DELETE', headers: JSON_TYPE, body: '{"prefix":"/b"}' });
    expect([purge.status, (await purge.json()).error]).toEqual([400, 'prefix: unknown key: this call takes no fields']);

    await running!.engine.startTraffic({ to: 'edge', rate: 1, clients: 1, paths: ['/a'] });
    const stop = await fetch(`${url}/api/traffic`, { method: 'POST', headers: JSON_TYPE, body: '{"action":"stop","flow":"browse"}' });
    expect([stop.status, (await stop.json()).error]).toEqual([400, 'flow: unknown key: this call takes no fields']);
    expect(running!.engine.trafficState().running).toBe(true);
    // `{}` is no field: the call is done.
    expect((await fetch(`${url}/api/faults`, { method: 'DELETE', headers: JSON_TYPE, body: '{}' })).status).toBe(200);
  });

  it('a flow name longer than a config allows is refused by its length, not echoed back as an unknown flow', async () => {
    const url = await setup();
    const long = 'x'.repeat(100_000);
    for (const body of [{ action: 'set', flow: long, rate: 1 }, { action: 'add', like: long }, { action: 'start', flow: long }]) {
      const res = await fetch(`${url}/api/traffic`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
      const answer = await res.text();
      expect([res.status, answer.length < 1_000, JSON.parse(answer).errors[0].path]).toEqual([400, true, Object.keys(body)[1]]);
    }
  });

  it('a write names a query parameter it would ignore, and does nothing', async () => {
    const url = await setup();
    const dryRun = await fetch(`${url}/api/config?dryRun=1`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify({ version: 1, nodes: [] }) });
    expect([dryRun.status, (await dryRun.json()).error]).toEqual([400, 'dryRun: unknown parameter: this call takes its fields in a JSON body']);
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox);
    const reset = await fetch(`${url}/api/metrics/reset?node=edge`, { method: 'POST' });
    expect(reset.status).toBe(400);
    // No such call, or not this method: said before any parameter is looked at.
    expect((await fetch(`${url}/api/nope?x=1`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/api/health?x=1`, { method: 'POST' })).status).toBe(405);
    // A read ignores its query, as a cache-busting `?t=1` expects.
    expect((await fetch(`${url}/api/config?t=1`)).status).toBe(200);
  });

  it('a start naming a flow there is not is a 400 naming it, with fields or without, and the traffic is as it was', async () => {
    const url = await setup({ ...sandbox, traffic: [{ name: 'browse', to: 'edge', rate: 1, paths: ['/a'] }] });
    for (const body of [{ action: 'start', flow: 'nope' }, { action: 'start', flow: 'nope', rate: 2 }]) {
      const res = await fetch(`${url}/api/traffic`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
      expect([res.status, (await res.json()).error]).toEqual([400, 'flow: no flow "nope" (flows: browse)']);
      expect(running!.engine.trafficState().running).toBe(false);
    }
  });

  it('a body of more values than a config may hold is one error, not one for each of its keys', async () => {
    const url = await setup();
    const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 0]));
    for (const [path, body] of [
      ['/api/faults', { target: 's1', type: 'down', ...keys }],
      ['/api/traffic', { action: 'set', rate: 1, ...keys }],
      ['/api/metrics/reset', keys],
    ] as const) {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
      const answer = await res.json();
      expect([path, res.status, answer.errors]).toEqual([path, 400, [{ path: '(root)', message: limitMessage(LIMITS.configValues) }]]);
    }
    expect(running!.engine.faults()).toEqual([]);
  });

  it('a body that is not UTF-8 is a 400, and the running config stays', async () => {
    const url = await setup();
    const body = Buffer.concat([Buffer.from('{"version":1,"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","nodes":[]}')]);
    const put = await send('PUT', '/api/config', body, JSON_TYPE);
    expect([put.status, JSON.parse(put.body).error]).toEqual([400, '(body): not valid UTF-8 (a JSON body is UTF-8, RFC 8259)']);
    const fault = await send('POST', '/api/faults', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), JSON_TYPE);
    expect(fault.status).toBe(400);
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox);
  });

  it.each([['application/jsonx'], ['application/json-seq'], ['application/json; charset=latin1'], ['text/json']])('a body of type %s is a 415 naming it', async (type) => {
    await setup();
    const res = await send('POST', '/api/traffic', Buffer.from('{"action":"start","to":"edge","rate":1,"paths":["/a"]}'), { 'content-type': type });
    expect([res.status, JSON.parse(res.body).error]).toEqual([415, `expected content-type: application/json (UTF-8), got ${JSON.stringify(type)}`]);
    expect(running!.engine.trafficState().running).toBe(false);
  });

  it('takes application/json with its parameters, in any case', async () => {
    await setup();
    for (const type of ['Application/JSON', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"']) {
      expect((await send('POST', '/api/traffic', Buffer.from('{"action":"stop"}'), { 'content-type': type })).status).toBe(200);
    }
  });

  it('a compressed body is a 415 (the API reads JSON as sent), and the running config stays', async () => {
    const url = await setup();
    const res = await send('PUT', '/api/config', Buffer.from('{}'), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect([res.status, JSON.parse(res.body).error]).toEqual([415, 'content-encoding "gzip" is not taken: send the JSON uncompressed']);
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual(sandbox);
  });

  it('answers HEAD as GET without the body, the event stream included, and lists HEAD in Allow', async () => {
    const url = await setup();
    for (const path of ['/api/health', '/api/topology', '/api/metrics', '/api/config', '/api/traffic', '/api/faults', '/metrics']) {
      const head = await fetch(`${url}${path}`, { method: 'HEAD' });
      const get = await fetch(`${url}${path}`);
      expect([path, head.status, head.headers.get('content-type')]).toEqual([path, 200, get.headers.get('content-type')]);
      expect(await head.text()).toBe('');
      await get.text();
    }
    // The stream's HEAD ends with its headers: it is no client held open.
    const events = await fetch(`${url}/api/events`, { method: 'HEAD' });
    expect([events.status, events.headers.get('content-type'), await events.text()]).toEqual([200, 'text/event-stream; charset=utf-8', '']);
    const refused = await fetch(`${url}/api/config`, { method: 'PATCH', headers: JSON_TYPE, body: '{}' });
    expect([refused.status, refused.headers.get('allow')]).toEqual([405, 'GET, HEAD, PUT']);
  });

  it('answers CONNECT with a 405 and Allow, and OPTIONS * with what the server takes', async () => {
    await setup();
    const connect = await rawHttp(control!.port, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect([connect.status, connect.headers.allow]).toEqual([405, 'GET, HEAD, POST, PUT, DELETE']);
    const options = await rawHttp(control!.port, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, POST, PUT, DELETE']);
  });

  it('refuses two Host fields, a foreign absolute-form target, and a target that is no path', async () => {
    await setup();
    const close = 'Connection: close\r\n\r\n';
    const twoHosts = await rawHttp(control!.port, `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n${close}`);
    expect([twoHosts.status, JSON.parse(twoHosts.body).error]).toEqual([400, 'refused: more than one Host header']);
    const foreign = await rawHttp(control!.port, `GET http://evil.example/api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${close}`);
    expect([foreign.status, JSON.parse(foreign.body).error]).toEqual([421, 'refused: Host "evil.example" is not this lab (use http://127.0.0.1)']);
    const local = await rawHttp(control!.port, `GET http://127.0.0.1:${control!.port}/api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${close}`);
    expect([local.status, local.body]).toEqual([200, '{"status":"ok"}']);
    const star = await rawHttp(control!.port, `GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n${close}`);
    expect([star.status, JSON.parse(star.body).error]).toEqual([400, 'not a request path: "*"']);
  });
});
