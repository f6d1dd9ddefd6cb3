/**
 * The l4 balancer on real sockets: one pick per TCP connection, every request on it goes the same way,
 * the picker balances connections, and the balancer never sees a request (the config refuses what
 * would need one).
 */
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { L4_PICKERS } from '../picker-ids.ts';
import { PICKER_IDS } from '../pickers/index.ts';
import { validateConfig } from '../../config/validate.ts';
import type { EventOf } from '../../events.ts';
import { startEngine, type RunningEngine } from '../../testing/harness.ts';
import { socketAddressOf } from './connections.ts';

let running: RunningEngine | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await running?.stop();
  running = undefined;
});

const services = ['s1', 's2', 's3'].map((id) => ({ id, kind: 'service' }));
const l4 = (extra: Record<string, unknown> = {}, targets: string[] = ['s1', 's2', 's3']) => ({
  version: 1,
  nodes: [{ id: 'lb', kind: 'balancer', mode: 'l4', targets, ...extra }, ...services.filter((s) => targets.includes(s.id))],
  traffic: [{ to: 'lb', rate: 1 }],
});

/** A client that holds exactly one keep-alive connection, optionally from a chosen loopback address. */
function connection(port: number, localAddress?: string): Client {
  const client = new Client(`http://127.0.0.1:${port}`, { pipelining: 1, ...(localAddress ? { localAddress } : {}) });
  clients.push(client);
  return client;
}

async function servedBy(client: Client, path = '/x'): Promise<string> {
  const { body } = await client.request({ path, method: 'GET' });
  return ((await body.json()) as { node: string }).node;
}

const eventsOf = <T extends 'connection.opened' | 'connection.closed' | 'request.received'>(type: T) =>
  running!.events.filter((e): e is EventOf<T> => e.type === type);

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('l4 balancer', () => {
  it('decides once per connection: every request on it reaches the same target, whatever its path', async () => {
    running = await startEngine(l4());
    const client = connection(running.port('lb'));
    const answers = [];
    for (const path of ['/users/1', '/orders/9', '/', '/users/2', '/static/a.css', '/x']) answers.push(await servedBy(client, path));
    expect(new Set(answers)).toEqual(new Set(['s1']));
    const opened = eventsOf('connection.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ node: 'lb', connection: 'c1', to: 's1', decision: { stage: 'pick', algorithm: 'round-robin' } });
    // The service names the connection each request rode; the balancer itself emitted no request event.
    const received = eventsOf('request.received');
    expect(received.map((e) => e.via)).toEqual(Array(6).fill({ node: 'lb', connection: 'c1' }));
    expect(received.every((e) => e.node === 's1')).toBe(true);
    expect(running.engine.topology().find((n) => n.id === 'lb')?.connections).toMatchObject([{ id: 'c1', to: 's1', requests: 6 }]);
  });

  it('round robin turns per connection, and the closed connection reports its bytes and requests', async () => {
    running = await startEngine(l4());
    const order = [];
    for (let i = 0; i < 4; i++) {
      const client = connection(running.port('lb'));
      order.push(await servedBy(client));
      await servedBy(client);
      await client.close();
    }
    expect(order).toEqual(['s1', 's2', 's3', 's1']);
    await until(() => eventsOf('connection.closed').length === 4);
    const closed = eventsOf('connection.closed')[0];
    expect(closed).toMatchObject({ node: 'lb', connection: 'c1', to: 's1', requests: 2 });
    expect(closed.bytesUp).toBeGreaterThan(50);
    expect(closed.bytesDown).toBeGreaterThan(closed.bytesUp);
    expect(closed.error).toBeUndefined();
    expect(running.engine.metrics.snapshot().lb.connections).toEqual({ opened: 4, open: 0, failed: 0 });
  });

  it('least-connections counts open connections, idle or not', async () => {
    running = await startEngine(l4({ algorithm: 'least-connections' }, ['s1', 's2']));
    const a = connection(running.port('lb'));
    expect(await servedBy(a)).toBe('s1');
    const b = connection(running.port('lb'));
    expect(await servedBy(b)).toBe('s2');
    await b.close();
    await until(() => eventsOf('connection.closed').length === 1);
    // a is idle but still open on s1: the next connection goes to s2, which has none.
    const c = connection(running.port('lb'));
    expect(await servedBy(c)).toBe('s2');
  });

  it('hashes the source address of the connection (ip-hash): one client keeps its target across connections', async () => {
    running = await startEngine(l4({ algorithm: 'ip-hash' }));
    const targets = new Map<string, Set<string>>();
    for (let n = 1; n <= 8; n++) {
      for (let i = 0; i < 2; i++) {
        const client = connection(running.port('lb'), `127.0.${n}.7`);
        const node = await servedBy(client);
        await client.close();
        targets.set(`127.0.${n}.7`, (targets.get(`127.0.${n}.7`) ?? new Set()).add(node));
      }
    }
    for (const seen of targets.values()) expect(seen.size).toBe(1);
    expect(new Set([...targets.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);
  });

  it('a refused connect resets the client, counts as a failure, and health checks take the target out', async () => {
    running = await startEngine(l4({ healthCheck: { interval: '50ms', timeout: '40ms', fall: 1, rise: 1 } }, ['s1', 's2']));
    await running.engine.injectFault({ target: 's1', type: 'down' });
    const client = connection(running.port('lb'));
    await expect(servedBy(client)).rejects.toThrow();
    await until(() => eventsOf('connection.closed').some((e) => e.error === 'EDGE_UPSTREAM_REFUSED'));
    await until(() => running!.engine.topology().find((n) => n.id === 'lb')?.targets?.[0]?.eligible === false);
    for (let i = 0; i < 3; i++) {
      const next = connection(running.port('lb'));
      expect(await servedBy(next)).toBe('s2');
      await next.close();
    }
    expect(running.engine.metrics.snapshot().lb.connections?.failed).toBeGreaterThanOrEqual(1);
  });

  it("behind a gateway, the gateway's keep-alive connections carry many requests on one decision each", async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'api', kind: 'gateway', routes: [{ match: { path: '/*' }, to: 'lb' }] },
        { id: 'lb', kind: 'balancer', mode: 'l4', targets: ['s1', 's2', 's3'] },
        ...services,
      ],
    });
    for (let i = 0; i < 10; i++) await fetch(running.url('api', `/items/${i}`)).then((r) => r.text());
    const opened = eventsOf('connection.opened');
    const received = eventsOf('request.received').filter((e) => e.node !== 'api');
    expect(received).toHaveLength(10);
    expect(opened.length).toBeLessThan(received.length);
    expect(received.every((e) => e.from === 'api' && e.via?.node === 'lb')).toBe(true);
    expect(running.engine.metrics.snapshot().lb.requests).toBe(0);
  });

  it('switching mode replaces the listener; switching algorithm keeps it', async () => {
    running = await startEngine(l4());
    const port = running.port('lb');
    const apply = async (extra: Record<string, unknown>) => {
      const checked = validateConfig({ ...l4({ listen: port, ...extra }) });
      if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
      await running!.engine.apply(checked.config);
    };
    await apply({ mode: 'l4', algorithm: 'random' });
    expect(running.engine.topology().find((n) => n.id === 'lb')).toMatchObject({ mode: 'l4', algorithm: 'random', port });
    await apply({ mode: 'l7' });
    const client = connection(port);
    await servedBy(client);
    expect(running.engine.topology().find((n) => n.id === 'lb')?.mode).toBeUndefined();
    // A new listener counts afresh: the l4 connections do not carry over into the l7 node's metrics.
    expect(running.engine.metrics.snapshot().lb.connections).toBeUndefined();
    expect(eventsOf('request.received').some((e) => e.node === 'lb')).toBe(true);
  });
});

describe('l4 config', () => {
  const errors = (extra: Record<string, unknown>) => {
    const result = validateConfig(l4(extra));
    return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it.each([
    [{ algorithm: 'peak-ewma' }, 'nodes[0].algorithm: peak-ewma learns from request latencies'],
    [{ algorithm: 'consistent-hash', hashKey: 'header:x-user' }, 'nodes[0].hashKey: an l4 balancer can only hash the source address'],
    [{ retries: { tries: 2 } }, 'nodes[0].retries: an l4 balancer cannot retry'],
    [{ circuitBreaker: {} }, 'nodes[0].circuitBreaker: an l4 balancer sees no responses'],
    [{ trustedProxies: ['127.0.0.1'] }, 'nodes[0].trustedProxies: an l4 balancer never reads X-Forwarded-For'],
    [{ mode: 'l3' }, 'nodes[0].mode'],
  ])('refuses %j', (extra, message) => {
    expect(errors(extra).join('\n')).toContain(message);
  });

  it('offers every registered picker but peak-ewma', () => {
    expect([...L4_PICKERS].sort()).toEqual(PICKER_IDS.filter((id) => id !== 'peak-ewma').sort());
  });

  it('accepts what a TCP balancer can do', () => {
    expect(errors({ algorithm: 'least-connections', healthCheck: {}, outlierDetection: {}, slowStart: {} })).toEqual([]);
    expect(errors({ algorithm: 'maglev', hashKey: 'ip' })).toEqual([]);
  });
});

describe('socketAddressOf', () => {
  it.each([
    ['http://127.0.0.1:9001', '127.0.0.1', 9001],
    ['http://app.test', 'app.test', 80],
    ['https://app.test', 'app.test', 443],
    ['http://[::1]:8080', '::1', 8080],
  ])('%s connects to %s port %d', (origin, host, port) => {
    expect(socketAddressOf(origin)).toEqual({ host, port });
  });
});
