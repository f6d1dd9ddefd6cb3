/**
 * The cache's pieces together on real sockets: a scripted origin (node:http on 127.0.0.1, port 0) behind
 * a harness proxy that uses the cache as the proxy stage will (lookup, forward, settle, background
 * refresh), and a real client. The origin counts what reaches it; the clock is injected (the origin
 * writes its Date from it too), so ages are exact.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheSchema } from '../../config/proxy/cache.ts';
import type { CacheAnswer } from './answers.ts';
import { createHttpCache, type CacheForward, type HttpCache } from './http-cache.ts';
import type { Headers, OriginResponse } from './types.ts';

const START = Date.parse('Sun, 06 Dec 2026 12:00:00 GMT');
let clock = START;
const now = () => clock;
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding'];

/** What the origin answers per path; each call sees the request that reached it. */
type Script = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let script: Script;
let originHits: string[];
let origin: http.Server;
let proxy: http.Server;
let cache: HttpCache;
/** Background refreshes in flight, so a test can wait for them. */
let refreshes: Promise<unknown>[];
/** Requests that reached the proxy's lookup. */
let arrived: number;

const listen = async (server: http.Server) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
};

/** Sends the forward to the origin and buffers its answer (the harness's forward step). */
function forward(lookup: CacheForward, originPort: number): Promise<OriginResponse> {
  const requestTime = clock;
  const headers = { ...lookup.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: originPort, method: lookup.request.method, path: lookup.request.url, headers },
      (res) => {
        const responseTime = clock;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            headers: res.headers as Headers,
            body: Buffer.concat(chunks),
            requestTime,
            responseTime,
          }),
        );
      },
    );
    upstream.on('error', reject);
    upstream.end();
  });
}

function send(res: http.ServerResponse, answer: CacheAnswer): void {
  const headers = { ...answer.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  res.writeHead(answer.status, headers as http.OutgoingHttpHeaders);
  res.end(answer.body);
}

beforeEach(async () => {
  clock = START;
  originHits = [];
  refreshes = [];
  arrived = 0;
  origin = http.createServer((req, res) => {
    originHits.push(`${req.method} ${req.url}${req.headers['if-none-match'] ? ` ${req.headers['if-none-match']}` : ''}`);
    res.setHeader('date', new Date(clock).toUTCString());
    script(req, res);
  });
  const originPort = await listen(origin);
  cache = createHttpCache(CacheSchema.parse({ lock: { timeout: '5s' } }), { now });
  proxy = http.createServer(async (req, res) => {
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers as Headers };
    arrived++;
    const lookup = await cache.lookup(request);
    if (lookup.kind === 'hit' || lookup.kind === 'stale') {
      if (lookup.kind === 'stale' && lookup.refresh) {
        const refresh = lookup.refresh;
        refreshes.push(
          forward(refresh, originPort).then(
            (response) => cache.settle(refresh, response),
            (error: Error) => cache.fail(refresh, error.message),
          ),
        );
      }
      return send(res, lookup.answer);
    }
    req.resume();
    try {
      send(res, cache.settle(lookup, await forward(lookup, originPort)));
    } catch (error) {
      const stale = cache.fail(lookup, (error as Error).message);
      if (stale) return send(res, stale);
      res.writeHead(502).end();
    }
  });
  await listen(proxy);
});

afterEach(async () => {
  proxy.closeAllConnections();
  origin.closeAllConnections();
  await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => origin.close(r))]);
});

const url = (path: string) => `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${path}`;
const fetchText = async (path: string, init?: RequestInit) => {
  const response = await fetch(url(path), init);
  return {
    status: response.status,
    xCache: response.headers.get('x-cache'),
    age: response.headers.get('age'),
    body: await response.text(),
  };
};

describe('the cache on real sockets', () => {
  it('answers a repeat from the store with its Age, and a POST invalidates it', async () => {
    let version = 1;
    script = (req, res) => {
      if (req.method === 'POST') version++;
      res
        .writeHead(req.method === 'POST' ? 204 : 200, { 'cache-control': 'max-age=60' })
        .end(req.method === 'POST' ? undefined : `v${version}`);
    };
    expect(await fetchText('/item')).toEqual({ status: 200, xCache: 'MISS', age: '0', body: 'v1' });
    clock += 7000;
    expect(await fetchText('/item')).toEqual({ status: 200, xCache: 'HIT', age: '7', body: 'v1' });
    expect((await fetchText('/item', { method: 'POST' })).xCache).toBe('BYPASS');
    expect(await fetchText('/item')).toMatchObject({ xCache: 'MISS', body: 'v2' });
    expect(originHits).toEqual(['GET /item', 'POST /item', 'GET /item']);
  });

  it('collapses a herd of concurrent misses into one origin request', async () => {
    const held: http.ServerResponse[] = [];
    script = (_req, res) => held.push(res);
    const herd = Array.from({ length: 6 }, () => fetchText('/hot'));
    // Every request has looked up (and all but one wait on the lock) before the origin answers.
    while (held.length === 0 || arrived < 6) await new Promise((r) => setTimeout(r, 5));
    held[0].writeHead(200, { 'cache-control': 'max-age=60' }).end('hot');
    const answers = await Promise.all(herd);
    expect(answers.map((a) => a.xCache).sort()).toEqual(['COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'MISS']);
    expect(answers.every((a) => a.body === 'hot')).toBe(true);
    expect(originHits).toEqual(['GET /hot']);
  });

  it('revalidates with the ETag and serves the stored body on 304; answers stale while one refresh runs', async () => {
    script = (req, res) => {
      if (req.headers['if-none-match'] === '"a"')
        return void res.writeHead(304, { etag: '"a"', 'cache-control': 'max-age=10, stale-while-revalidate=60' }).end();
      res.writeHead(200, { etag: '"a"', 'cache-control': 'max-age=10' }).end('body-a');
    };
    await fetchText('/doc');
    clock += 12_000;
    expect(await fetchText('/doc')).toEqual({ status: 200, xCache: 'REVALIDATED', age: '0', body: 'body-a' });
    clock += 15_000;
    const stale = await Promise.all([fetchText('/doc'), fetchText('/doc')]);
    expect(stale.map((a) => [a.xCache, a.body])).toEqual([
      ['STALE', 'body-a'],
      ['STALE', 'body-a'],
    ]);
    await Promise.all(refreshes);
    expect(refreshes).toHaveLength(1);
    expect((await fetchText('/doc')).xCache).toBe('HIT');
    expect(originHits).toEqual(['GET /doc', 'GET /doc "a"', 'GET /doc "a"']);
  });

  it('answers stale when the origin is gone, within stale-if-error', async () => {
    script = (_req, res) => void res.writeHead(200, { 'cache-control': 'max-age=10, stale-if-error=300' }).end('kept');
    await fetchText('/up');
    origin.closeAllConnections();
    await new Promise((r) => origin.close(r));
    clock += 30_000;
    expect(await fetchText('/up')).toEqual({ status: 200, xCache: 'STALE', age: '30', body: 'kept' });
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
  });
});
