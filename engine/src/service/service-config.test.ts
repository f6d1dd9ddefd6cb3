/** The service's config fields: what they parse to, and the error (with its path) for each bad value. */
import { describe, expect, it } from 'vitest';
import { formatErrors, validateConfig } from '../config/validate.ts';

const withService = (service: Record<string, unknown>) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1' },
    { id: 's1', kind: 'service', ...service },
  ],
});

function errorsOf(service: Record<string, unknown>): string[] {
  const result = validateConfig(withService(service));
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('service config', () => {
  it('parses the new fields into milliseconds and bytes, with defaults', () => {
    const result = validateConfig(
      withService({
        latency: {
          distribution: 'mix',
          of: [
            { weight: 99, latency: '20ms' },
            { weight: 1, latency: { distribution: 'lognormal', median: '800ms', sigma: 0.5 } },
          ],
        },
        capacity: { concurrency: 4, queue: 10, queueTimeout: '2s' },
        errorRate: 0.1,
        errorStatus: [500, 502, 503],
        responseSize: '1.5kb',
        cache: [{ path: '/static/*', cacheControl: 'public, max-age=60', etag: true }],
      }),
    );
    if (!result.ok) throw new Error(formatErrors(result.errors));
    expect(result.config.nodes[1]).toMatchObject({
      latency: {
        distribution: 'mix',
        of: [
          { weight: 99, latency: 20 },
          { weight: 1, latency: { distribution: 'lognormal', median: 800, sigma: 0.5 } },
        ],
      },
      capacity: { concurrency: 4, queue: 10, queueTimeout: 2000 },
      errorStatus: [500, 502, 503],
      responseSize: 1536,
      cache: [{ path: '/static/*', cacheControl: 'public, max-age=60', etag: true, lastModified: false }],
    });
  });

  it('keeps every earlier service config valid', () => {
    const result = validateConfig(withService({ latency: '40ms', status: 201, errorRate: 0.5, errorStatus: 503 }));
    if (!result.ok) throw new Error(formatErrors(result.errors));
    expect(result.config.nodes[1]).toMatchObject({ latency: 40, status: 201, errorStatus: 503 });
    expect(result.config.nodes[1]).not.toHaveProperty('capacity');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a negative size', { responseSize: -1 }, 'nodes[1].responseSize: expected a size like 2kb or 1.5mb (at most 64mb), got -1'],
    [
      'a size without a known unit',
      { responseSize: '2 kilobytes' },
      'nodes[1].responseSize: expected a size like 2kb or 1.5mb (at most 64mb), got "2 kilobytes"',
    ],
    ['a size over 64mb', { responseSize: '65mb' }, 'nodes[1].responseSize: at most 64mb, got "65mb"'],
    ['an empty mix', { latency: { distribution: 'mix', of: [] } }, 'nodes[1].latency.of: a mix needs at least one part'],
    [
      'a zero weight',
      { latency: { distribution: 'mix', of: [{ weight: 0, latency: '5ms' }] } },
      'nodes[1].latency.of[0].weight: must be more than 0, got 0',
    ],
    [
      'a mix inside a mix',
      { latency: { distribution: 'mix', of: [{ weight: 1, latency: { distribution: 'mix', of: [] } }] } },
      'nodes[1].latency.of[0].latency.distribution: expected one of "uniform", "normal", "lognormal"',
    ],
    ['an error status below 500', { errorStatus: 404 }, 'nodes[1].errorStatus: must be at least 500, got 404'],
    ['an error status in a list above 599', { errorStatus: [500, 600] }, 'nodes[1].errorStatus[1]: must be at most 599, got 600'],
    ['an empty status list', { errorStatus: [] }, 'nodes[1].errorStatus: expected at least one status'],
    [
      'a queue without concurrency',
      { capacity: { queue: 5 } },
      'nodes[1].capacity.concurrency: required: how many requests are processed at once',
    ],
    ['a concurrency of 0', { capacity: { concurrency: 0 } }, 'nodes[1].capacity.concurrency: must be at least 1, got 0'],
    ['a negative queue', { capacity: { concurrency: 1, queue: -1 } }, 'nodes[1].capacity.queue: must be at least 0, got -1'],
    [
      'a zero queue timeout',
      { capacity: { concurrency: 1, queue: 1, queueTimeout: 0 } },
      'nodes[1].capacity.queueTimeout: must be longer than 0',
    ],
    ['a misspelt capacity key', { capacity: { concurrency: 1, queueLimit: 4 } }, 'nodes[1].capacity.queueLimit: unknown key'],
    [
      'a cache rule that adds nothing',
      { cache: [{ path: '/static/*' }] },
      'nodes[1].cache[0]: a cache rule needs cacheControl, etag or lastModified',
    ],
    [
      'a cache path without a slash',
      { cache: [{ path: 'static/*', etag: true }] },
      'nodes[1].cache[0].path: must start with "/", got "static/*"',
    ],
    [
      'a malformed Cache-Control',
      { cache: [{ path: '/s', cacheControl: 'max-age=60;public' }] },
      'nodes[1].cache[0].cacheControl: expected cache directives such as "public, max-age=60" (RFC 9111)',
    ],
  ])('rejects %s with its path', (_what, service, expected) => {
    expect(errorsOf(service)).toContain(expected);
  });

  it('names a wrong latency field as one of the distribution written ("distribution: expected uniform; min: required" for a normal one)', () => {
    expect(errorsOf({ latency: { distribution: 'normal', mean: '10ms', stdev: '5ms' } })).toEqual([
      expect.stringMatching(/^nodes\[1\]\.latency\.stddev: required: a string with a unit/),
      'nodes[1].latency.stdev: unknown key; did you mean "stddev"?',
    ]);
    expect(errorsOf({ latency: { distribution: 'lognormal', median: '10ms' } })).toEqual([
      'nodes[1].latency.sigma: required: spread of the underlying normal; 0.5 is a moderate tail',
    ]);
    expect(errorsOf({ latency: { distribution: 'pareto', scale: '1ms' } })).toEqual([
      'nodes[1].latency.distribution: expected one of "uniform", "normal", "lognormal", "mix"',
    ]);
  });
});
