/** The request mix and client identities, drawn with a seeded random source. */
import { describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { TrafficFlow } from '../config/schema.ts';
import { clientIdentity, mergeHeaders, RequestMix } from './mix.ts';

const flow = (fields: Record<string, unknown>) => TrafficFlow.parse({ to: 'edge', rate: 10, ...fields });

describe('RequestMix', () => {
  it('draws entries in proportion to their weights (8:2 within 4 standard errors over 50,000 draws)', () => {
    const mix = new RequestMix(
      flow({
        requests: [
          { weight: 8, path: '/users/{1..50}' },
          { weight: 2, method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"item":1}' },
        ],
      }),
      seededRng(1),
    );
    const rng = seededRng(2);
    const n = 50_000;
    let posts = 0;
    const shapes = new Set<string>();
    for (let i = 0; i < n; i++) {
      const request = mix.draw(rng, undefined);
      if (request.method === 'POST') posts++;
      shapes.add(JSON.stringify({ ...request, path: request.path.replace(/\d+$/, 'N') }));
    }
    expect([...shapes].map((s) => JSON.parse(s))).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/users/N' },
        { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"item":1}' },
      ]),
    );
    expect(shapes.size).toBe(2);
    // Share 0.2, standard error √(0.2 · 0.8 / 50000) ≈ 0.0018.
    expect(Math.abs(posts / n - 0.2)).toBeLessThan(4 * Math.sqrt((0.2 * 0.8) / n));
  });

  it('the simple form: paths drawn uniformly with the flow method (GET by default)', () => {
    const mix = new RequestMix(flow({ paths: ['/a', '/b'] }), seededRng(1));
    const rng = seededRng(3);
    const seen = { '/a': 0, '/b': 0 } as Record<string, number>;
    const methods = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const r = mix.draw(rng, undefined);
      methods.add(r.method);
      seen[r.path]++;
    }
    expect([...methods]).toEqual(['GET']);
    expect(Math.abs(seen['/a'] / 10_000 - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 10_000));
    expect(new RequestMix(flow({}), seededRng(1)).draw(rng, undefined)).toMatchObject({ method: 'GET', path: '/' });
  });

  it('fills {key} from the flow keys', () => {
    const mix = new RequestMix(flow({ paths: ['/items/{key}'], keys: { count: 3 } }), seededRng(1));
    const rng = seededRng(4);
    const paths = new Set(Array.from({ length: 200 }, () => mix.draw(rng, undefined).path));
    expect([...paths].sort()).toEqual(['/items/1', '/items/2', '/items/3']);
  });
});

describe('clientIdentity', () => {
  const identities = flow({
    clients: 4,
    apiKeys: { count: 3 },
    cookies: { count: 2 },
    headers: { 'x-team': 'blue', Cookie: 'theme=dark' },
  });

  it.each([
    [0, '127.0.1.1', 'key-1', 'theme=dark; session=s-1'],
    [1, '127.0.2.1', 'key-2', 'theme=dark; session=s-2'],
    [2, '127.0.3.1', 'key-3', 'theme=dark; session=s-1'],
    [3, '127.0.4.1', 'key-1', 'theme=dark; session=s-2'],
  ])('client %i sends from %s with %s and cookie %s', (index, address, key, cookie) => {
    expect(clientIdentity(index, identities)).toEqual({ address, headers: { 'x-team': 'blue', cookie, 'x-api-key': key } });
  });

  it('has no headers when the flow gives none', () => {
    expect(clientIdentity(0, flow({}))).toEqual({ address: '127.0.1.1', headers: undefined });
  });

  it('mergeHeaders: later names win without regard to case, cookies join', () => {
    expect(mergeHeaders({ 'X-A': '1', cookie: 'a=1' }, { 'x-a': '2', Cookie: 'b=2' })).toEqual({ 'x-a': '2', cookie: 'a=1; b=2' });
  });
});
