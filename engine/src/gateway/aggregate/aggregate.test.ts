/**
 * Aggregation against real HTTP servers on port 0, called through undici as a node's forwarder does:
 * all upstreams fine; one slow (its own timeout fires) and one failing (500, or connection refused)
 * under both policies; bodies that are not JSON or too large; paths the request cannot fill; and the
 * client leaving, which the upstream servers see as aborted requests. The clock is injected, so every
 * reason is exact; nothing waits on a timer longer than an upstream's own timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AggregateConfig } from '../../config/gateway/transform.ts';
import { LIMITS } from '../../config/limits.ts';
import { upstreamErrorCode } from '../../pipeline/failures.ts';
import { freePort, waitFor } from '../../testing/harness.ts';
import { TemplateScope, type RequestView } from '../transform/template.ts';
import { createAggregator, PARTIAL_HEADER, type AggregateResult, type UpstreamCall } from './aggregate.ts';

interface Upstream {
  url: string;
  /** Each request as it arrived. */
  received: Array<{ url: string; headers: IncomingMessage['headers'] }>;
  /** Requests whose connection closed before the answer was sent: the caller aborted them. */
  aborted: string[];
}

const servers: Server[] = [];
const agent = new Agent({ keepAliveTimeout: 10 });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});
afterAll(() => agent.close());

/** A real server answering every request with `answer`; `null` never answers (until the caller gives up). */
async function upstream(answer: ((req: IncomingMessage, res: ServerResponse) => void) | null): Promise<Upstream> {
  const up: Upstream = { url: '', received: [], aborted: [] };
  const server = createServer((req, res) => {
    up.received.push({ url: req.url!, headers: req.headers });
    res.on('close', () => {
      if (!res.writableFinished) up.aborted.push(req.url!);
    });
    answer?.(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return up;
}

const json =
  (body: unknown, status = 200) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };

/** The node's forwarder, as the lead passes it: undici over a pool, failures as stable codes. */
const call: UpstreamCall = async (to, path, headers, timeoutMs, signal) => {
  try {
    const res = await request(`${to}${path}`, {
      method: 'GET',
      headers: headers as Record<string, string>,
      signal,
      headersTimeout: timeoutMs,
      dispatcher: agent,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  } catch (error) {
    throw Object.assign(new Error((error as Error).message), { code: upstreamErrorCode(error) });
  }
};

const view: RequestView = {
  method: 'GET',
  path: '/profile/42',
  search: 'page=2',
  headers: { accept: 'text/html', 'accept-encoding': 'gzip', 'if-none-match': '"x"', 'x-request-id': 'r1', authorization: 'Bearer t' },
  consumer: { name: 'mobile' },
  params: { id: '42' },
};

function aggregator(upstreams: AggregateConfig['upstreams'], policy: AggregateConfig['policy'] = 'fail-whole') {
  return createAggregator({ upstreams, policy }, call, { timeoutMs: 5_000, now: () => 0 });
}

async function run(upstreams: AggregateConfig['upstreams'], policy: AggregateConfig['policy'] = 'fail-whole', v: RequestView = view) {
  return aggregator(upstreams, policy).run(new TemplateScope(v), v.headers, new AbortController().signal);
}

const bodyOf = (result: AggregateResult) => JSON.parse(result.body.toString());

describe('an aggregate whose upstreams all answer', () => {
  it('merges their JSON by name, in config order, spliced as sent', async () => {
    const user = '{ "id": 42,  "name": "Ann", "big": 12345678901234567890 }';
    const users = await upstream(json(user));
    const orders = await upstream(json([{ id: 1 }, { id: 2 }]));
    const result = await run([
      { name: 'user', to: users.url, path: '/users/{route.param.id}' },
      { name: 'orders', to: orders.url, path: '/orders?user={route.param.id}&by={consumer.name}', timeout: 300 },
    ]);
    expect(result.body.toString()).toBe('{"user":{ "id": 42,  "name": "Ann", "big": 12345678901234567890 },"orders":[{"id":1},{"id":2}]}');
    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json', 'content-length': String(result.body.length) });
    expect(result.error).toBeUndefined();
    expect(result.reason).toBe('aggregate (fail-whole): user 200 in 0 ms, orders 200 in 0 ms -> 200');
    expect(result.upstreams).toEqual([
      { name: 'user', to: users.url, path: '/users/42', startMs: 0, durationMs: 0, outcome: 'ok', status: 200, bytes: user.length },
      {
        name: 'orders',
        to: orders.url,
        path: '/orders?user=42&by=mobile',
        startMs: 0,
        durationMs: 0,
        outcome: 'ok',
        status: 200,
        bytes: '[{"id":1},{"id":2}]'.length,
      },
    ]);
  });

  it('sends a plain GET for whole JSON: no validators, ranges or codings of the client, Accept: application/json', async () => {
    const users = await upstream(json({}));
    await run([{ name: 'user', to: users.url, path: '/users/1' }]);
    const { headers } = users.received[0];
    expect(headers).toMatchObject({ accept: 'application/json', 'x-request-id': 'r1', authorization: 'Bearer t' });
    expect(headers['if-none-match']).toBeUndefined();
    expect(headers['accept-encoding']).toBeUndefined();
  });

  it('percent-encodes each value, so a value never adds a segment or a parameter', async () => {
    const users = await upstream(json({}));
    await run([{ name: 'user', to: users.url, path: '/users/{route.param.id}?q={request.query.q}' }], 'fail-whole', {
      ...view,
      params: { id: '1/../admin' },
      search: 'q=a%26all%3Dtrue',
    });
    expect(users.received[0].url).toBe('/users/1%2F..%2Fadmin?q=a%26all%3Dtrue');
  });

  it('times each upstream from the start of the aggregate with the clock it is given', async () => {
    const users = await upstream(json({}));
    let t = 0;
    const clock = createAggregator({ upstreams: [{ name: 'user', to: users.url, path: '/u' }], policy: 'partial' }, call, {
      timeoutMs: 1_000,
      now: () => (t += 10),
    });
    const result = await clock.run(new TemplateScope(view), {}, new AbortController().signal);
    expect(result.upstreams[0]).toMatchObject({ startMs: 10, durationMs: 10 });
  });
});

describe('one slow and one failing upstream', () => {
  async function cast(failing: 'status' | 'refused') {
    const users = await upstream(json({ id: 42 }));
    const slow = await upstream(null);
    const failingUrl = failing === 'status' ? (await upstream(json({ error: 'boom' }, 500))).url : `http://127.0.0.1:${await freePort()}`;
    return {
      users,
      slow,
      upstreams: [
        { name: 'user', to: users.url, path: '/users/42' },
        { name: 'orders', to: slow.url, path: '/orders', timeout: 200 },
        { name: 'audit', to: failingUrl, path: '/audit' },
      ],
    };
  }
  const failure = {
    status: { error: 'EDGE_UPSTREAM_ERROR_STATUS', status: 500 },
    refused: { error: 'EDGE_UPSTREAM_REFUSED', status: 502 },
  } as const;

  it.each(['status', 'refused'] as const)('partial: 200 with what arrived, the timeout and the failure (%s) marked', async (kind) => {
    const { slow, upstreams } = await cast(kind);
    const result = await run(upstreams, 'partial');
    expect(result.status).toBe(200);
    expect(bodyOf(result)).toEqual({
      user: { id: 42 },
      _errors: { orders: { error: 'EDGE_UPSTREAM_TIMEOUT', status: 504 }, audit: failure[kind] },
    });
    expect(result.headers).toEqual({
      'content-type': 'application/json',
      'content-length': String(result.body.length),
      [PARTIAL_HEADER]: 'orders, audit',
      'cache-control': 'no-store',
    });
    expect(result.failed).toEqual(['orders', 'audit']);
    expect(result.upstreams.map((u) => [u.name, u.outcome, u.error])).toEqual([
      ['user', 'ok', undefined],
      ['orders', 'failed', 'EDGE_UPSTREAM_TIMEOUT'],
      ['audit', 'failed', failure[kind].error],
    ]);
    expect(result.reason).toMatch(
      /^aggregate \(partial\): user 200 in 0 ms, orders EDGE_UPSTREAM_TIMEOUT \(no answer in 200 ms\) in 0 ms, audit EDGE_UPSTREAM_/,
    );
    expect(result.reason).toMatch(/ -> 200 partial, without orders and audit$/);
    await waitFor(() => slow.aborted.length === 1, 2_000, 'the slow upstream to see its request aborted');
  });

  it.each(['status', 'refused'] as const)(
    'fail-whole: 502 naming the failure (%s); the slow call is cancelled, not waited for',
    async (kind) => {
      const { slow, upstreams } = await cast(kind);
      upstreams[1].timeout = 60_000;
      const result = await run(upstreams, 'fail-whole');
      expect(result.status).toBe(502);
      expect(result.error).toBe('EDGE_AGGREGATE_FAILED');
      expect(bodyOf(result)).toEqual({
        error: 'EDGE_AGGREGATE_FAILED',
        message: 'an upstream of the aggregate failed',
        failed: { audit: failure[kind] },
      });
      expect(result.headers).toEqual({
        'content-type': 'application/json',
        'content-length': String(result.body.length),
        'x-edgelab-error': 'EDGE_AGGREGATE_FAILED',
      });
      // The user may answer before the failure or be cancelled by it: that race is the network's.
      expect(['ok', 'cancelled']).toContain(result.upstreams[0].outcome);
      expect(result.upstreams.slice(1).map((u) => [u.name, u.outcome, u.error])).toEqual([
        ['orders', 'cancelled', undefined],
        ['audit', 'failed', failure[kind].error],
      ]);
      expect(result.reason).toMatch(
        /^aggregate \(fail-whole\): user (200 in 0 ms|cancelled), orders cancelled, audit EDGE_UPSTREAM_.* -> 502, audit failed$/,
      );
      await waitFor(() => slow.aborted.length === 1, 2_000, 'the slow upstream to see its request aborted');
    },
  );

  it('partial with nothing arrived is a 502', async () => {
    const slow = await upstream(null);
    const result = await run(
      [
        { name: 'a', to: slow.url, path: '/a', timeout: 100 },
        { name: 'b', to: `http://127.0.0.1:${await freePort()}`, path: '/b' },
      ],
      'partial',
    );
    expect(result.status).toBe(502);
    expect(bodyOf(result).failed).toEqual({
      a: { error: 'EDGE_UPSTREAM_TIMEOUT', status: 504 },
      b: { error: 'EDGE_UPSTREAM_REFUSED', status: 502 },
    });
  });
});

describe('an upstream body that cannot be merged fails that upstream', () => {
  it.each<[string, (req: IncomingMessage, res: ServerResponse) => void, string, string]>([
    [
      'HTML',
      (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>'),
      'EDGE_UPSTREAM_NOT_JSON',
      'not JSON (text/html)',
    ],
    ['invalid JSON', json('{"a":'), 'EDGE_UPSTREAM_NOT_JSON', 'not valid JSON'],
    [
      'gzip-coded',
      (_q, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('x'),
      'EDGE_UPSTREAM_NOT_JSON',
      'it is gzip-encoded',
    ],
    ['a 204', (_q, res) => res.writeHead(204).end(), 'EDGE_UPSTREAM_NOT_JSON', 'it has no Content-Type'],
    ['a 404', json({ error: 'no such user' }, 404), 'EDGE_UPSTREAM_ERROR_STATUS', 'answered 404'],
    [
      'declared too large',
      json({ pad: 'x'.repeat(LIMITS.jsonBody.max) }),
      'EDGE_UPSTREAM_TOO_LARGE',
      `larger than ${LIMITS.jsonBody.max} bytes, the most the gateway buffers`,
    ],
    [
      'chunked and too large',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"pad":"${'x'.repeat(LIMITS.jsonBody.max)}`);
        res.end('"}');
      },
      'EDGE_UPSTREAM_TOO_LARGE',
      `larger than ${LIMITS.jsonBody.max} bytes, the most the gateway buffers`,
    ],
  ])('%s', async (_name, answer, error, detail) => {
    const bad = await upstream(answer);
    const good = await upstream(json({ ok: true }));
    const result = await run(
      [
        { name: 'good', to: good.url, path: '/g' },
        { name: 'bad', to: bad.url, path: '/b' },
      ],
      'partial',
    );
    expect(result.status).toBe(200);
    expect(bodyOf(result)).toEqual({
      good: { ok: true },
      _errors: { bad: { error, status: error === 'EDGE_UPSTREAM_ERROR_STATUS' ? 404 : 502 } },
    });
    expect(result.upstreams[1]).toMatchObject({ outcome: 'failed', error, detail });
  });

  it('a call that throws without a stable code counts as a reset', async () => {
    const broken = createAggregator(
      { upstreams: [{ name: 'a', to: 'x', path: '/a' }], policy: 'partial' },
      () => Promise.reject(new Error('bug')),
      {
        timeoutMs: 1_000,
        now: () => 0,
      },
    );
    const result = await broken.run(new TemplateScope(view), {}, new AbortController().signal);
    expect(result.upstreams[0]).toMatchObject({ outcome: 'failed', error: 'EDGE_UPSTREAM_RESET', detail: 'bug' });
  });
});

describe('a request the paths cannot be made from', () => {
  it.each<[string, RequestView, string]>([
    ['a missing parameter', { ...view, params: {} }, 'the route captured no parameter id'],
    ['a dot segment', { ...view, params: { id: '..' } }, 'a path value cannot be ".."'],
    ['an empty value', { ...view, params: { id: '' } }, 'a path value cannot be ""'],
  ])('%s is a 400 before anything is called', async (_name, v, problem) => {
    const users = await upstream(json({}));
    const orders = await upstream(json([]));
    const result = await run(
      [
        { name: 'orders', to: orders.url, path: '/orders' },
        { name: 'user', to: users.url, path: '/users/{route.param.id}' },
      ],
      'partial',
      v,
    );
    expect(result.status).toBe(400);
    expect(result.error).toBe('EDGE_BAD_REQUEST');
    expect(bodyOf(result)).toEqual({ error: 'EDGE_BAD_REQUEST', message: `upstream user of the aggregate cannot be called: ${problem}` });
    expect(result.upstreams.map((u) => [u.name, u.outcome])).toEqual([
      ['orders', 'cancelled'],
      ['user', 'failed'],
    ]);
    expect(users.received.length + orders.received.length).toBe(0);
  });
});

describe('the client leaving', () => {
  it('aborts every call in flight: the upstream servers see their requests aborted', async () => {
    const a = await upstream(null);
    const b = await upstream(null);
    const client = new AbortController();
    const running = aggregator(
      [
        { name: 'a', to: a.url, path: '/a', timeout: 60_000 },
        { name: 'b', to: b.url, path: '/b', timeout: 60_000 },
      ],
      'partial',
    ).run(new TemplateScope(view), {}, client.signal);
    await waitFor(() => a.received.length === 1 && b.received.length === 1, 2_000, 'both upstreams to receive their request');
    client.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 499, error: 'EDGE_CLIENT_ABORTED', body: Buffer.alloc(0) });
    expect(result.upstreams.map((u) => u.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(result.reason).toBe('aggregate: a cancelled, b cancelled -> the client went away');
    await waitFor(() => a.aborted.length === 1 && b.aborted.length === 1, 2_000, 'both upstreams to see the abort');
  });

  it('calls nothing when the client has already gone', async () => {
    const a = await upstream(json({}));
    const gone = new AbortController();
    gone.abort();
    const result = await aggregator([{ name: 'a', to: a.url, path: '/a' }]).run(new TemplateScope(view), {}, gone.signal);
    expect(result.status).toBe(499);
    expect(a.received).toEqual([]);
  });
});
