/**
 * A caching proxy in the real engine: a client, the proxy node with `cache:`, and a scripted origin on
 * real sockets. The origin counts what reaches it, so "a HIT never went upstream" is a count, not a
 * header; every answer's X-Cache, Cache-Status, trace step and `request.completed` cache are checked.
 * The engine's clock is the real one: freshness runs out in whole seconds (max-age=1 waits ~1 s).
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EventOf } from '../events.ts';
import { rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let origin: RawUpstream | undefined;

afterEach(async () => {
  await running?.stop();
  await origin?.close();
  running = origin = undefined;
});

type Script = (req: IncomingMessage, res: ServerResponse) => void;

async function start(script: Script, cache: Record<string, unknown> = {}): Promise<RunningEngine> {
  origin = await rawUpstream(script);
  running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: 0, to: origin.url, cache }] });
  return running;
}

/** An origin that answers every GET with `headers` and a body naming how many requests it has seen. */
function answering(headers: Record<string, string>, status = 200): Script {
  let n = 0;
  return (req, res) => {
    n++;
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(req.method === 'HEAD' ? undefined : `answer ${n} to ${req.url}`);
  };
}

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(running!.url('edge', path), { method, headers });

/**
 * A conditional GET as a browser revalidating its own copy sends it. Not through fetch: fetch marks a
 * request with If-None-Match `Cache-Control: no-cache` (the Fetch standard's no-store mode), which
 * rightly makes a shared cache go to the origin.
 */
function conditional(path: string, etag: string): Promise<{ status: number; xCache: string | undefined; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(running!.url('edge', path), { headers: { 'if-none-match': etag } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, xCache: res.headers['x-cache'] as string | undefined, etag: res.headers.etag }));
    })
      .on('error', reject)
      .end();
  });
}

function completions(path?: string): Array<EventOf<'request.completed'>> {
  const rids = new Set(
    running!.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received' && (path === undefined || e.path === path)).map((e) => e.rid),
  );
  return running!.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && rids.has(e.rid));
}

const words = async (response: Response) => [response.status, response.headers.get('x-cache'), await response.text()];

describe('a caching proxy', () => {
  it('stores a cacheable answer, then answers from the store without going upstream (HIT, Age, Cache-Status)', async () => {
    await start(answering({ 'cache-control': 'max-age=60', etag: '"v1"' }));
    expect(await words(await get('/a'))).toEqual([200, 'MISS', 'answer 1 to /a']);
    const hit = await get('/a');
    expect(await words(hit)).toEqual([200, 'HIT', 'answer 1 to /a']);
    // The origin's Date has whole seconds, so the apparent age may already round up to 1 (RFC 9111 4.2.3).
    expect(['0', '1']).toContain(hit.headers.get('age'));
    expect(hit.headers.get('cache-status')).toMatch(/^EdgeLab;hit;ttl=(58|59|60)$/);
    expect(origin!.received.map((r) => r.url)).toEqual(['/a']);
    await waitFor(() => (completions('/a').length === 2 ? true : undefined));
    const [miss, served] = completions('/a');
    expect(miss.cache).toMatchObject({ xCache: 'MISS', stored: true, fwdStatus: 200 });
    expect(miss.stages?.find((s) => s.stage === 'cache')?.reason).toBe('cache: nothing stored for this key -> forwarded (miss)');
    expect(served.cache).toMatchObject({ xCache: 'HIT', stored: false, age: Number(hit.headers.get('age')) });
    expect(served.upstream).toBeUndefined();
    expect(served.stages?.map((s) => [s.stage, s.verdict])).toEqual([['cache', 'answer']]);
    expect(served.decision?.reason).toMatch(/^cache: fresh for (58|59|60) s more \(max-age=60, age [01] s\) -> HIT$/);
    // Each answer carries its own request id, not the stored one's.
    expect(hit.headers.get('x-request-id')).toBe(served.rid);
  });

  it('never stores what a shared cache must not (no-store, private, Set-Cookie)', async () => {
    const refused: Array<Record<string, string>> = [{ 'cache-control': 'no-store' }, { 'cache-control': 'private, max-age=60' }, { 'cache-control': 'max-age=60', 'set-cookie': 'a=1' }];
    for (const headers of refused) {
      await start(answering(headers));
      expect((await words(await get('/p')))[1]).toBe('MISS');
      expect(await words(await get('/p'))).toEqual([200, 'MISS', 'answer 2 to /p']);
      await running!.stop();
      await origin!.close();
    }
    running = origin = undefined;
  });

  it('revalidates a stale answer with its ETag and turns the origin 304 into the stored 200 (REVALIDATED)', async () => {
    await start((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=0' });
        return res.end();
      }
      res.writeHead(200, { etag: '"v1"', 'cache-control': 'max-age=0', 'content-type': 'text/plain' });
      res.end('the body');
    });
    expect(await words(await get('/r'))).toEqual([200, 'MISS', 'the body']);
    expect(await words(await get('/r'))).toEqual([200, 'REVALIDATED', 'the body']);
    expect(origin!.received.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
    // The client's own conditional request, current against the stored copy: 304 from the cache.
    expect(await conditional('/r', '"v1"')).toEqual({ status: 304, xCache: 'REVALIDATED', etag: '"v1"' });
    expect(origin!.received).toHaveLength(3);
    // fetch's conditional request says no-cache: the cache asks the origin, as RFC 9111 section 5.2.1.4 wants.
    const revalidated = await get('/r', { 'if-none-match': '"v1"' });
    expect([revalidated.status, revalidated.headers.get('x-cache')]).toEqual([304, 'REVALIDATED']);
    expect(origin!.received).toHaveLength(4);
  });

  it('answers a client whose copy is current with 304 from a fresh entry', async () => {
    await start(answering({ 'cache-control': 'max-age=60', etag: '"abc"' }));
    await (await get('/c')).text();
    expect(await conditional('/c', '"abc"')).toEqual({ status: 304, xCache: 'HIT', etag: '"abc"' });
    expect(origin!.received).toHaveLength(1);
    await waitFor(() => (completions('/c').length === 2 ? true : undefined));
    expect(completions('/c')[1].status).toBe(304);
  });

  it('collapses concurrent misses for one key into one upstream request (COLLAPSED)', async () => {
    const slow = answering({ 'cache-control': 'max-age=60' });
    await start((req, res) => setTimeout(() => slow(req, res), 150), { lock: { timeout: '2s' } });
    const answers = await Promise.all(Array.from({ length: 6 }, () => get('/herd').then(words)));
    expect(origin!.received).toHaveLength(1);
    expect(answers.map((a) => a[1]).sort()).toEqual(['COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'MISS']);
    expect(new Set(answers.map((a) => a[2]))).toEqual(new Set(['answer 1 to /herd']));
    await waitFor(() => (completions('/herd').length === 6 ? true : undefined));
    expect(completions('/herd').filter((e) => e.cache?.collapsed)).toHaveLength(5);
  });

  it('answers stale within stale-while-revalidate and refreshes once in the background', async () => {
    // The first answer is fresh for 1 s; the refresh's for a minute, so the HIT at the end does not
    // depend on where in its second the refresh landed (Date has whole seconds: its age may be ~1 s).
    let answered = 0;
    await start((req, res) => {
      answered++;
      const maxAge = answered === 1 ? 1 : 60;
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': `max-age=${maxAge}, stale-while-revalidate=30`, etag: '"s"' });
      res.end(`answer ${answered} to ${req.url}`);
    });
    await (await get('/s')).text();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const [first, second] = await Promise.all([get('/s').then(words), get('/s').then(words)]);
    expect([first, second]).toEqual([
      [200, 'STALE', 'answer 1 to /s'],
      [200, 'STALE', 'answer 1 to /s'],
    ]);
    const refresh = await waitFor(() => running!.events.find((e): e is EventOf<'cache.refresh'> => e.type === 'cache.refresh'));
    expect(refresh).toMatchObject({ node: 'edge', status: 200, cache: { xCache: 'MISS', stored: true } });
    expect(origin!.received).toHaveLength(2);
    expect(origin!.received[1].headers['x-request-id']).toBe(refresh.rid);
    expect(await words(await get('/s'))).toEqual([200, 'HIT', 'answer 2 to /s']);
  });

  it('keeps the site up with a stale answer when the origin fails, within stale-if-error', async () => {
    let down = false;
    const up = answering({ 'cache-control': 'max-age=1, stale-if-error=60' });
    await start((req, res) => (down ? res.socket?.destroy() : up(req, res)));
    await (await get('/e')).text();
    down = true;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stale = await get('/e');
    expect(await words(stale)).toEqual([200, 'STALE', 'answer 1 to /e']);
    expect(stale.headers.get('cache-status')).toContain('fwd=stale');
    await waitFor(() => (completions('/e').length === 2 ? true : undefined));
    expect(completions('/e')[1]).toMatchObject({ status: 200, cache: { xCache: 'STALE' } });
    expect(completions('/e')[1].error).toBeUndefined();
  });

  it('an unsafe method goes through (BYPASS) and invalidates the stored URI', async () => {
    await start(answering({ 'cache-control': 'max-age=60' }));
    await (await get('/u')).text();
    expect((await words(await get('/u')))[1]).toBe('HIT');
    const post = await get('/u', {}, 'POST');
    expect(post.headers.get('x-cache')).toBe('BYPASS');
    await post.text();
    expect((await words(await get('/u')))[1]).toBe('MISS');
    expect(origin!.received.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('streams a body larger than maxEntrySize past the cache, whole, and stores nothing', async () => {
    const big = 'x'.repeat(64 * 1024);
    await start(
      (_req, res) => {
        res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
        res.end(big);
      },
      { maxEntrySize: '16kb', maxSize: '1mb' },
    );
    for (let i = 0; i < 2; i++) {
      const response = await get('/big');
      expect([response.headers.get('x-cache'), (await response.text()).length]).toEqual(['MISS', big.length]);
    }
    expect(origin!.received).toHaveLength(2);
    expect(running!.engine.topology().find((n) => n.id === 'edge')?.cache).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('streams an answer its head says it will not store, without holding the body', async () => {
    // The origin sends its head and a first chunk, then waits until the client has that chunk: a proxy
    // that held the body for the cache would never pass it on, and the origin would end after 2 s alone.
    let clientHasFirst: () => void = () => {};
    const firstArrived = new Promise<void>((resolve) => (clientHasFirst = resolve));
    let endedAlone = false;
    await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      const alone = setTimeout(() => (endedAlone = true), 2000);
      void Promise.race([firstArrived, new Promise((resolve) => setTimeout(resolve, 2000))]).then(() => {
        clearTimeout(alone);
        res.end('second');
      });
    });
    const body = await new Promise<{ xCache: unknown; text: string }>((resolve, reject) => {
      request(running!.url('edge', '/api/1'), (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text === 'first,') clientHasFirst();
        });
        res.on('end', () => resolve({ xCache: res.headers['x-cache'], text }));
      })
        .on('error', reject)
        .end();
    });
    expect([body, endedAlone]).toEqual([{ xCache: 'MISS', text: 'first,second' }, false]);
    await waitFor(() => completions('/api/1')[0]);
    expect(completions('/api/1')[0].cache?.reason).toContain('not stored: never fresh, no validator');
  });

  it('shows its entries, counts and hit ratio in the topology, and purges by prefix or URL', async () => {
    await start(answering({ 'cache-control': 'max-age=60' }));
    for (const path of ['/users/1', '/users/2', '/orders/1', '/users/1']) await (await get(path)).text();
    const view = running!.engine.topology().find((n) => n.id === 'edge')?.cache;
    expect(view).toMatchObject({ entries: 3, words: { HIT: 1, MISS: 3 }, hitRatio: 0.25 });
    expect(view?.items.map((i) => i.url)).toEqual(['/users/1', '/orders/1', '/users/2']);
    expect(view?.items[0]).toMatchObject({ status: 200, lifetime: 60 });
    expect(view?.history.reduce((sum, s) => sum + s.lookups, 0)).toBe(4);

    expect(running!.engine.purgeCache('edge', { prefix: '/users/' })).toBe(2);
    expect(running!.engine.purgeCache('edge', { url: '/orders/1' })).toBe(1);
    expect(running!.events.filter((e: EngineEvent) => e.type === 'cache.purged').map((e) => (e as EventOf<'cache.purged'>).entries)).toEqual([2, 1]);
    expect((await words(await get('/users/1')))[1]).toBe('MISS');
    expect(() => running!.engine.purgeCache('nobody', { prefix: '/' })).toThrow('no node "nobody"');
  });

  it('keeps its store across a config that keeps its settings, and starts empty with new ones', async () => {
    await start(answering({ 'cache-control': 'max-age=60' }));
    await (await get('/k')).text();
    const config = (cache: Record<string, unknown>) => ({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: running!.port('edge'), to: origin!.url, cache, label: 'renamed' }] });
    const { validateConfig } = await import('../config/validate.ts');
    const apply = async (input: unknown) => {
      const result = validateConfig(input);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      await running!.engine.apply(result.config, input);
    };
    await apply(config({}));
    expect((await words(await get('/k')))[1]).toBe('HIT');
    await apply(config({ maxSize: '2mb' }));
    expect((await words(await get('/k')))[1]).toBe('MISS');
  });
});

describe('a caching proxy and a hostile origin', () => {
  /** A raw TCP origin that writes `raw` (a whole HTTP response, possibly lying) to each connection's first request. */
  async function rawOrigin(raw: (n: number) => string): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
    let n = 0;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('data', () => {
        n++;
        socket.end(raw(n));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      hits: () => n,
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
  }

  async function behind(raw: (n: number) => string) {
    const hostile = await rawOrigin(raw);
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: 0, to: hostile.url, cache: {} }] });
    return hostile;
  }

  it('an origin that sends less than its Content-Length: 502 to the client, nothing stored', async () => {
    const hostile = await behind(() => 'HTTP/1.1 200 OK\r\ncache-control: max-age=60\r\ncontent-length: 100\r\n\r\nonly half');
    try {
      expect((await get('/short')).status).toBe(502);
      expect((await get('/short')).status).toBe(502);
      expect(hostile.hits()).toBe(2);
      expect(running!.engine.topology()[0].cache).toMatchObject({ entries: 0 });
    } finally {
      await hostile.close();
    }
  });

  it('a head too large for the proxy to read: 502, as nginx answers "upstream sent too big header"', async () => {
    const vary = Array.from({ length: 3000 }, (_, i) => `x-h${i}`).join(', ');
    const hostile = await behind(() => `HTTP/1.1 200 OK\r\ncache-control: max-age=60\r\nvary: ${vary}\r\ncontent-length: 2\r\n\r\nok`);
    try {
      const answer = await get('/huge');
      expect([answer.status, answer.headers.get('x-edgelab-error')]).toEqual([502, 'EDGE_UPSTREAM_PROTOCOL']);
      expect(running!.engine.topology()[0].cache).toMatchObject({ entries: 0 });
    } finally {
      await hostile.close();
    }
  });

  it('unparseable Cache-Control and a long Vary: answered, and never served to another request', async () => {
    const vary = Array.from({ length: 500 }, (_, i) => `x-h${i}`).join(', ');
    const hostile = await behind(
      (n) => `HTTP/1.1 200 OK\r\ncache-control: max-age="60, ,,=,;;, s-maxage=x\r\nvary: ${vary}\r\ncontent-length: 6\r\n\r\nbody-${n}`,
    );
    try {
      const first = await get('/odd');
      expect([first.status, await first.text()]).toEqual([200, 'body-1']);
      const second = await get('/odd', { 'x-h7': 'other' });
      expect([second.status, await second.text()]).toEqual([200, 'body-2']);
      expect(hostile.hits()).toBe(2);
    } finally {
      await hostile.close();
    }
  });
});
