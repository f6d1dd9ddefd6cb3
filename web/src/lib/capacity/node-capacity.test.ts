import { describe, expect, it } from 'vitest';
import { parseCapacity, withCapacity } from './node-capacity.ts';

const config = {
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'api' },
    { id: 'api', kind: 'gateway', capacity: { concurrency: 2, queue: 2, queueTimeout: '1s' }, routes: [{ match: { path: '/*' }, to: 'app' }] },
    { id: 'app', kind: 'service' },
  ],
};

describe('withCapacity', () => {
  it('sets a node’s concurrency and queue, keeping its queue timeout, and leaves the others as they are', () => {
    const edited = withCapacity(config, 'api', { concurrency: 32, queue: 16 }) as typeof config;
    expect(edited.nodes[1]).toEqual({ ...config.nodes[1], capacity: { concurrency: 32, queue: 16, queueTimeout: '1s' } });
    expect(edited.nodes[0]).toBe(config.nodes[0]);
    expect(config.nodes[1]!.capacity).toEqual({ concurrency: 2, queue: 2, queueTimeout: '1s' });
    expect((withCapacity(config, 'edge', { concurrency: 8, queue: 0 }) as typeof config).nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'api', capacity: { concurrency: 8, queue: 0 } });
  });

  it('removes the limit, and refuses a node the config does not have', () => {
    expect((withCapacity(config, 'api', undefined) as typeof config).nodes[1]).not.toHaveProperty('capacity');
    expect(() => withCapacity(config, 'gw', undefined)).toThrow('no node "gw"');
  });
});

describe('parseCapacity', () => {
  it('reads whole numbers, an empty queue as 0, and names each field that is wrong', () => {
    expect(parseCapacity({ concurrency: ' 32 ', queue: '' })).toEqual({ ok: true, capacity: { concurrency: 32, queue: 0 } });
    expect(parseCapacity({ concurrency: '0', queue: '-1' })).toEqual({
      ok: false,
      errors: ['Concurrency: expected a whole number of requests, 1 or more (got "0")', 'Queue: expected a whole number of requests, 0 or more (got "-1")'],
    });
    expect(parseCapacity({ concurrency: '', queue: '2.5' }).ok).toBe(false);
  });
});
