import { describe, expect, it } from 'vitest';
import { cacheSettings, withCache } from './toggle-cache.ts';

const config = {
  version: 1,
  name: 'Classic edge',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'api', cache: { maxSize: '8mb', lock: false } },
    { id: 'api', kind: 'gateway', routes: [] },
  ],
};

describe('withCache', () => {
  it('takes the cache away from that proxy only, leaving the rest as it was', () => {
    const off = withCache(config, 'edge', undefined) as typeof config;
    expect(off.nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'api' });
    expect(off.nodes[1]).toBe(config.nodes[1]);
    expect(config.nodes[0].cache).toEqual({ maxSize: '8mb', lock: false });
  });

  it('gives it settings, the defaults as {}', () => {
    const off = withCache(config, 'edge', undefined);
    expect((withCache(off, 'edge', {}) as typeof config).nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'api', cache: {} });
    expect(cacheSettings(withCache(off, 'edge', cacheSettings(config, 'edge')), 'edge')).toEqual({ maxSize: '8mb', lock: false });
  });

  it('refuses a node that is not a proxy of the config', () => {
    expect(() => withCache(config, 'api', {})).toThrow('no proxy "api"');
    expect(() => withCache({}, 'edge', {})).toThrow();
    expect(cacheSettings(config, 'api')).toBeUndefined();
  });
});
