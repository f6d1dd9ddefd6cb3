/**
 * The proxy rules at every hop, on real sockets: hop-by-hop headers in both directions,
 * X-Forwarded-For, Via, the request id, client aborts, and the 502/503/504 mapping with stable codes.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../events.ts';
import { freePort, rawHttp, rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let upstream: RawUpstream | undefined;
let origin: RawOrigin | undefined;
afterEach(async () => {
  await running?.stop();
  await upstream?.close();
  await origin?.close();
  running = upstream = origin = undefined;
});

const oneProxy = (to: string, extra: Record<string, unknown> = {}) => ({
  version: 1,
  nodes: [{ id: 'edge', kind: 'proxy', to, ...extra }],
});

const completed = (r: RunningEngine, node: string) =>
  r.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.node === node);

interface RawOrigin {
  url: string;
  /** How many connections to it are open. */
  open(): number;
  close(): Promise<void>;
}

/** A proxy in front of a raw origin that answers `answer` (rawOrigin); both stop after the test. Its port. */
async function proxyBefore(answer: string, options: { keepOpen?: boolean } = {}): Promise<number> {
  origin = await rawOrigin(answer, options);
  running = await startEngine(oneProxy(origin.url));
  return running.port('edge');
}

/**
 * An origin that answers every request with `answer`, raw bytes as written (what a Node server would
 * not send), and closes; with `keepOpen`, it leaves the connection to the proxy to close.
 */
async function rawOrigin(answer: string, options: { keepOpen?: boolean } = {}): Promise<RawOrigin> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => (options.keepOpen ? socket.write(answer) : socket.end(answer)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('hop-by-hop headers', () => {
  it('removes Connection, the fields it names, and the fixed hop-by-hop fields from the request', async () => {
    upstream = await rawUpstream((_req, res) => res.end('ok'));
    running = await startEngine(oneProxy(upstream.url));
    const res = await rawHttp(
      running.port('edge'),
      'GET /a HTTP/1.1\r\nHost: lab\r\nConnection: close, X-Secret, x-other\r\nX-Secret: 1\r\nX-Other: 2\r\nKeep-Alive: timeout=9\r\n' +
        'Proxy-Connection: keep-alive\r\nTE: gzip\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n',
    );
    expect(res.status).toBe(200);
    const seen = upstream.received[0].headers;
    for (const name of ['x-secret', 'x-other', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'transfer-encoding']) {
      expect(seen, name).not.toHaveProperty(name);
    }
    expect(seen['connection']).not.toMatch(/x-secret|x-other|close/i);
    expect(seen['x-kept']).toBe('yes');
    expect(seen.host).toBe('lab');
  });

  it.each([
    ['HTTP/1.1', 'trailers', 'trailers'],
    ['HTTP/1.1', 'gzip;q=0.5, Trailers', 'trailers'],
    ['HTTP/1.1', 'gzip', undefined],
    // An HTTP/1.0 client takes no chunked body, so no trailer section either.
    ['HTTP/1.0', 'trailers', undefined],
  ])('an %s client\'s TE: %s goes on as %s: TE is hop-by-hop, but the client\'s "trailers" holds for the whole chain (RFC 9110 section 10.1.4)', async (version, te, seen) => {
    upstream = await rawUpstream((_req, res) => res.end('ok'));
    running = await startEngine(oneProxy(upstream.url));
    const res = await rawHttp(running.port('edge'), `GET /a ${version}\r\nHost: lab\r\nTE: ${te}\r\nConnection: TE, close\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(upstream.received[0].headers.te).toBe(seen);
  });

  it('keeps Host when Connection names it: it carries the target URI\'s authority, which every hop must send (RFC 9112 section 3.2)', async () => {
    upstream = await rawUpstream((_req, res) => res.end('ok'));
    running = await startEngine(oneProxy(upstream.url));
    const res = await rawHttp(running.port('edge'), 'GET /a HTTP/1.1\r\nHost: lab\r\nConnection: Host, X-Gone, close\r\nX-Gone: 1\r\n\r\n');
    expect(res.status).toBe(200);
    expect(upstream.received[0].headers).toMatchObject({ host: 'lab', 'x-forwarded-host': 'lab' });
    expect(upstream.received[0].headers).not.toHaveProperty('x-gone');
  });

  it('removes them from the response too, and streams a chunked body through', async () => {
    upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { connection: 'x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=1', 'proxy-connection': 'x', upgrade: 'foo', 'x-end': 'kept' });
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 20);
    });
    running = await startEngine(oneProxy(upstream.url));
    const res = await rawHttp(running.port('edge'), 'GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    for (const name of ['x-hop', 'keep-alive', 'proxy-connection', 'upgrade']) expect(res.headers, name).not.toHaveProperty(name);
    expect(res.headers['x-end']).toBe('kept');
    expect(res.body).toContain('part one, ');
    expect(res.body).toContain('part two');
  });

  it('reads a Connection field sent twice as one list, and passes repeated end-to-end fields, and fields named like an object\'s own, as they came', async () => {
    // Raw bytes: two Connection fields (RFC 9110 section 5.3 lets a list field repeat), two Set-Cookie, two X-Tag.
    const port = await proxyBefore(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nConnection: X-Secret\r\nX-Secret: 1\r\n' +
        'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Tag: one\r\nX-Tag: two\r\nConstructor: c\r\nToString: t\r\n__proto__: p\r\n\r\nok',
    );
    const res = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
    expect(res.headers).not.toHaveProperty('x-secret');
    expect(res.raw).toContain('set-cookie: a=1\r\nset-cookie: b=2\r\n');
    expect(res.raw).toMatch(/x-tag: one, two\r\n|x-tag: one\r\nx-tag: two\r\n/);
    expect(res.headers.via).toBe('1.1 edge');
    // Field names the prototype of an object has pass as fields like any other.
    expect(res.raw).toMatch(/constructor: c\r\n/i);
    expect(res.raw).toMatch(/tostring: t\r\n/i);
    expect(res.raw).toMatch(/__proto__: p\r\n/i);
  });

  it('passes a 103 Early Hints on with its Link fields before the final answer (RFC 9110 section 15.2)', async () => {
    const port = await proxyBefore('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const res = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.raw).toMatch(/^HTTP\/1\.1 103 Early Hints\r\n[Ll]ink: <\/style\.css>; rel=preload; as=style\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(res.raw.endsWith('\r\n\r\nok')).toBe(true);
  });

  describe('trailers (RFC 9110 section 6.5)', () => {
    const chunkedWithTrailer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 42\r\n\r\n';

    it('passes trailer fields on to an HTTP/1.1 client, after a chunked body, with their Trailer announcement', async () => {
      const port = await proxyBefore(chunkedWithTrailer);
      const res = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: lab\r\nTE: trailers\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(200);
      expect(res.headers.trailer).toBe('X-Sum');
      expect(res.headers['transfer-encoding']).toBe('chunked');
      expect(res.body).toMatch(/^2\r\nok\r\n0\r\nx-sum: 42\r\n\r\n$/i);
    });

    it.each([
      ['a Content-Length body', 'HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nContent-Length: 2\r\n\r\nok', 'GET / HTTP/1.1', 'ok'],
      ['an HTTP/1.0 client, which takes no chunked body', chunkedWithTrailer, 'GET / HTTP/1.0', 'ok'],
      ['a HEAD', 'HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nContent-Length: 2\r\n\r\n', 'HEAD / HTTP/1.1', ''],
    ])('drops a Trailer announcement that cannot hold on %s (Node refuses a head that promises trailers it will not send: a 502 for a good answer)', async (_case, answer, line, body) => {
      const port = await proxyBefore(answer);
      const res = await rawHttp(port, `${line}\r\nHost: lab\r\nConnection: close\r\n\r\n`);
      expect(res.raw.slice(0, res.raw.indexOf('\r\n'))).toMatch(/^HTTP\/1\.1 200 OK$/);
      expect(res.headers).not.toHaveProperty('trailer');
      expect(res.body).toBe(body);
      expect(completed(running!, 'edge')[0]).toMatchObject({ status: 200 });
    });

    it('drops a request Trailer announcement: the body goes on without its trailer section', async () => {
      upstream = await rawUpstream((req, res) => req.resume().on('end', () => res.end('ok')));
      running = await startEngine(oneProxy(upstream.url));
      const res = await rawHttp(
        running.port('edge'),
        'POST / HTTP/1.1\r\nHost: lab\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 1\r\n\r\n',
      );
      expect(res.status).toBe(200);
      expect(upstream.received[0].headers).not.toHaveProperty('trailer');
    });
  });

  it.each([
    ['a 100 Continue to a request that sent no Expect', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['a 101 to a request that asked for no upgrade', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello'],
    // RFC 9112 section 6.3: an invalid length is an unrecoverable error (nginx 1.22 passes the second value on).
    ['two Content-Length fields that differ', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk'],
    ['a Content-Length list', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok'],
    ['Content-Length with Transfer-Encoding (section 6.1: "ought to be handled as an error")', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
  ])('answers 502 EDGE_UPSTREAM_PROTOCOL to %s, and closes that upstream connection', async (_case, answer) => {
    const port = await proxyBefore(answer, { keepOpen: true });
    const res = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(502);
    expect(res.headers['x-edgelab-error']).toBe('EDGE_UPSTREAM_PROTOCOL');
    await waitFor(() => origin!.open() === 0 || undefined, 5_000, 'the upstream connection to close');
  });

  it('passes other 1xx answers on too, without their hop-by-hop fields (RFC 9110 section 15.2: a proxy MUST forward them)', async () => {
    const port = await proxyBefore(
      'HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 199 Misc\r\nX-Note: a\r\nConnection: X-Hop\r\nX-Hop: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );
    const res = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.raw).toMatch(/^HTTP\/1\.1 102 Processing\r\n\r\nHTTP\/1\.1 199 Misc\r\nx-note: a\r\n\r\nHTTP\/1\.1 200 OK\r\n/i);
    expect(res.raw.endsWith('\r\n\r\nok')).toBe(true);
    const old = await rawHttp(port, 'GET / HTTP/1.0\r\nHost: lab\r\n\r\n');
    expect(old.raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('sends no 103 to an HTTP/1.0 client, which knows no 1xx (RFC 9110 section 15.2): the final answer alone', async () => {
    const port = await proxyBefore('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const res = await rawHttp(port, 'GET / HTTP/1.0\r\nHost: lab\r\n\r\n');
    expect(res.raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(res.raw).not.toContain('103');
    expect(res.body).toBe('ok');
  });

  it('answers Expect: 100-continue itself and forwards the body without it', async () => {
    upstream = await rawUpstream((req, res) => req.resume().on('end', () => res.end('stored')));
    running = await startEngine(oneProxy(upstream.url));
    const res = await rawHttp(
      running.port('edge'),
      'PUT /doc HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    expect(res.raw.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true);
    expect(upstream.received[0].headers).not.toHaveProperty('expect');
  });

  it('streams a request body to the upstream unchanged', async () => {
    let body = '';
    upstream = await rawUpstream((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => res.end(`got ${body.length}`));
    });
    running = await startEngine(oneProxy(upstream.url));
    const payload = 'x'.repeat(300_000);
    const res = await fetch(running.url('edge', '/upload'), { method: 'POST', body: payload });
    expect(await res.text()).toBe('got 300000');
    expect(body).toBe(payload);
  });
});

describe('forwarding headers across the chain', () => {
  const chain = (serviceUrl: string) => ({
    version: 1,
    nodes: [
      { id: 'edge', kind: 'proxy', to: 'api' },
      { id: 'api', kind: 'gateway', routes: [{ match: { path: '/users/*' }, to: 'users' }] },
      { id: 'users', kind: 'balancer', targets: [serviceUrl] },
    ],
  });

  it('appends the peer to X-Forwarded-For at every hop, adds Via per hop, keeps one request id', async () => {
    upstream = await rawUpstream((_req, res) => res.end('{}'));
    running = await startEngine(chain(upstream.url));
    const res = await rawHttp(
      running.port('edge'),
      'GET /users/7 HTTP/1.1\r\nHost: lab\r\nX-Forwarded-For: 203.0.113.9\r\nVia: 1.0 corp-proxy\r\nConnection: close\r\n\r\n',
      '127.0.9.4',
    );
    expect(res.status).toBe(200);
    const seen = upstream.received[0].headers;
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.9.4, 127.0.0.1, 127.0.0.1');
    expect(seen.via).toBe('1.0 corp-proxy, 1.1 edge, 1.1 api, 1.1 users');
    expect(seen.forwarded).toMatch(/^for=127\.0\.9\.4;by="127\.0\.0\.1:\d+";proto=http;host=lab, for=127\.0\.0\.1;/);
    expect(res.headers.via).toBe('1.1 users, 1.1 api, 1.1 edge');
    const rid = res.headers['x-request-id'];
    expect(rid).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen['x-request-id']).toBe(rid);
    const received = running.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received');
    expect(received.map((e) => [e.node, e.from, e.rid])).toEqual([
      ['edge', 'client', rid],
      ['api', 'edge', rid],
      ['users', 'api', rid],
    ]);
    expect(received[0].peer).toBe('127.0.9.4');
  });

  it('passes trailers back through every hop, and the client\'s TE: trailers on to the upstream', async () => {
    upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { trailer: 'X-Sum' });
      res.write('ok');
      res.addTrailers({ 'x-sum': '42' });
      res.end();
    });
    running = await startEngine(chain(upstream.url));
    const res = await rawHttp(running.port('edge'), 'GET /users/7 HTTP/1.1\r\nHost: lab\r\nTE: trailers\r\nConnection: TE, close\r\n\r\n');
    expect(res.headers.trailer).toBe('X-Sum');
    expect(res.body).toMatch(/^2\r\nok\r\n0\r\nx-sum: 42\r\n\r\n$/i);
    expect(upstream.received[0].headers.te).toBe('trailers');
  });

  it('replaces a malformed Forwarded from the client, so that every hop after it adds a readable element', async () => {
    upstream = await rawUpstream((_req, res) => res.end('{}'));
    running = await startEngine(chain(upstream.url));
    const res = await rawHttp(running.port('edge'), 'GET /users/7 HTTP/1.1\r\nHost: lab\r\nForwarded: for="unterminated\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    const elements = (upstream.received[0].headers.forwarded as string).split(', ');
    expect(elements).toHaveLength(3);
    for (const element of elements) expect(element).toMatch(/^for=127\.0\.0\.1;by="127\.0\.0\.1:\d+";proto=http;host=lab$/);
  });

  it('propagates a well-formed incoming request id and replaces a hostile one', async () => {
    upstream = await rawUpstream((_req, res) => res.end('{}'));
    running = await startEngine(chain(upstream.url));
    const good = await fetch(running.url('edge', '/users/1'), { headers: { 'x-request-id': 'trace-42' } });
    expect(good.headers.get('x-request-id')).toBe('trace-42');
    expect(upstream.received[0].headers['x-request-id']).toBe('trace-42');
    const bad = await fetch(running.url('edge', '/users/1'), { headers: { 'x-request-id': 'a b <script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('failures map to stable codes', () => {
  it('502 EDGE_UPSTREAM_REFUSED when nothing listens', async () => {
    running = await startEngine(oneProxy(`http://127.0.0.1:${await freePort()}`));
    const res = await fetch(running.url('edge', '/x'));
    expect(res.status).toBe(502);
    expect(res.headers.get('x-edgelab-error')).toBe('EDGE_UPSTREAM_REFUSED');
    expect(await res.json()).toMatchObject({ error: 'EDGE_UPSTREAM_REFUSED' });
    expect(completed(running, 'edge')[0]).toMatchObject({ status: 502, error: 'EDGE_UPSTREAM_REFUSED' });
  });

  it('502 EDGE_UPSTREAM_RESET when the upstream drops the connection', async () => {
    upstream = await rawUpstream((req) => req.socket.destroy());
    running = await startEngine(oneProxy(upstream.url));
    const res = await fetch(running.url('edge', '/x'), { method: 'POST', body: 'not idempotent' });
    expect(res.status).toBe(502);
    expect(res.headers.get('x-edgelab-error')).toBe('EDGE_UPSTREAM_RESET');
  });

  it('502 EDGE_UPSTREAM_PROTOCOL when the upstream speaks garbage', async () => {
    const { createServer } = await import('node:net');
    const garbage = createServer((socket) => socket.end('SPEAK FRIEND\r\n\r\n'));
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    try {
      running = await startEngine(oneProxy(`http://127.0.0.1:${(garbage.address() as { port: number }).port}`));
      const res = await fetch(running.url('edge', '/x'));
      expect(res.status).toBe(502);
      expect(res.headers.get('x-edgelab-error')).toBe('EDGE_UPSTREAM_PROTOCOL');
    } finally {
      garbage.close();
    }
  });

  it('504 EDGE_UPSTREAM_TIMEOUT when the upstream never answers, at the configured timeout', async () => {
    upstream = await rawUpstream(() => {});
    running = await startEngine(oneProxy(upstream.url, { timeouts: { response: '300ms' } }));
    const started = performance.now();
    const res = await fetch(running.url('edge', '/x'));
    const took = performance.now() - started;
    expect(res.status).toBe(504);
    expect(res.headers.get('x-edgelab-error')).toBe('EDGE_UPSTREAM_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3_000);
  });

  it('503 EDGE_NO_TARGET with Retry-After when the balancer has no target with an address', async () => {
    const blocker = await rawUpstream((_req, res) => res.end());
    try {
      running = await startEngine(
        {
          version: 1,
          nodes: [
            { id: 'lb', kind: 'balancer', targets: ['s1'] },
            { id: 's1', kind: 'service', listen: blocker.port },
          ],
          traffic: [{ to: 'lb', rate: 1 }],
        },
        { allowFailures: true, retryFailedMs: 100 },
      );
      const res = await fetch(running.url('lb', '/x'));
      expect(res.status).toBe(503);
      expect(res.headers.get('x-edgelab-error')).toBe('EDGE_NO_TARGET');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(running.engine.topology().find((n) => n.id === 's1')).toMatchObject({ state: 'failed', reason: `port ${blocker.port} is already in use` });
      // When the port frees, the node starts by itself and the balancer can pick it again.
      await blocker.close();
      await waitFor(() => running!.engine.topology().find((n) => n.id === 's1')?.state === 'up' || undefined, 5_000, 's1 to recover');
      expect((await fetch(running.url('lb', '/x'))).status).toBe(200);
    } finally {
      await blocker.close();
    }
  });

  it('404 EDGE_NO_ROUTE when no gateway route matches', async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'api', kind: 'gateway', routes: [{ match: { path: '/users/*', method: 'GET' }, to: 's' }] },
        { id: 's', kind: 'service' },
      ],
    });
    expect((await fetch(running.url('api', '/users/1'))).status).toBe(200);
    const wrongMethod = await fetch(running.url('api', '/users/1'), { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.headers.get('x-edgelab-error')).toBe('EDGE_NO_ROUTE');
    expect((await fetch(running.url('api', '/orders'))).status).toBe(404);
    expect(completed(running, 'api').at(-1)).toMatchObject({ status: 404, error: 'EDGE_NO_ROUTE', decision: { stage: 'route', reason: expect.stringMatching(/^no route matches GET \/orders/) } });
  });
});

describe('client abort', () => {
  it('propagates upstream: the upstream request is closed and the hop records EDGE_CLIENT_ABORTED', async () => {
    let upstreamClosed = false;
    upstream = await rawUpstream((_req, res) => res.on('close', () => (upstreamClosed = true)));
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'mid' },
        { id: 'mid', kind: 'proxy', to: upstream.url },
      ],
    });
    const abort = new AbortController();
    const pending = fetch(running.url('edge', '/slow'), { signal: abort.signal }).catch((e: Error) => e);
    await waitFor(() => upstream!.received.length === 1, 5_000, 'the upstream to receive the request');
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    await waitFor(() => upstreamClosed, 5_000, 'the upstream request to be closed');
    const [edge] = await waitFor(() => (completed(running!, 'edge').length ? completed(running!, 'edge') : undefined));
    expect(edge).toMatchObject({ status: 499, error: 'EDGE_CLIENT_ABORTED' });
    const [mid] = await waitFor(() => (completed(running!, 'mid').length ? completed(running!, 'mid') : undefined));
    expect(mid).toMatchObject({ error: 'EDGE_CLIENT_ABORTED' });
  });
});

describe('malformed HTTP', () => {
  it('answers 400 with a code and keeps serving', async () => {
    running = await startEngine({ version: 1, nodes: [{ id: 's', kind: 'service' }], traffic: [{ to: 's', rate: 1 }] });
    const bad = await rawHttp(running.port('s'), 'GET / HTTP/1.1\r\nHost: lab\r\nBad Header\r\n\r\n');
    expect(bad.status).toBe(400);
    expect(bad.headers['x-edgelab-error']).toBe('EDGE_BAD_REQUEST');
    const smuggle = await rawHttp(running.port('s'), 'POST / HTTP/1.1\r\nHost: lab\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(smuggle.status).toBe(400);
    const ok = await fetch(running.url('s', '/after'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ node: 's', path: '/after' });
  });
});
