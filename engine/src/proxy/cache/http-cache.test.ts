/**
 * The cache's decisions per RFC section, on an injected clock: freshness and Age (RFC 9111 4.2),
 * what a shared cache must never store (3, 3.5), Vary (4.1), validation and the 304 merge (4.3, 3.2),
 * the client's own conditionals (RFC 9110 13.2), stale-while-revalidate and stale-if-error (RFC 5861),
 * request directives (5.2.1), invalidation (4.4) and purges, and the status words (RFC 9211).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CacheSchema, type CacheConfig } from '../../config/proxy/cache.ts';
import type { CacheAnswer } from './answers.ts';
import { createHttpCache, HIT_FOR_MISS_MS, type CacheForward, type CacheLookup, type HttpCache } from './http-cache.ts';
import type { CacheRequest, Headers, OriginResponse } from './types.ts';

const START = Date.parse('Sun, 06 Dec 2026 12:00:00 GMT');
let clock = START;
const now = () => clock;
const advance = (seconds: number) => {
  clock += seconds * 1000;
};
const httpDate = (ms: number) => new Date(ms).toUTCString();

const cacheOf = (config: Partial<Record<keyof CacheConfig, unknown>> = {}) =>
  createHttpCache(CacheSchema.parse({ lock: false, ...config }), { now });
const get = (url: string, headers: Headers = {}, method = 'GET'): CacheRequest => ({
  method,
  url,
  headers: { host: 'example.com', ...headers },
});
/** An origin response that arrives now, sent now (Date = now), with `body`. */
const origin = (status: number, headers: Headers, body = 'hello'): OriginResponse => ({
  status,
  headers: { date: httpDate(clock), ...headers },
  body: Buffer.from(body),
  requestTime: clock,
  responseTime: clock,
});

/** Every forward the origin saw: the headers the cache sent. */
let forwarded: Headers[] = [];
beforeEach(() => {
  clock = START;
  forwarded = [];
});

/** One request through the cache, the origin answering with `respond` when the cache forwards it. */
async function fetchVia(cache: HttpCache, request: CacheRequest, respond: () => OriginResponse): Promise<CacheAnswer> {
  const lookup = await cache.lookup(request);
  if (lookup.kind === 'hit' || lookup.kind === 'stale') return lookup.answer;
  forwarded.push(lookup.headers);
  return cache.settle(lookup, respond());
}
const words = (answer: CacheAnswer) => [answer.status, answer.headers['x-cache'], answer.headers['cache-status']];
const forwardOf = (lookup: CacheLookup): CacheForward => {
  if (lookup.kind === 'hit' || lookup.kind === 'stale') throw new Error(`expected a forward, got ${lookup.kind}`);
  return lookup;
};

describe('freshness and Age (RFC 9111 section 4.2)', () => {
  it('stores a fresh response and answers from it with its Age until it is stale', async () => {
    const cache = cacheOf();
    const first = await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 's-maxage=60, max-age=5' }));
    expect(words(first)).toEqual([200, 'MISS', 'EdgeLab;fwd=miss;fwd-status=200;ttl=60;stored']);
    expect(first.outcome.reason).toBe('cache: nothing stored for this key; stored the 200, fresh for 60 s (s-maxage=60) -> MISS');
    advance(18);
    const hit = await fetchVia(cache, get('/a'), () => origin(500, {}));
    expect(words(hit)).toEqual([200, 'HIT', 'EdgeLab;hit;ttl=42']);
    expect(hit.headers.age).toBe('18');
    expect(hit.body?.toString()).toBe('hello');
    expect(hit.outcome.reason).toBe('cache: fresh for 42 s more (s-maxage=60, age 18 s) -> HIT');
    advance(42);
    expect((await cache.lookup(get('/a'))).kind).toBe('revalidate');
    expect(forwarded).toHaveLength(1);
  });

  it.each<[string, Headers, number]>([
    ['max-age', { 'cache-control': 'max-age=30' }, 30],
    ['Expires - Date', { expires: httpDate(START + 120_000) }, 120],
    ['the heuristic for Last-Modified (10% of its age)', { 'last-modified': httpDate(START - 3_600_000) }, 360],
  ])('is fresh for %s', async (_name, headers, seconds) => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, headers));
    advance(seconds - 1);
    expect((await cache.lookup(get('/a'))).kind).toBe('hit');
    advance(1);
    expect((await cache.lookup(get('/a'))).kind).toBe('revalidate');
  });

  it("counts the Age the origin sent, the response's delay and the apparent age from Date", async () => {
    const cache = cacheOf();
    const lookup = forwardOf(await cache.lookup(get('/a')));
    // Sent at START, arrived 2 s later with Age: 30 from a cache behind.
    const response = { ...origin(200, { 'cache-control': 'max-age=100', age: '30' }), requestTime: START, responseTime: START + 2000 };
    clock = START + 2000;
    expect(cache.settle(lookup, response).headers.age).toBe('32');
    advance(10);
    const hit = await cache.lookup(get('/a'));
    expect(hit.kind === 'hit' && [hit.answer.headers.age, hit.answer.outcome.ttl]).toEqual(['42', 58]);
  });

  it('adds a Date to a stored response that had none, and keeps the origin Date on hits', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => ({
      ...origin(200, { 'cache-control': 'max-age=60' }),
      headers: { 'cache-control': 'max-age=60' },
    }));
    advance(5);
    const hit = await cache.lookup(get('/a'));
    expect(hit.kind === 'hit' && hit.answer.headers.date).toBe(httpDate(START));
  });
});

describe('what a shared cache never stores (RFC 9111 sections 3 and 3.5)', () => {
  it.each<[string, CacheRequest, OriginResponse, string]>([
    ['no-store in the response', get('/a'), origin(200, { 'cache-control': 'no-store, max-age=60' }), 'the response says no-store'],
    ['no-store in the request', get('/a', { 'cache-control': 'no-store' }), origin(200, { 'cache-control': 'max-age=60' }), 'not stored'],
    ['private', get('/a'), origin(200, { 'cache-control': 'private, max-age=60' }), 'the response is private'],
    [
      'an answer to Authorization',
      get('/a', { authorization: 'Bearer x' }),
      origin(200, { 'cache-control': 'max-age=60' }),
      'the request carries Authorization and the response allows no sharing (public, s-maxage or must-revalidate)',
    ],
    [
      'Set-Cookie',
      get('/a'),
      origin(200, { 'cache-control': 'max-age=60', 'set-cookie': ['a=1'] }),
      'the response sets a cookie (storeSetCookie is off)',
    ],
    ['Vary: *', get('/a'), origin(200, { 'cache-control': 'max-age=60', vary: 'Accept, *' }), 'Vary: * matches no later request'],
    [
      'a 302 without explicit freshness',
      get('/a'),
      origin(302, { location: '/b' }),
      'status 302 without explicit freshness is not stored (RFC 9111 section 3)',
    ],
    ['a 500 without explicit freshness', get('/a'), origin(500, { etag: '"e"' }), 'status 500 without explicit freshness is not stored (RFC 9111 section 3)'],
    [
      'a 206 (ranges are not combined)',
      get('/a', { range: 'bytes=0-1' }),
      origin(206, { 'cache-control': 'max-age=60', 'content-range': 'bytes 0-1/10' }),
      'a 206 is not stored (only final, whole responses)',
    ],
    [
      'a body above maxEntrySize',
      get('/a'),
      origin(200, { 'cache-control': 'max-age=60' }, 'x'.repeat(2000)),
      'the body is 2000 bytes, above maxEntrySize (1024)',
    ],
    [
      'a body that was not buffered',
      get('/a'),
      { ...origin(200, { 'cache-control': 'max-age=60' }), body: undefined },
      'the body was not buffered (larger than maxEntrySize)',
    ],
    [
      'a response never fresh without a validator',
      get('/a'),
      origin(200, { 'cache-control': 'max-age=0' }),
      'never fresh, no validator and no stale-while-revalidate or stale-if-error',
    ],
  ])('%s', async (_name, request, response, why) => {
    const cache = cacheOf({ maxEntrySize: 1024 });
    const answer = await fetchVia(cache, request, () => response);
    expect(answer.headers['x-cache']).toBe('MISS');
    expect(answer.outcome.stored).toBe(false);
    expect(answer.outcome.reason).toContain(why);
    expect(answer.headers['cache-status']).toBe(`EdgeLab;fwd=miss;fwd-status=${response.status};stored=?0`);
    expect(cache.stats().entries).toBe(0);
  });

  it.each(['public', 's-maxage=60', 'must-revalidate'])(
    'stores an answer to Authorization when the response says %s',
    async (directive) => {
      const cache = cacheOf();
      const answer = await fetchVia(cache, get('/a', { authorization: 'Bearer x' }), () =>
        origin(200, { 'cache-control': `${directive}, max-age=60` }),
      );
      expect(answer.outcome.stored).toBe(true);
    },
  );

  it('stores Set-Cookie when storeSetCookie allows, and serves the cookie with it', async () => {
    const cache = cacheOf({ storeSetCookie: true });
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=60', 'set-cookie': ['a=1'] }));
    const hit = await cache.lookup(get('/a'));
    expect(hit.kind === 'hit' && hit.answer.headers['set-cookie']).toEqual(['a=1']);
  });

  it('bypasses methods it does not answer, naming the reason in Cache-Status', async () => {
    const cache = cacheOf();
    const answer = await fetchVia(cache, get('/a', {}, 'POST'), () => origin(200, { 'cache-control': 'max-age=60' }));
    expect(words(answer)).toEqual([200, 'BYPASS', 'EdgeLab;fwd=method;fwd-status=200']);
    expect(answer.outcome.reason).toBe('cache: POST is not answered from the cache; invalidated 0 stored responses for its URI -> BYPASS');
  });

  it('drops hop-by-hop fields and those Connection names before storing', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () =>
      origin(200, { 'cache-control': 'max-age=60', connection: 'x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'x-end': '2' }),
    );
    const hit = await cache.lookup(get('/a'));
    const headers = hit.kind === 'hit' ? hit.answer.headers : {};
    expect([headers.connection, headers['x-hop'], headers['keep-alive'], headers['x-end']]).toEqual([undefined, undefined, undefined, '2']);
  });
});

describe('Vary (RFC 9111 section 4.1)', () => {
  it('keeps one response per variant of the selecting headers', async () => {
    const cache = cacheOf();
    const vary = (body: string) => () => origin(200, { 'cache-control': 'max-age=60', vary: 'Accept-Language' }, body);
    await fetchVia(cache, get('/a', { 'accept-language': 'fr' }), vary('bonjour'));
    const other = await fetchVia(cache, get('/a', { 'accept-language': 'de' }), vary('hallo'));
    expect(words(other)).toEqual([200, 'MISS', 'EdgeLab;fwd=vary-miss;fwd-status=200;ttl=60;stored']);
    const fr = await fetchVia(cache, get('/a', { 'accept-language': 'fr' }), vary('wrong'));
    const de = await fetchVia(cache, get('/a', { 'accept-language': ' de ' }), vary('wrong'));
    const none = await fetchVia(cache, get('/a'), vary('neutral'));
    expect([fr.body?.toString(), de.body?.toString(), none.headers['x-cache']]).toEqual(['bonjour', 'hallo', 'MISS']);
    expect(cache.stats().entries).toBe(3);
  });

  it('tells an absent selecting header from an empty one', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a', { 'x-v': '' }), () => origin(200, { 'cache-control': 'max-age=60', vary: 'x-v' }));
    expect((await cache.lookup(get('/a'))).kind).toBe('miss');
    expect((await cache.lookup(get('/a', { 'x-v': '' }))).kind).toBe('hit');
  });

  it('keys on a configured header part without Vary', async () => {
    const cache = cacheOf({ key: ['path', 'header:X-Tenant'] });
    await fetchVia(cache, get('/a', { 'x-tenant': 'one' }), () => origin(200, { 'cache-control': 'max-age=60' }, 'one'));
    const lookup = await cache.lookup(get('/a', { 'x-tenant': 'two' }));
    expect(lookup.kind === 'miss' && lookup.key).toBe('/a\u0000two');
  });
});

describe('validation and the 304 merge (RFC 9111 sections 4.3 and 3.2)', () => {
  it('revalidates a stale response with its validators and serves the stored body on 304, headers updated', async () => {
    const cache = cacheOf();
    const lastModified = httpDate(START - 60_000);
    await fetchVia(cache, get('/a'), () =>
      origin(200, { 'cache-control': 'max-age=10', etag: '"v1"', 'last-modified': lastModified, 'x-old': 'kept' }),
    );
    advance(13);
    // The client's own validators do not reach the origin: a 304 must answer the cache's.
    const answer = await fetchVia(cache, get('/a', { 'if-none-match': '"client"' }), () =>
      origin(
        304,
        { 'cache-control': 'max-age=100', etag: '"v1"', 'x-new': 'added', 'content-length': '0', 'content-type': 'text/x-updated' },
        '',
      ),
    );
    expect(forwarded.at(-1)).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': lastModified });
    expect(words(answer)).toEqual([200, 'REVALIDATED', 'EdgeLab;fwd=stale;fwd-status=304;ttl=100;stored']);
    expect(answer.outcome.reason).toBe(
      'cache: stale by 3 s (max-age=10, age 13 s); the origin answered 304, stored headers updated -> REVALIDATED',
    );
    const { 'x-old': old, 'x-new': added, 'content-length': length, 'content-type': type, age } = answer.headers;
    expect([answer.body?.toString(), old, added, length, type, age]).toEqual(['hello', 'kept', 'added', '5', 'text/x-updated', '0']);
    advance(99);
    expect((await cache.lookup(get('/a'))).kind).toBe('hit');
  });

  it('drops the stored response when the 304 names another validator', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10', etag: '"v1"' }));
    advance(11);
    const answer = await fetchVia(cache, get('/a'), () => origin(304, { etag: '"v2"' }, ''));
    expect(answer.outcome.reason).toContain("the origin's 304 matches no stored validator");
    expect(cache.stats().entries).toBe(0);
  });

  it('replaces the stored response when the origin sends a new one', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10', etag: '"v1"' }, 'old'));
    advance(11);
    const answer = await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10', etag: '"v2"' }, 'new'));
    expect(words(answer)).toEqual([200, 'MISS', 'EdgeLab;fwd=stale;fwd-status=200;ttl=10;stored']);
    const hit = await cache.lookup(get('/a'));
    expect(hit.kind === 'hit' && hit.answer.body?.toString()).toBe('new');
  });

  it("answers a client's own conditional request with 304 from a fresh response", async () => {
    const cache = cacheOf();
    const lastModified = httpDate(START - 60_000);
    await fetchVia(cache, get('/a'), () =>
      origin(200, { 'cache-control': 'max-age=60', etag: 'W/"v1"', 'last-modified': lastModified, 'content-type': 'text/plain' }),
    );
    const byTag = await cache.lookup(get('/a', { 'if-none-match': '"x", "v1"' }));
    const byDate = await cache.lookup(get('/a', { 'if-modified-since': httpDate(START - 1000) }));
    const changed = await cache.lookup(get('/a', { 'if-modified-since': httpDate(START - 120_000) }));
    const answers = [byTag, byDate, changed].map((l) =>
      l.kind === 'hit' ? [l.answer.status, l.answer.body?.length, l.answer.headers['content-type']] : l.kind,
    );
    expect(answers).toEqual([
      [304, undefined, undefined],
      [304, undefined, undefined],
      [200, 5, 'text/plain'],
    ]);
  });

  it("answers a client's conditional miss with 304 once the full response is stored", async () => {
    const cache = cacheOf();
    const answer = await fetchVia(cache, get('/a', { 'if-none-match': '"v1"' }), () =>
      origin(200, { 'cache-control': 'max-age=60', etag: '"v1"' }),
    );
    expect(forwarded[0]['if-none-match']).toBeUndefined();
    expect([answer.status, answer.headers['x-cache'], answer.outcome.stored]).toEqual([304, 'MISS', true]);
  });
});

describe('request directives (RFC 9111 section 5.2.1)', () => {
  it.each<[string, Headers, string]>([
    ['no-cache', { 'cache-control': 'no-cache' }, 'the request says no-cache'],
    ['Pragma: no-cache', { pragma: 'no-cache' }, 'the request says no-cache'],
    ['max-age below the age', { 'cache-control': 'max-age=5' }, 'the request takes at most max-age=5 and the response is 10 s old'],
    ['min-fresh above what is left', { 'cache-control': 'min-fresh=60' }, 'the request wants min-fresh=60 and 50 s are left'],
  ])('%s makes a fresh response revalidate', async (_name, headers, why) => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=60', etag: '"v1"' }));
    advance(10);
    const lookup = await cache.lookup(get('/a', headers));
    expect(lookup.kind === 'revalidate' && [lookup.why, lookup.fwd, lookup.headers['if-none-match']]).toEqual([why, 'request', '"v1"']);
  });

  it('serves stale within max-stale, but not under must-revalidate or s-maxage', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10' }));
    await fetchVia(cache, get('/m'), () => origin(200, { 'cache-control': 'max-age=10, must-revalidate' }));
    await fetchVia(cache, get('/s'), () => origin(200, { 'cache-control': 's-maxage=10' }));
    advance(15);
    const kinds = await Promise.all(
      ['/a', '/m', '/s'].map(async (url) => (await cache.lookup(get(url, { 'cache-control': 'max-stale=10' }))).kind),
    );
    expect(kinds).toEqual(['stale', 'revalidate', 'revalidate']);
    expect((await cache.lookup(get('/a', { 'cache-control': 'max-stale=2' }))).kind).toBe('revalidate');
  });

  it('answers only-if-cached with 504 when nothing usable is stored', async () => {
    const cache = cacheOf();
    const onlyIfCached = { 'cache-control': 'only-if-cached' };
    const empty = await cache.lookup(get('/a', onlyIfCached));
    expect(empty.kind === 'hit' && [...words(empty.answer), empty.answer.headers['x-edgelab-error'], empty.answer.outcome.reason]).toEqual([
      504,
      'MISS',
      'EdgeLab;detail="only-if-cached"',
      'EDGE_NOT_CACHED',
      'cache: only-if-cached, and nothing is stored for this key -> MISS',
    ]);
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10' }));
    const fresh = await cache.lookup(get('/a', onlyIfCached));
    advance(11);
    const stale = await cache.lookup(get('/a', onlyIfCached));
    expect([fresh, stale].map((l) => l.kind === 'hit' && l.answer.status)).toEqual([200, 504]);
  });

  it('lets HEAD use what GET stored', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=60' }));
    expect((await cache.lookup(get('/a', {}, 'HEAD'))).kind).toBe('hit');
  });
});

describe('stale-while-revalidate and stale-if-error (RFC 5861)', () => {
  const swr = { 'cache-control': 'max-age=10, stale-while-revalidate=30', etag: '"v1"' };

  it('answers stale within stale-while-revalidate and hands one request the background refresh', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, swr));
    advance(15);
    const first = await cache.lookup(get('/a'));
    const second = await cache.lookup(get('/a'));
    if (first.kind !== 'stale' || second.kind !== 'stale') throw new Error('expected two stale answers');
    expect(words(first.answer)).toEqual([200, 'STALE', 'EdgeLab;hit;ttl=-5;detail="stale-while-revalidate"']);
    expect(first.answer.outcome.reason).toBe('cache: stale by 5 s, within stale-while-revalidate=30; one background refresh -> STALE');
    expect(second.refresh).toBeUndefined();
    const refresh = first.refresh;
    expect(refresh?.headers['if-none-match']).toBe('"v1"');
    const refreshed = cache.settle(refresh!, origin(304, swr, ''));
    expect(refreshed.outcome.reason).toBe('cache: background refresh; the origin answered 304, stored headers updated -> REVALIDATED');
    expect((await cache.lookup(get('/a'))).kind).toBe('hit');
    // The refresh released the key: the next stale answer hands out a new one.
    advance(15);
    const again = await cache.lookup(get('/a'));
    expect(again.kind === 'stale' && again.refresh !== undefined).toBe(true);
  });

  it('revalidates once the window is over, or when configured off, or under must-revalidate', async () => {
    const on = cacheOf();
    const off = cacheOf({ staleWhileRevalidate: false });
    for (const cache of [on, off]) {
      await fetchVia(cache, get('/a'), () => origin(200, swr));
      await fetchVia(cache, get('/m'), () =>
        origin(200, { ...swr, 'cache-control': 'max-age=10, stale-while-revalidate=30, must-revalidate' }),
      );
    }
    advance(15);
    expect([(await off.lookup(get('/a'))).kind, (await on.lookup(get('/m'))).kind]).toEqual(['revalidate', 'revalidate']);
    advance(25);
    expect((await on.lookup(get('/a'))).kind).toBe('revalidate');
  });

  it('answers stale when the origin fails or answers 5xx within stale-if-error, and passes the error on after it', async () => {
    const cache = cacheOf();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10, stale-if-error=60' }));
    advance(20);
    const errored = await fetchVia(cache, get('/a'), () => origin(503, {}, 'down'));
    expect(words(errored)).toEqual([200, 'STALE', 'EdgeLab;fwd=stale;fwd-status=503;ttl=-10;detail="stale-if-error"']);
    expect(errored.outcome.reason).toBe(
      'cache: stale by 10 s (max-age=10, age 20 s); the origin answered 503; stale by 10 s, within stale-if-error=60 -> STALE',
    );
    const refused = cache.fail(forwardOf(await cache.lookup(get('/a'))), 'the origin refused the connection');
    expect([refused?.status, refused?.headers['cache-status']]).toEqual([200, 'EdgeLab;fwd=stale;ttl=-10;detail="stale-if-error"']);
    advance(60);
    const late = await fetchVia(cache, get('/a'), () => origin(503, {}, 'down'));
    expect([late.status, late.headers['x-cache'], late.body?.toString()]).toEqual([503, 'MISS', 'down']);
    expect(cache.fail(forwardOf(await cache.lookup(get('/a'))), 'refused')).toBeUndefined();
  });

  it('gives no stale answer on error when configured off', async () => {
    const cache = cacheOf({ staleIfError: false });
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10, stale-if-error=60' }));
    advance(20);
    expect((await fetchVia(cache, get('/a'), () => origin(502, {}))).status).toBe(502);
  });
});

describe('invalidation (RFC 9111 section 4.4) and purges', () => {
  const store = async (cache: HttpCache, url: string, host = 'example.com') =>
    fetchVia(cache, get(url, { host }), () => origin(200, { 'cache-control': 'max-age=60' }));
  const stored = (cache: HttpCache) => [...cache.entries()].map((e) => e.host + e.url).sort();

  it('drops the target URI and same-origin Location and Content-Location after an unsafe method succeeds', async () => {
    const cache = cacheOf();
    for (const url of ['/items', '/items/7', '/items/8', '/items/9']) await store(cache, url);
    await store(cache, '/items/7', 'other.example');
    const answer = await fetchVia(cache, get('/items', {}, 'POST'), () =>
      origin(201, { location: '/items/7', 'content-location': 'http://other.example/items/9' }),
    );
    expect(answer.outcome.reason).toContain('invalidated 2 stored responses');
    expect(stored(cache)).toEqual(['example.com/items/8', 'example.com/items/9', 'other.example/items/7']);
  });

  it('keeps everything when the unsafe request failed', async () => {
    const cache = cacheOf();
    await store(cache, '/items');
    await fetchVia(cache, get('/items', {}, 'DELETE'), () => origin(500, {}));
    expect(stored(cache)).toEqual(['example.com/items']);
  });

  it('purges by key (every variant) and by path prefix', async () => {
    const cache = cacheOf();
    for (const url of ['/a', '/static/x.css', '/static/y.css', '/b']) await store(cache, url);
    await store(cache, '/static/z.css', 'other.example');
    expect(cache.purgeKey(get('/a'))).toBe(1);
    expect(cache.purgePrefix('/static/', 'example.com')).toBe(2);
    expect(stored(cache)).toEqual(['example.com/b', 'other.example/static/z.css']);
    expect(cache.purgePrefix('/')).toBe(2);
  });
});

describe('request collapsing (nginx proxy_cache_lock)', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const lockedCache = (timeout = '5s') => cacheOf({ lock: { timeout } });

  it('makes concurrent misses for one key wait on one upstream fetch, then answers them from it', async () => {
    const cache = lockedCache();
    const lookups = Array.from({ length: 5 }, () => Promise.resolve(cache.lookup(get('/a'))));
    const leader = await lookups[0];
    expect(leader.kind === 'miss' && leader.lock !== undefined).toBe(true);
    let answered = 0;
    for (const waiting of lookups.slice(1)) void waiting.then(() => answered++);
    await tick();
    expect([answered, cache.stats().locked]).toEqual([0, 1]);
    cache.settle(forwardOf(leader), origin(200, { 'cache-control': 'max-age=60' }, 'once'));
    const waiters = await Promise.all(lookups.slice(1));
    const answers = waiters.map((w) =>
      w.kind === 'hit' ? [...words(w.answer), w.answer.body?.toString(), w.answer.outcome.collapsed] : w.kind,
    );
    expect(answers).toEqual(Array(4).fill([200, 'COLLAPSED', 'EdgeLab;hit;ttl=60;collapsed', 'once', true]));
    expect(cache.stats().locked).toBe(0);
  });

  it('collapses a herd on an expired response into one revalidation', async () => {
    const cache = lockedCache();
    await fetchVia(cache, get('/a'), () => origin(200, { 'cache-control': 'max-age=10', etag: '"v1"' }));
    advance(11);
    const lookups = [1, 2, 3].map(() => cache.lookup(get('/a')));
    const leader = forwardOf(await lookups[0]);
    expect([leader.kind, leader.headers['if-none-match']]).toEqual(['revalidate', '"v1"']);
    cache.settle(leader, origin(304, { 'cache-control': 'max-age=10', etag: '"v1"' }, ''));
    const kinds = (await Promise.all(lookups.slice(1))).map((w) => (w.kind === 'hit' ? w.answer.headers['x-cache'] : w.kind));
    expect(kinds).toEqual(['COLLAPSED', 'COLLAPSED']);
  });

  it('sends waiters upstream, unstored, once the lock timeout passes', async () => {
    const cache = lockedCache('20ms');
    const leader = forwardOf(await cache.lookup(get('/a', { 'if-none-match': '"mine"' })));
    const waiter = await cache.lookup(get('/a', { 'if-none-match': '"mine"' }));
    if (waiter.kind !== 'miss') throw new Error(`expected a miss, got ${waiter.kind}`);
    expect([waiter.lock, waiter.mayStore, waiter.headers['if-none-match'], waiter.why]).toEqual([
      undefined,
      false,
      '"mine"',
      'waited 20 ms for the request fetching this key (lock timeout)',
    ]);
    const answer = cache.settle(waiter, origin(200, { 'cache-control': 'max-age=60' }));
    expect([answer.headers['x-cache'], answer.outcome.stored, cache.stats().entries]).toEqual(['MISS', false, 0]);
    cache.settle(leader, origin(200, { 'cache-control': 'max-age=60' }));
    expect(cache.stats()).toMatchObject({ entries: 1, locked: 0 });
  });

  it('sends waiters upstream without the lock when the fetch stored nothing or failed', async () => {
    const cache = lockedCache();
    const lookups = [1, 2, 3].map(() => cache.lookup(get('/a')));
    cache.settle(forwardOf(await lookups[0]), origin(200, { 'cache-control': 'private' }));
    const after = await Promise.all(lookups.slice(1));
    expect(after.map((w) => w.kind === 'miss' && w.lock !== undefined)).toEqual([false, false]);
    const failing = [1, 2].map(() => cache.lookup(get('/b')));
    expect(cache.fail(forwardOf(await failing[0]), 'refused')).toBeUndefined();
    expect((await failing[1]).kind).toBe('miss');
    expect(cache.stats().locked).toBe(0);
  });

  it("hit-for-miss: after an answer that could not be stored, the key's misses go upstream at once for 120 s (Varnish), until one is stored", async () => {
    const cache = lockedCache();
    cache.settle(forwardOf(await cache.lookup(get('/a'))), origin(200, {}));
    const herd = [1, 2, 3].map(() => cache.lookup(get('/a')));
    expect(herd.every((l) => !(l instanceof Promise) && l.kind === 'miss' && l.lock === undefined)).toBe(true);
    expect(forwardOf(await herd[0]).why).toMatch(/not collapsed: this key's last answer could not be stored \(hit-for-miss\)$/);
    expect(cache.stats().locked).toBe(0);
    // Another key still collapses, and so does this one once the two minutes are over.
    expect(forwardOf(await cache.lookup(get('/b'))).lock).toBeDefined();
    advance(HIT_FOR_MISS_MS / 1000);
    const after = forwardOf(await cache.lookup(get('/a')));
    expect(after.lock).toBeDefined();
    // A storable answer ends it at once: a marked key that stores collapses its next herd.
    cache.settle(after, origin(200, {}));
    const marked = forwardOf(await cache.lookup(get('/a')));
    expect(marked.lock).toBeUndefined();
    cache.settle(marked, origin(200, { 'cache-control': 'max-age=1' }));
    advance(2);
    expect(forwardOf(await cache.lookup(get('/a'))).lock).toBeDefined();
  });

  it('a request that may not store (no-store) marks nothing, and a purge forgets the mark', async () => {
    const cache = lockedCache();
    cache.settle(forwardOf(await cache.lookup(get('/a', { 'cache-control': 'no-store' }))), origin(200, {}));
    expect(forwardOf(await cache.lookup(get('/a'))).lock).toBeDefined();
    const cache2 = lockedCache();
    cache2.settle(forwardOf(await cache2.lookup(get('/a'))), origin(200, {}));
    cache2.purgeKey(get('/a'));
    expect(forwardOf(await cache2.lookup(get('/a'))).lock).toBeDefined();
  });

  it('leaves misses alone with lock: false', async () => {
    const cache = cacheOf({ lock: false });
    const both = await Promise.all([cache.lookup(get('/a')), cache.lookup(get('/a'))]);
    expect(both.map((l) => l.kind === 'miss' && l.lock !== undefined)).toEqual([false, false]);
  });
});
