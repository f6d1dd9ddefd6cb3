/** The traffic part of the config: every new field, the old simple form unchanged, and errors with paths. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import { phasePlans } from './phases.ts';

const config = (traffic: unknown[]) => ({ version: 1, nodes: [{ id: 'svc', kind: 'service' }], traffic });

function errorsOf(traffic: unknown[]): string[] {
  const result = validateConfig(config(traffic));
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('traffic config', () => {
  it('keeps the simple form valid and means one endless constant phase', () => {
    const result = validateConfig(
      config([{ to: 'svc', rate: 5, clients: 3, paths: ['/users/{1..50}'], method: 'GET', headers: { a: 'b' } }]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [plan] = phasePlans(result.config.traffic[0]);
    expect(plan).toMatchObject({ loop: 'open', shape: 'constant', rate: 5, arrivals: 'even', durationMs: Infinity, name: 'main' });
  });

  it('accepts phases of every shape, a mix, identities and keys', () => {
    const result = validateConfig(
      config([
        {
          name: 'day',
          to: 'svc',
          clients: 20,
          phases: [
            { for: '10s', rate: 5 },
            { for: '20s', shape: 'ramp', rate: 5, endRate: 50 },
            { for: '10s', shape: 'spike', rate: 10, peakRate: 100, peakAt: '2s', peakFor: '3s', arrivals: 'poisson' },
            { for: '10s', shape: 'bursts', rate: 40, on: '1s', off: '2s' },
            { for: '5s', shape: 'poisson', rate: 20 },
            { shape: 'closed', users: 10, think: { distribution: 'uniform', min: '100ms', max: '300ms' } },
          ],
          requests: [
            { weight: 8, path: '/items/{key}' },
            { weight: 2, method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"item":1}' },
          ],
          apiKeys: { count: 20, header: 'x-api-key' },
          cookies: { name: 'session', count: 50 },
          keys: { count: 1000, distribution: 'zipf', s: 1.1 },
          maxOutstanding: 200,
        },
      ]),
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    const plans = phasePlans(result.config.traffic[0]);
    expect(plans.map((p) => [p.name, p.shape, p.loop, p.durationMs])).toEqual([
      ['phase-1', 'constant', 'open', 10_000],
      ['phase-2', 'ramp', 'open', 20_000],
      ['phase-3', 'spike', 'open', 10_000],
      ['phase-4', 'bursts', 'open', 10_000],
      ['phase-5', 'poisson', 'open', 5_000],
      ['phase-6', 'closed', 'closed', Infinity],
    ]);
    expect(plans[4]).toMatchObject({ arrivals: 'poisson' });
  });

  it.each([
    [true, 1],
    [false, 0],
    [0.25, 0.25],
  ])('takes conditional: %j as the share %d of revalidations sent conditional', (conditional, share) => {
    const result = validateConfig(config([{ to: 'svc', rate: 5, conditional }]));
    expect(result.ok && result.config.traffic[0].conditional).toBe(share);
  });

  it.each([
    [[{ to: 'svc', rate: 5, conditional: 1.5 }], 'traffic[0].conditional: must be at most 1, got 1.5'],
    [[{ to: 'svc' }], 'traffic[0].rate: required: requests per second (or give phases, or shape: closed with users)'],
    [[{ to: 'svc', rate: 0 }], 'traffic[0].rate: this phase would send nothing; give a rate above 0'],
    [[{ to: 'svc', rate: 5, phases: [{ rate: 5 }] }], 'traffic[0].rate: give either phases or the flow-level rate and shape, not both'],
    [
      [{ to: 'svc', phases: [{ rate: 5 }, { for: '1s', rate: 6 }] }],
      'traffic[0].phases[0].for: required: only the last phase may run without end',
    ],
    [[{ to: 'svc', phases: [{ for: '1s', shape: 'ramp', rate: 5 }] }], 'traffic[0].phases[0].endRate: required for shape ramp'],
    [[{ to: 'svc', shape: 'ramp', rate: 5, endRate: 9 }], 'traffic[0].over: required for an endless ramp (or give the phase a `for`)'],
    [[{ to: 'svc', rate: 5, peakRate: 50 }], 'traffic[0].peakRate: not a field of shape constant (it takes rate, arrivals)'],
    [[{ to: 'svc', shape: 'closed', users: 3, rate: 5 }], 'traffic[0].rate: not a field of shape closed (it takes users, think)'],
    [[{ to: 'svc', shape: 'bursts', rate: 5, on: '1s' }], 'traffic[0].off: required for shape bursts'],
    [
      [{ to: 'svc', shape: 'wave', rate: 5 }],
      'traffic[0].shape: expected one of "constant", "poisson", "ramp", "spike", "bursts", "closed"',
    ],
    [[{ to: 'svc', phases: [{ for: '-1s', rate: 5 }] }], 'traffic[0].phases[0].for: expected a duration like 40ms, 1.5s, 2m or 1m30s, got "-1s"'],
    [
      [{ to: 'svc', rate: 5, paths: ['/items/{key}'] }],
      'traffic[0].paths[0]: uses {key}, but the flow has no keys: { count, distribution }',
    ],
    [[{ to: 'svc', rate: 5, keys: { count: 5 } }], 'traffic[0].keys: no path uses {key}'],
    [
      [{ to: 'svc', rate: 5, paths: ['/a'], requests: [{ path: '/b' }] }],
      'traffic[0].paths: give either requests (the mix) or paths and method, not both',
    ],
    [[{ to: 'svc', rate: 5, requests: [{ path: '/b', body: 'x' }] }], 'traffic[0].requests[0].body: a GET request has no body'],
    [[{ to: 'svc', rate: 5, requests: [{ path: '/b', weight: 0 }] }], 'traffic[0].requests[0].weight: must be more than 0, got 0'],
    [
      [{ to: 'svc', rate: 5, keys: { count: 5, distribution: 'pareto' }, paths: ['/{key}'] }],
      'traffic[0].keys.distribution: expected one of "uniform", "zipf"',
    ],
    [[{ to: 'svc', rate: 5, apiKeys: { count: 0 } }], 'traffic[0].apiKeys.count: must be at least 1, got 0'],
    [[{ to: 'svc', shape: 'closed', users: 2, think: -5 }], 'traffic[0].think: must be at least 0, got -5'],
    // What the generator could not send, refused as in POST /api/traffic (api.test.ts has the whole table).
    [[{ to: 'svc', rate: 5, headers: { host: 'example.com' } }], 'traffic[0].headers.host: not allowed: the generator sets Host from the flow\'s "to"'],
    [[{ to: 'svc', rate: 5, headers: { 'x-a': 'b\r\nc' } }], 'traffic[0].headers.x-a: a header value cannot hold CR'],
    [[{ to: 'svc', rate: 5, requests: [{ path: '/', headers: { te: 'trailers' } }] }], 'traffic[0].requests[0].headers.te: not allowed: a hop-by-hop field: the generator manages its own connections'],
    [[{ to: 'svc', rate: 5, method: 'CONNECT' }], 'traffic[0].method: CONNECT asks for a tunnel, not a request: the generator cannot send it'],
    [[{ to: 'svc', rate: 5, paths: ['/a b'] }], 'traffic[0].paths[0]: path "/a b": a request path cannot hold a space; percent-encode it'],
  ])('%j is rejected: %s', (traffic, message) => {
    expect(errorsOf(traffic)).toContain(message);
  });
});
