/**
 * The gateway on real sockets: its route table decides (most specific first, normalised paths,
 * rewrites with captured parameters, a route's own timeout), and each request's stages are traced.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../events.ts';
import { rawHttp, rawUpstream, startEngine, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let upstreams: RawUpstream[] = [];
afterEach(async () => {
  await running?.stop();
  await Promise.all(upstreams.map((u) => u.close()));
  running = undefined;
  upstreams = [];
});

async function upstream(name: string, delayMs = 0): Promise<RawUpstream> {
  const server = await rawUpstream((req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, url: req.url }));
    }, delayMs);
  });
  upstreams.push(server);
  return server;
}

const get = async (path: string) => {
  const res = await request(`http://127.0.0.1:${running!.port('api')}${path}`);
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
};

const completed = (node: string) =>
  running!.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.node === node);

describe('gateway routing', () => {
  it('takes the most specific route, whatever the config order, and rewrites with captured parameters', async () => {
    const [all, users] = [await upstream('all'), await upstream('users')];
    running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          routes: [
            { match: { path: '/*' }, to: all.url },
            { match: { path: '/users/:id' }, to: users.url, rewrite: '/v2/people/{id}' },
          ],
        },
      ],
    });
    const one = await get('/users/42?full=1');
    expect(JSON.parse(one.body)).toEqual({ name: 'users', url: '/v2/people/42?full=1' });
    const other = await get('/orders/1');
    expect(JSON.parse(other.body)).toMatchObject({ name: 'all' });
    const stages = completed('api')[0].stages!;
    expect(stages.map((s) => s.stage)).toEqual(['route', 'forward']);
    expect(stages[0].reason).toMatch(/route 2 .*\/users\/:id.* matched \/users\/42 with id=42/);
  });

  it('matches the normalised path and forwards it; an encoded slash is refused with 400, never routed', async () => {
    const [admin, pub] = [await upstream('admin'), await upstream('public')];
    running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          routes: [
            { match: { path: '/admin/*', headers: { 'x-admin': 'yes' } }, to: admin.url },
            { match: { path: '/*' }, to: pub.url },
          ],
        },
      ],
    });
    const dotted = await get('/users/../admin/x');
    expect(JSON.parse(dotted.body)).toEqual({ name: 'public', url: '/admin/x' });
    const slipped = await get('/users/..%2fadmin/x');
    expect(slipped.status).toBe(400);
    expect(slipped.headers['x-edgelab-error']).toBe('EDGE_BAD_REQUEST');
    expect(admin.received).toHaveLength(0);
    expect(pub.received.map((r) => r.url)).toEqual(['/admin/x']);
  });

  it('answers 404 naming the closest route when none matches', async () => {
    const users = await upstream('users');
    running = await startEngine({
      version: 1,
      nodes: [{ id: 'api', kind: 'gateway', routes: [{ match: { path: '/users/*', method: 'GET' }, to: users.url }] }],
    });
    const res = await rawHttp(running.port('api'), 'POST /users/1 HTTP/1.1\r\nHost: lab\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(404);
    expect(completed('api')[0].decision?.reason).toMatch(/closest is route 1 .*POST is not GET/);
  });

  it("gives up on an upstream slower than the route's own timeout: 504", async () => {
    const slow = await upstream('slow', 400);
    running = await startEngine({
      version: 1,
      nodes: [{ id: 'api', kind: 'gateway', routes: [{ match: { path: '/*' }, to: slow.url, timeout: '100ms' }] }],
    });
    const res = await get('/x');
    expect(res.status).toBe(504);
    expect(res.headers['x-edgelab-error']).toBe('EDGE_UPSTREAM_TIMEOUT');
  });
});
