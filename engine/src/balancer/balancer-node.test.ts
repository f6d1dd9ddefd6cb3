/** The balancer on real sockets: each algorithm picks live, keys come from requests, the real client IP. */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../events.ts';
import { rawHttp, startEngine, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const services = ['s1', 's2', 's3'].map((id) => ({ id, kind: 'service' }));
const balancer = (extra: Record<string, unknown>, targets: unknown[] = ['s1', 's2', 's3']) => ({
  version: 1,
  nodes: [{ id: 'lb', kind: 'balancer', targets, ...extra }, ...services],
  traffic: [{ to: 'lb', rate: 1 }],
});

async function servedBy(url: string, headers: Record<string, string> = {}): Promise<string> {
  return ((await (await fetch(url, { headers })).json()) as { node: string }).node;
}

describe('balancer', () => {
  it('weighted-round-robin follows nginx smooth weighted order on live traffic', async () => {
    running = await startEngine(balancer({ algorithm: 'weighted-round-robin' }, [{ to: 's1', weight: 5 }, 's2', 's3']));
    const order = [];
    for (let i = 0; i < 7; i++) order.push(await servedBy(running.url('lb', '/x')));
    expect(order.join(' ')).toBe('s1 s1 s2 s1 s3 s1 s1');
  });

  it('consistent-hash on a header keeps each user on one target, and explains the pick', async () => {
    running = await startEngine(balancer({ algorithm: 'consistent-hash', hashKey: 'header:x-user' }));
    const first = new Map<string, string>();
    for (const user of ['ada', 'bob', 'cy', 'dee', 'eve', 'fay'])
      first.set(user, await servedBy(running.url('lb', '/x'), { 'x-user': user }));
    for (const [user, node] of first) expect(await servedBy(running.url('lb', '/y'), { 'x-user': user })).toBe(node);
    expect(new Set(first.values()).size).toBeGreaterThan(1);
    const decisions = running.events.filter((e): e is EventOf<'request.forwarded'> => e.type === 'request.forwarded');
    expect(decisions.at(-1)?.decision).toMatchObject({ stage: 'pick', algorithm: 'consistent-hash' });
  });

  it('candidates carry the address a reference engine would write', async () => {
    running = await startEngine(balancer({ algorithm: 'consistent-hash', options: { mode: 'nginx' } }));
    const view = running.engine.topology().find((n) => n.id === 'lb');
    expect(view?.targets?.map((t) => t.address)).toEqual(['s1', 's2', 's3'].map((id) => `127.0.0.1:${running!.port(id)}`));
  });

  it('ip-hash sees only the previous hop unless it trusts it, then the real client', async () => {
    const chain = (trusted: string[] | undefined) => ({
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'lb' },
        { id: 'lb', kind: 'balancer', algorithm: 'ip-hash', targets: ['s1', 's2', 's3'], ...(trusted ? { trustedProxies: trusted } : {}) },
        ...services,
      ],
    });
    const spread = async () => {
      const nodes = new Set<string>();
      for (let n = 1; n <= 12; n++) {
        const res = await rawHttp(running!.port('edge'), 'GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n', `127.0.${n}.1`);
        nodes.add(JSON.parse(res.body).node);
      }
      return nodes.size;
    };
    running = await startEngine(chain(undefined));
    expect(await spread()).toBe(1);
    await running.stop();
    running = await startEngine(chain(['127.0.0.1']));
    expect(await spread()).toBeGreaterThan(1);
  });

  it('peak-ewma learns from finished requests and prefers the fast target', async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'lb', kind: 'balancer', algorithm: 'peak-ewma', targets: ['fast', 'slow'] },
        { id: 'fast', kind: 'service', latency: '2ms' },
        { id: 'slow', kind: 'service', latency: '150ms' },
      ],
      traffic: [{ to: 'lb', rate: 1 }],
    });
    const served: string[] = [];
    for (let i = 0; i < 30; i++) served.push(await servedBy(running.url('lb', '/x')));
    expect(served.slice(10).filter((n) => n === 'fast').length).toBeGreaterThanOrEqual(15);
  });
});
