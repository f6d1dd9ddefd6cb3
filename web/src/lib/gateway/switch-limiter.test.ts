import { describe, expect, it } from 'vitest';
import { convertLimit, withLimiter } from './switch-limiter.ts';

describe('convertLimit', () => {
  it('keeps the key, the name and the average rate across algorithms', () => {
    const bucket = { algorithm: 'token-bucket', rate: 5, burst: 10, key: 'ip', name: 'per-ip' };
    expect(convertLimit(bucket, 'fixed-window')).toEqual({ algorithm: 'fixed-window', limit: 10, window: '2s', key: 'ip', name: 'per-ip' });
    expect(convertLimit({ algorithm: 'fixed-window', limit: 60, window: '1m', key: 'consumer' }, 'token-bucket')).toEqual({
      algorithm: 'token-bucket',
      rate: 1,
      burst: 60,
      key: 'consumer',
    });
    expect(convertLimit(bucket, 'leaky-bucket')).toMatchObject({ rate: 5, burst: 10, nodelay: true });
    expect(convertLimit(bucket, 'concurrency')).toEqual({ algorithm: 'concurrency', limit: 10, key: 'ip', name: 'per-ip' });
  });
});

describe('withLimiter', () => {
  const config = {
    version: 1,
    nodes: [
      {
        id: 'api',
        kind: 'gateway',
        rateLimit: { algorithm: 'token-bucket', rate: 2, burst: 4, key: 'ip' },
        routes: [{ match: { path: '/*' }, to: 'x', rateLimit: [{ algorithm: 'gcra', rate: 1, burst: 1, key: 'global' }] }],
      },
    ],
  };

  it("changes only the limit at the place given: the gateway's own, or one in a route's list", () => {
    const gateway = withLimiter(config, 'api', { route: null, index: 0 }, 'sliding-window-counter') as typeof config;
    expect(gateway.nodes[0].rateLimit).toEqual({ algorithm: 'sliding-window-counter', limit: 4, window: '2s', key: 'ip' });
    expect(gateway.nodes[0].routes[0].rateLimit).toEqual(config.nodes[0].routes[0].rateLimit);
    const route = withLimiter(config, 'api', { route: 0, index: 0 }, 'token-bucket') as typeof config;
    expect(route.nodes[0].routes[0].rateLimit).toEqual([{ algorithm: 'token-bucket', rate: 1, burst: 1, key: 'global' }]);
    expect(config.nodes[0].rateLimit.algorithm).toBe('token-bucket');
  });

  it('refuses a place that holds no limit', () => {
    expect(() => withLimiter(config, 'api', { route: 3, index: 0 }, 'gcra')).toThrow(/no route 4/);
    expect(() => withLimiter(config, 'nope', { route: null, index: 0 }, 'gcra')).toThrow(/no gateway/);
  });
});
