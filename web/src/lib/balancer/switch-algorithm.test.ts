import { describe, expect, it } from 'vitest';
import { PICKER_IDS } from '../../../../engine/src/balancer/pickers/index.ts';
import { validateConfig } from '../../../../engine/src/config/validate.ts';
import { balancerSettings, withAlgorithm } from './switch-algorithm.ts';

const config = {
  version: 1,
  name: 'Switch',
  nodes: [
    {
      id: 'users',
      kind: 'balancer',
      algorithm: 'consistent-hash',
      hashKey: 'header:x-user',
      options: { mode: 'nginx', balanceFactor: 150 },
      targets: ['a', { to: 'b', weight: 2 }],
    },
    { id: 'a', kind: 'service' },
    { id: 'b', kind: 'service' },
  ],
  traffic: [{ to: 'users', rate: 1 }],
};

describe('switching a balancer’s algorithm in the config', () => {
  it('reads the running settings, defaults where the config is silent', () => {
    expect(balancerSettings(config, 'users')).toEqual({
      algorithm: 'consistent-hash',
      hashKey: 'header:x-user',
      mode: 'nginx',
      options: { mode: 'nginx', balanceFactor: 150 },
    });
    expect(balancerSettings({ nodes: [{ id: 'users', kind: 'balancer', targets: ['a'] }] }, 'users')).toMatchObject({
      algorithm: 'round-robin',
      mode: 'ring',
    });
    expect(balancerSettings(config, 'a')).toBeUndefined();
  });

  it('drops the options and the hash key the new algorithm does not take', () => {
    const next = withAlgorithm(config, 'users', { algorithm: 'least-connections' }) as typeof config;
    expect(next.nodes[0]).toEqual({
      id: 'users',
      kind: 'balancer',
      algorithm: 'least-connections',
      targets: ['a', { to: 'b', weight: 2 }],
    });
    // Everything else is the same config, and the one given is untouched.
    expect(next.nodes.slice(1)).toEqual(config.nodes.slice(1));
    expect(config.nodes[0].algorithm).toBe('consistent-hash');
  });

  it('keeps what the new algorithm shares with the old, sets the key and the mode', () => {
    const ring = withAlgorithm(config, 'users', { algorithm: 'consistent-hash', hashKey: 'path', mode: 'ring' }) as typeof config;
    expect(ring.nodes[0]).toMatchObject({ algorithm: 'consistent-hash', hashKey: 'path', options: { balanceFactor: 150 } });
    expect(ring.nodes[0].options).not.toHaveProperty('mode');
    const maglev = withAlgorithm(config, 'users', { algorithm: 'maglev', hashKey: 'cookie:session' }) as typeof config;
    expect(maglev.nodes[0]).toMatchObject({ algorithm: 'maglev', hashKey: 'cookie:session' });
    expect(maglev.nodes[0]).not.toHaveProperty('options');
  });

  it('leaves the defaults out: hashKey ip, mode ring', () => {
    const next = withAlgorithm(config, 'users', { algorithm: 'maglev', hashKey: 'ip' }) as typeof config;
    expect(next.nodes[0]).not.toHaveProperty('hashKey');
  });

  it('drops a ring’s own point count when switching to nginx mode, which fixes it', () => {
    const withPoints = { ...config, nodes: [{ ...config.nodes[0], options: { points: 40 } }, ...config.nodes.slice(1)] };
    const next = withAlgorithm(withPoints, 'users', { algorithm: 'consistent-hash', mode: 'nginx' }) as typeof config;
    expect(next.nodes[0].options).toEqual({ mode: 'nginx' });
  });

  it.each(PICKER_IDS)('gives a config the engine accepts for %s', (algorithm) => {
    const next = withAlgorithm(config, 'users', { algorithm, hashKey: 'query:user', mode: 'nginx' });
    const result = validateConfig(next);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('refuses to edit a balancer the config does not have', () => {
    expect(() => withAlgorithm(config, 'nope', { algorithm: 'random' })).toThrow(/no balancer "nope"/);
    expect(() => withAlgorithm(config, 'a', { algorithm: 'random' })).toThrow(/no balancer "a"/);
  });
});
