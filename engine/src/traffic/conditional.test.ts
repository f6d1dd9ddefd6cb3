/**
 * Conditional requests from the generator's clients: what each client remembers from its answers and
 * sends back (table of answers), the share drawn, the memory bound; then on real sockets, against an
 * origin that answers 304 to a matching If-None-Match, and through a real engine whose caching proxy
 * answers the clients' revalidations itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { TrafficFlow } from '../config/schema.ts';
import { rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';
import { ClientValidators, MAX_PATHS } from './conditional.ts';
import { TrafficGenerator } from './generator.ts';
import type { DrawnRequest } from './mix.ts';

const get = (path: string, headers?: Record<string, string>): DrawnRequest => ({ method: 'GET', path, headers, body: undefined });
const never = () => {
  throw new Error('no draw expected at share 1');
};

describe('ClientValidators', () => {
  it('sends nothing for a path the client has no answer for', () => {
    const validators = new ClientValidators(1, never);
    const request = get('/a');
    expect(validators.stamp(request, 0)).toBe(false);
    expect(request.headers).toBeUndefined();
  });

  it.each([
    ['an ETag', { etag: '"v1"' }, { 'if-none-match': '"v1"' }],
    ['a weak ETag', { etag: 'W/"v1"' }, { 'if-none-match': 'W/"v1"' }],
    ['a Last-Modified', { 'last-modified': 'Sun, 06 Dec 2026 10:00:00 GMT' }, { 'if-modified-since': 'Sun, 06 Dec 2026 10:00:00 GMT' }],
    ['both', { etag: '"v1"', 'last-modified': 'Sun, 06 Dec 2026 10:00:00 GMT' }, { 'if-none-match': '"v1"', 'if-modified-since': 'Sun, 06 Dec 2026 10:00:00 GMT' }],
  ])('sends back %s from a 200 of the same path, and only to the client that got it', (_what, answer, sent) => {
    const validators = new ClientValidators(1, never);
    validators.remember(0, 'GET', '/a', 200, answer);
    const request = get('/a', { 'x-client': '0' });
    expect(validators.stamp(request, 0)).toBe(true);
    expect(request.headers).toEqual({ 'x-client': '0', ...sent });
    expect(validators.stamp(get('/b'), 0)).toBe(false);
    expect(validators.stamp(get('/a'), 1)).toBe(false);
  });

  it('copies the headers it adds to, so the client headers every request shares stay plain', () => {
    const validators = new ClientValidators(1, never);
    validators.remember(0, 'GET', '/a', 200, { etag: '"v1"' });
    const shared = { 'x-api-key': 'k' };
    const request = get('/a', shared);
    validators.stamp(request, 0);
    expect(shared).toEqual({ 'x-api-key': 'k' });
  });

  it('keeps what it has on a 304 (updating any validator the 304 carries) and on errors; a 200 without validators forgets', () => {
    const validators = new ClientValidators(1, never);
    const sentFor = (path: string) => {
      const request = get(path);
      return validators.stamp(request, 0) ? request.headers : undefined;
    };
    validators.remember(0, 'GET', '/a', 200, { etag: '"v1"', 'last-modified': 'Sun, 06 Dec 2026 10:00:00 GMT' });
    validators.remember(0, 'GET', '/a', 304, { etag: '"v2"' });
    expect(sentFor('/a')).toEqual({ 'if-none-match': '"v2"', 'if-modified-since': 'Sun, 06 Dec 2026 10:00:00 GMT' });
    validators.remember(0, 'GET', '/a', 503, {});
    expect(sentFor('/a')).toEqual({ 'if-none-match': '"v2"', 'if-modified-since': 'Sun, 06 Dec 2026 10:00:00 GMT' });
    validators.remember(0, 'GET', '/a', 200, {});
    expect(sentFor('/a')).toBeUndefined();
    // A 304 to a request the client had nothing for teaches it nothing.
    validators.remember(0, 'GET', '/b', 304, { etag: '"v9"' });
    expect(sentFor('/b')).toBeUndefined();
  });

  it('only revalidates GET and HEAD, and leaves a request whose flow set its own conditional alone', () => {
    const validators = new ClientValidators(1, never);
    validators.remember(0, 'POST', '/a', 200, { etag: '"p"' });
    expect(validators.stamp(get('/a'), 0)).toBe(false);
    validators.remember(0, 'GET', '/a', 200, { etag: '"v1"' });
    expect(validators.stamp({ method: 'POST', path: '/a', headers: undefined, body: 'x' }, 0)).toBe(false);
    expect(validators.stamp({ method: 'HEAD', path: '/a', headers: undefined, body: undefined }, 0)).toBe(true);
    const own = get('/a', { 'if-none-match': '"mine"' });
    expect(validators.stamp(own, 0)).toBe(false);
    expect(own.headers).toEqual({ 'if-none-match': '"mine"' });
  });

  it('sends the configured share of possible revalidations conditional', () => {
    const validators = new ClientValidators(0.3, seededRng(7));
    validators.remember(0, 'GET', '/a', 200, { etag: '"v1"' });
    let conditional = 0;
    for (let i = 0; i < 10_000; i++) if (validators.stamp(get('/a'), 0)) conditional++;
    // 10 000 Bernoulli(0.3) draws: the standard deviation is about 46, so 0.3 +- 0.02 is over 4 of them.
    expect(conditional / 10_000).toBeGreaterThan(0.28);
    expect(conditional / 10_000).toBeLessThan(0.32);
  });

  it(`remembers at most ${MAX_PATHS} paths per client, forgetting the least recently answered`, () => {
    const validators = new ClientValidators(1, never);
    for (let i = 0; i <= MAX_PATHS; i++) validators.remember(0, 'GET', `/p/${i}`, 200, { etag: `"${i}"` });
    expect(validators.stamp(get('/p/0'), 0)).toBe(false);
    expect(validators.stamp(get('/p/1'), 0)).toBe(true);
    expect(validators.stamp(get(`/p/${MAX_PATHS}`), 0)).toBe(true);
  });
});

describe('conditional traffic on real sockets', () => {
  let origin: RawUpstream | undefined;
  let traffic: TrafficGenerator | undefined;
  let running: RunningEngine | undefined;
  afterEach(async () => {
    await traffic?.close();
    await origin?.close();
    await running?.stop();
    origin = traffic = running = undefined;
  });

  /** An origin with one ETag per path that answers 304 to a request naming it. */
  const revalidatingOrigin = () =>
    rawUpstream((req, res) => {
      const etag = `"${req.url}"`;
      if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
      res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(`body of ${req.url}`);
    });

  async function run(flow: Record<string, unknown>) {
    origin = await revalidatingOrigin();
    traffic = new TrafficGenerator({ resolve: (to) => to, rng: seededRng(3), onStateChange: () => {} });
    // Closed loop: each client has one request out at a time, so every request after its first answer for a path can revalidate.
    await traffic.start([TrafficFlow.parse({ to: origin.url, shape: 'closed', users: 2, clients: 2, paths: ['/items/{1..3}'], ...flow })]);
    await waitFor(() => (traffic!.stats().completed >= 60 ? true : undefined), 10_000, '60 answers');
    await traffic.stop();
    await waitFor(() => (traffic!.stats().outstanding === 0 ? true : undefined), 5_000, 'the answers in flight');
    return { stats: traffic.stats(), received: origin.received };
  }

  it('sends each client’s last ETag back and counts the 304s it gets', async () => {
    const { stats, received } = await run({ conditional: true });
    const revalidations = received.filter((r) => r.headers['if-none-match'] !== undefined);
    // 2 clients x 3 paths: at most 6 first requests go plain; every later one revalidates, with the path's own tag.
    expect(received.length - revalidations.length).toBeLessThanOrEqual(6);
    expect(revalidations.every((r) => r.headers['if-none-match'] === `"${r.url}"`)).toBe(true);
    expect(stats.conditional).toBe(revalidations.length);
    expect(stats.notModified).toBe(stats.statusClasses['3xx']);
    expect(stats.notModified).toBe(revalidations.length);
  });

  it('sends nothing conditional without the flow’s conditional', async () => {
    const { stats, received } = await run({});
    expect(received.filter((r) => r.headers['if-none-match'] !== undefined)).toEqual([]);
    expect(stats).toMatchObject({ conditional: 0, notModified: 0 });
  });

  it('lets a caching proxy answer the clients’ revalidations itself, with 304s the origin never sees', async () => {
    running = await startEngine(
      {
        version: 1,
        nodes: [
          { id: 'edge', kind: 'proxy', to: 'catalog', cache: {} },
          { id: 'catalog', kind: 'service', cache: [{ path: '/items/*', cacheControl: 'public, max-age=60', etag: true }] },
        ],
        traffic: [{ to: 'edge', rate: 100, clients: 2, paths: ['/items/{1..3}'], conditional: true }],
      },
      { traffic: true },
    );
    await waitFor(() => (running!.engine.traffic.stats().notModified >= 20 ? true : undefined), 10_000, '20 answers 304');
    const metrics = running.engine.metrics.snapshot();
    expect(metrics.edge.statusClasses['3xx']).toBeGreaterThanOrEqual(20);
    expect(metrics.catalog.statusClasses['3xx']).toBe(0);
    expect(metrics.catalog.requests).toBeLessThanOrEqual(3);
  });
});
