import { describe, expect, it } from 'vitest';
import { tlsSetting, withTls } from './toggle-tls.ts';

const config = {
  version: 1,
  name: 'TLS termination',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'shop', tls: { http2: false } },
    { id: 'shop', kind: 'service' },
  ],
  traffic: [
    { name: 'shoppers', to: 'edge', rate: 20, http2: true },
    { to: 'edge', rate: 1 },
    { to: 'shop', rate: 1, http2: true },
  ],
};

describe('withTls', () => {
  it('turns TLS off on that proxy, and takes http2 from the flows entering there (HTTP/2 runs over TLS only)', () => {
    const { config: off, plainFlows } = withTls(config, 'edge', undefined) as { config: typeof config; plainFlows: string[] };
    expect(off.nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'shop' });
    expect(off.nodes[1]).toBe(config.nodes[1]);
    expect(off.traffic).toEqual([{ name: 'shoppers', to: 'edge', rate: 20 }, config.traffic[1], config.traffic[2]]);
    expect(plainFlows).toEqual(['shoppers']);
    expect(config.nodes[0].tls).toEqual({ http2: false });
  });

  it('turns it on with the setting given (true: self-signed), the traffic untouched', () => {
    const off = withTls(config, 'edge', undefined).config;
    expect(tlsSetting(off, 'edge')).toBeUndefined();
    const on = withTls(off, 'edge', true);
    expect(tlsSetting(on.config, 'edge')).toBe(true);
    expect(on.plainFlows).toEqual([]);
    expect((on.config as typeof config).traffic).toBe((off as typeof config).traffic);
    expect(tlsSetting(withTls(off, 'edge', { http2: false }).config, 'edge')).toEqual({ http2: false });
  });

  it('refuses a node that is not a proxy of the config', () => {
    expect(() => withTls(config, 'shop', true)).toThrow('no proxy "shop"');
    expect(tlsSetting({ nodes: [{ id: 'edge', kind: 'proxy', tls: false }] }, 'edge')).toBeUndefined();
  });
});
