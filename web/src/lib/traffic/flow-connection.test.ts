import { describe, expect, it } from 'vitest';
import { failoverCandidates, withFlowConnection, withFlowFailover } from './flow-connection.ts';

const config = {
  version: 1,
  nodes: [{ id: 'edge', kind: 'proxy', tls: true }],
  traffic: [
    { name: 'shoppers', to: 'edge', rate: 20, keepAlive: false },
    { to: 'edge', rate: 1 },
  ],
};

describe('withFlowConnection', () => {
  it('turns keep-alive on by dropping keepAlive: false, and off by writing it', () => {
    const on = withFlowConnection(config, 'shoppers', { keepAlive: true }) as typeof config;
    expect(on.traffic[0]).toEqual({ name: 'shoppers', to: 'edge', rate: 20 });
    expect(on.traffic[1]).toBe(config.traffic[1]);
    expect((withFlowConnection(on, 'shoppers', { keepAlive: false }) as typeof config).traffic[0]).toEqual(config.traffic[0]);
    expect(config.traffic[0].keepAlive).toBe(false);
  });

  it('turns HTTP/2 on and off, finding an unnamed flow by the name the engine gives it', () => {
    const on = withFlowConnection(config, 'flow-2', { http2: true }) as { traffic: Array<Record<string, unknown>> };
    expect(on.traffic[1]).toEqual({ to: 'edge', rate: 1, http2: true });
    expect((withFlowConnection(on, 'flow-2', { http2: false }) as typeof on).traffic[1]).toEqual({ to: 'edge', rate: 1 });
  });

  it('refuses a flow the config does not have', () => {
    expect(() => withFlowConnection(config, 'client-1', { http2: true })).toThrow('no flow "client-1"');
    expect(() => withFlowConnection({}, 'shoppers', { http2: true })).toThrow();
  });
});

describe('withFlowFailover', () => {
  const pair = {
    version: 1,
    nodes: [
      { id: 'edge-a', kind: 'proxy', to: 'app' },
      { id: 'edge-b', kind: 'proxy', to: 'app' },
      { id: 'app', kind: 'service' },
    ],
    traffic: [{ name: 'site', to: 'edge-a', rate: 25 }],
  };

  it('gives the flow its failover entries in order, and takes them away (with the failback) again', () => {
    const on = withFlowFailover(pair, 'site', ['edge-b']) as { traffic: Array<Record<string, unknown>> };
    expect(on.traffic[0]).toEqual({ name: 'site', to: 'edge-a', rate: 25, failover: ['edge-b'] });
    expect(pair.traffic[0]).toEqual({ name: 'site', to: 'edge-a', rate: 25 });
    const off = withFlowFailover({ ...on, traffic: [{ ...on.traffic[0], failback: '5s' }] }, 'site', []) as typeof on;
    expect(off.traffic[0]).toEqual({ name: 'site', to: 'edge-a', rate: 25 });
    expect(() => withFlowFailover(pair, 'shop', ['edge-b'])).toThrow('no flow "shop"');
  });

  it('offers the other nodes at the door as entries, never a service nor the flow’s own entry', () => {
    expect(failoverCandidates(pair.nodes, 'edge-a')).toEqual(['edge-b']);
    expect(failoverCandidates([...pair.nodes, { id: 'api', kind: 'gateway' }], 'edge-b')).toEqual(['edge-a', 'api']);
  });
});
