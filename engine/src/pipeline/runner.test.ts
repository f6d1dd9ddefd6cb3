/**
 * The runner on real sockets: a node with stages written for the test, in front of a real upstream.
 * The trace of stages (order, verdicts, times, reasons), async stages, a stage's own full answer,
 * response-phase steps on every kind of answer, and a stage that throws.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../bus.ts';
import type { ProxyConfig } from '../config/schema.ts';
import type { EngineEvent, EventOf } from '../events.ts';
import { L4Links } from '../nodes/l4-links.ts';
import { rawUpstream, waitFor, type RawUpstream } from '../testing/harness.ts';
import type { ResponseStep } from './exchange.ts';
import { ForwardingNode } from './forwarding-node.ts';
import { CONTINUE, type Stage, type Verdict } from './verdict.ts';

class TestNode extends ForwardingNode<ProxyConfig> {
  readonly kind = 'proxy' as const;
  constructor(
    readonly upstream: string,
    readonly make: (upstream: string) => Stage[],
    bus: EventBus,
  ) {
    super({ id: 'node', kind: 'proxy', listen: 0, to: upstream } as ProxyConfig, {
      bus,
      resolve: (u) => u,
      rng: Math.random,
      l4Links: new L4Links(),
      generation: () => 1,
    });
  }
  protected buildStages(): Stage[] {
    return this.make(this.upstream);
  }
}

let node: TestNode | undefined;
let upstream: RawUpstream | undefined;
let events: EngineEvent[] = [];
afterEach(async () => {
  await node?.dispose();
  await upstream?.close();
  node = upstream = undefined;
  events = [];
});

async function start(make: (upstream: string) => Stage[], answer = '{"user":{"id":1},"secret":"x"}'): Promise<string> {
  upstream = await rawUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' });
    res.end(answer);
  });
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  node = new TestNode(upstream.url, make, bus);
  await node.start();
  return `http://127.0.0.1:${node.port}`;
}

const completed = () => waitFor(() => events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed'));

const forwardTo = (upstream: string): Stage => ({
  name: 'forward',
  run: (exchange) => ({ kind: 'forward', upstream, path: exchange.req.url ?? '/', decision: { stage: 'proxy', reason: `to ${upstream}` } }),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the runner', () => {
  it('records every stage the request passed, in order, with its verdict, time and reason', async () => {
    const url = await start((up) => [
      { name: 'route', run: () => ({ kind: 'continue', reason: 'route 1 matched' }) },
      { name: 'transform', run: () => CONTINUE },
      forwardTo(up),
    ]);
    const res = await request(`${url}/a`);
    expect(res.statusCode).toBe(200);
    await res.body.text();
    const done = await completed();
    expect(done.stages?.map((s) => [s.stage, s.verdict, s.reason])).toEqual([
      ['route', 'continue', 'route 1 matched'],
      ['transform', 'continue', undefined],
      ['forward', 'forward', undefined],
    ]);
    for (const step of done.stages ?? []) expect(step.ms).toBeGreaterThanOrEqual(0);
  });

  it('waits for an async stage, counting its wait in its time, and goes on after it', async () => {
    const url = await start((up) => [
      {
        name: 'auth',
        run: async () => {
          await sleep(60);
          return { kind: 'continue', reason: 'checked after a wait' };
        },
      },
      forwardTo(up),
    ]);
    const res = await request(`${url}/a`);
    expect(res.statusCode).toBe(200);
    await res.body.text();
    const done = await completed();
    expect(done.stages?.[0]).toMatchObject({ stage: 'auth', verdict: 'continue', reason: 'checked after a wait' });
    expect(done.stages![0].ms).toBeGreaterThanOrEqual(50);
    expect(upstream!.received).toHaveLength(1);
  });

  it('stops at a stage that answers with an edge error or its own response: nothing is forwarded', async () => {
    let refuse = true;
    const url = await start((up) => [
      {
        name: 'rate-limit',
        run: (): Verdict =>
          refuse
            ? { kind: 'respond', error: 'EDGE_RATE_LIMITED', headers: { 'retry-after': '2' }, decision: { stage: 'rate-limit', reason: 'no tokens' } }
            : { kind: 'answer', status: 201, headers: { 'content-type': 'text/plain' }, body: 'made here' },
      },
      forwardTo(up),
    ]);
    const limited = await request(`${url}/a`);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.headers['x-edgelab-error']).toBe('EDGE_RATE_LIMITED');
    await limited.body.text();
    refuse = false;
    const own = await request(`${url}/a`);
    expect(own.statusCode).toBe(201);
    expect(await own.body.text()).toBe('made here');
    expect(own.headers['content-length']).toBe('9');
    expect(upstream!.received).toHaveLength(0);
    const done = await completed();
    expect(done).toMatchObject({ status: 429, error: 'EDGE_RATE_LIMITED', decision: { stage: 'rate-limit', reason: 'no tokens' } });
  });

  it('applies response steps to an upstream answer: headers in place, and a gathered body with its length', async () => {
    const step: ResponseStep = {
      name: 'transform',
      headers: (_exchange, _status, headers) => {
        headers['x-added'] = 'yes';
      },
      maxBodyBytes: 1024,
      body: (_exchange, _status, _headers, body) => {
        const json = JSON.parse(body.toString()) as Record<string, unknown>;
        delete json.secret;
        return Buffer.from(JSON.stringify(json));
      },
    };
    const url = await start((up) => [
      {
        name: 'transform',
        run: (exchange) => {
          exchange.onResponse(step);
          return CONTINUE;
        },
      },
      forwardTo(up),
    ]);
    const res = await request(`${url}/a`);
    const body = await res.body.text();
    expect(res.headers['x-added']).toBe('yes');
    expect(JSON.parse(body)).toEqual({ user: { id: 1 } });
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    // HEAD has no body to gather: the headers still go through the steps.
    const head = await request(`${url}/a`, { method: 'HEAD' });
    expect(head.headers['x-added']).toBe('yes');
    await head.body.text();
  });

  it('lets a body bigger than the steps asked for go out unchanged', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
    const url = await start(
      (up) => [
        {
          name: 'transform',
          run: (exchange) => {
            exchange.onResponse({ name: 'transform', maxBodyBytes: 100, body: () => Buffer.from('{}') });
            return CONTINUE;
          },
        },
        forwardTo(up),
      ],
      big,
    );
    const res = await request(`${url}/a`);
    expect(await res.body.text()).toBe(big);
  });

  it('applies response header steps to an edge error too', async () => {
    const url = await start(() => [
      {
        name: 'rate-limit',
        run: (exchange) => {
          exchange.onResponse({ name: 'rate-limit', headers: (_e, _s, headers) => void (headers['ratelimit'] = '"default";a=0;w=1') });
          return CONTINUE;
        },
      },
      forwardTo('http://127.0.0.1:1'),
    ]);
    const res = await request(`${url}/a`);
    expect(res.statusCode).toBe(502);
    expect(res.headers['ratelimit']).toBe('"default";a=0;w=1');
    await res.body.text();
  });

  it('answers 500 EDGE_INTERNAL when a stage throws, reports it, and keeps serving', async () => {
    let crash = true;
    const url = await start((up) => [
      {
        name: 'auth',
        run: () => {
          if (crash) throw new Error('boom');
          return CONTINUE;
        },
      },
      forwardTo(up),
    ]);
    const res = await request(`${url}/a`);
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-edgelab-error']).toBe('EDGE_INTERNAL');
    await res.body.text();
    expect(events.find((e) => e.type === 'engine.error')).toMatchObject({ node: 'node', message: expect.stringContaining('stage auth failed') });
    crash = false;
    const again = await request(`${url}/a`);
    expect(again.statusCode).toBe(200);
    await again.body.text();
  });

  it('answers 500 EDGE_INTERNAL when carrying out a verdict fails (an answer with a header Node refuses), sync or async', async () => {
    let async = false;
    const url = await start(() => [
      {
        name: 'aggregate',
        run: (): Verdict | Promise<Verdict> => {
          const bad: Verdict = { kind: 'answer', status: 200, headers: { 'x-bad': 'a\r\nb' }, body: 'x' };
          return async ? Promise.resolve(bad) : bad;
        },
      },
    ]);
    for (const mode of [false, true]) {
      async = mode;
      const res = await request(`${url}/a`);
      expect(res.statusCode).toBe(500);
      expect(res.headers['x-edgelab-error']).toBe('EDGE_INTERNAL');
      await res.body.text();
    }
  });

  it('does not go on when the client left during an async stage', async () => {
    const url = await start((up) => [
      {
        name: 'auth',
        run: async () => {
          await sleep(150);
          return CONTINUE;
        },
      },
      forwardTo(up),
    ]);
    const controller = new AbortController();
    const pending = request(`${url}/a`, { signal: controller.signal }).catch(() => undefined);
    setTimeout(() => controller.abort(), 30);
    await pending;
    const done = await completed();
    expect(done.error).toBe('EDGE_CLIENT_ABORTED');
    await sleep(200);
    expect(upstream!.received).toHaveLength(0);
  });
});
