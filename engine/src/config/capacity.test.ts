/**
 * `capacity` on the forwarding nodes: the same shape as a service's, checked at the boundary with the
 * path named; an l4 balancer, which never sees a request, refuses it.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from './validate.ts';

const withCapacity = (kind: 'proxy' | 'gateway' | 'balancer', capacity: unknown, extra: Record<string, unknown> = {}) => {
  const fields = kind === 'proxy' ? { to: 's1' } : kind === 'gateway' ? { routes: [{ match: { path: '/*' }, to: 's1' }] } : { targets: ['s1'] };
  return {
    version: 1,
    nodes: [
      { id: 'front', kind, ...fields, capacity, ...extra },
      { id: 's1', kind: 'service' },
    ],
  };
};

function errorsOf(config: unknown): string[] {
  const result = validateConfig(config);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('capacity on a proxy, gateway or balancer', () => {
  it.each(['proxy', 'gateway', 'balancer'] as const)('a %s takes it, durations in ms and the queue defaulted', (kind) => {
    const result = validateConfig(withCapacity(kind, { concurrency: 4, queueTimeout: '2s' }));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.config.nodes[0]).toMatchObject({ capacity: { concurrency: 4, queue: 0, queueTimeout: 2000 } });
  });

  it.each<[string, unknown, string]>([
    ['no concurrency', { queue: 5 }, 'nodes[0].capacity.concurrency: required: how many requests are processed at once'],
    ['a concurrency of 0', { concurrency: 0 }, 'nodes[0].capacity.concurrency: must be at least 1, got 0'],
    ['a fractional concurrency', { concurrency: 1.5 }, 'nodes[0].capacity.concurrency: expected a whole number, got 1.5'],
    ['a negative queue', { concurrency: 1, queue: -1 }, 'nodes[0].capacity.queue: must be at least 0, got -1'],
    ['a queue beyond the limit', { concurrency: 1, queue: 100_001 }, 'nodes[0].capacity.queue: must be at most 100000, got 100001'],
    ['a zero queue timeout', { concurrency: 1, queueTimeout: 0 }, 'nodes[0].capacity.queueTimeout: must be longer than 0'],
    ['a misspelt key', { concurrency: 1, queu: 3 }, 'nodes[0].capacity.queu: unknown key; did you mean "queue"?'],
    ['not an object', 8, 'nodes[0].capacity: expected a mapping, got 8'],
  ])('refuses %s, naming the field', (_name, capacity, error) => {
    expect(errorsOf(withCapacity('gateway', capacity))).toEqual([error]);
  });

  it('an l4 balancer refuses it: it never sees a request to queue', () => {
    expect(errorsOf(withCapacity('balancer', { concurrency: 2 }, { mode: 'l4' }))).toEqual([
      'nodes[0].capacity: an l4 balancer never sees requests to queue (remove it, or use mode l7)',
    ]);
  });
});
