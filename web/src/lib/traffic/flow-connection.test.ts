import { describe, expect, it } from 'vitest';
import { withFlowConnection } from './flow-connection.ts';

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
