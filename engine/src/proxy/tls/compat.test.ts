/**
 * What the engine's request handling meets when a request comes through the TLS listener over HTTP/2
 * (Node's compatibility API), proven on real sockets against the engine's own code as it stands: the
 * pseudo-headers instead of Host, the version the edge rules take, the headers the hop rules send
 * upstream, the response fields HTTP/2 forbids, the socket and response members the node reads,
 * and CONNECT. Each `it` states one fact the engine's wiring handles (node-server.ts, edge-rules.ts,
 * headers.ts); when Node or the engine changes one, its test says so.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect as connectH2, type ClientHttp2Session, type Http2ServerRequest, type OutgoingHttpHeaders as H2Headers } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EdgeRules } from '../../nodes/edge-rules.ts';
import { downstreamResponseHeaders, hasHttp2Body, hasRequestBody, upstreamRequestHeaders } from '../../pipeline/headers.ts';
import type { ServingCertificate } from './certificate.ts';
import { closeIdleTlsConnections, createTlsListener, type TlsRequest, type TlsResponse } from './listener.ts';
import { generateSelfSigned } from './self-signed.ts';

let dir: string;
let certificate: ServingCertificate;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgelab-compat-test-'));
  certificate = await generateSelfSigned({ nodeId: 'edge', now: Date.now(), dir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Handler = (req: TlsRequest, res: TlsResponse) => void;

/** A TLS listener whose requests go to `handler`; an h2 session to it. */
async function h2Listener(
  handler: Handler,
): Promise<{ port: number; session: ClientHttp2Session; server: ReturnType<typeof createTlsListener> }> {
  const server = createTlsListener({
    certificate,
    http2: true,
    http1: { keepAliveTimeoutMs: 5_000, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, checkEveryMs: 30_000 },
    onRequest: handler,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    closeIdleTlsConnections(server);
    await closed;
  });
  const session = openSession(port);
  return { port, session, server };
}

function openSession(port: number): ClientHttp2Session {
  const session = connectH2(`https://localhost:${port}`, { ca: certificate.cert });
  cleanups.push(async () => {
    if (!session.closed) await new Promise<void>((resolve) => session.close(resolve));
  });
  return session;
}

async function send(session: ClientHttp2Session, headers: H2Headers): Promise<{ headers: Record<string, unknown>; body: string }> {
  const stream = session.request(headers);
  stream.end();
  const [response] = (await once(stream, 'response')) as [Record<string, unknown>];
  let body = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) body += chunk;
  return { headers: response, body };
}

/** The first request's `req`, kept for the test to inspect, answered 204. */
async function capture(headers: H2Headers = { ':path': '/users/1?x=2' }) {
  let seen: TlsRequest | undefined;
  const { session, port } = await h2Listener((req, res) => {
    seen = req;
    res.writeHead(204);
    res.end();
  });
  await send(session, headers);
  return { req: seen!, port };
}

describe('an HTTP/2 request through the compatibility API', () => {
  it('says HTTP/2.0, which the edge rules take (its :authority becoming Host), while an HTTP/1.1 `HTTP/2.0` line stays 505', async () => {
    const { req, port } = await capture();
    expect([req.httpVersion, req.httpVersionMajor, req.httpVersionMinor]).toEqual(['2.0', 2, 0]);
    expect(new EdgeRules('edge', true).check(req as never)).toBeUndefined();
    expect(req.headers.host).toBe(`localhost:${port}`);
    const line = { httpVersionMajor: 2, httpVersionMinor: 0, headers: { host: 'a.test' }, rawHeaders: ['host', 'a.test'], url: '/' };
    expect(new EdgeRules('edge', true).check(line as never)).toBe('EDGE_VERSION_NOT_SUPPORTED');
  });

  it.each<[string, H2Headers, string | undefined]>([
    ['a Host that names the same authority', { host: 'AUTH' }, undefined],
    ['a Host that names another authority (RFC 9113 section 8.3.1)', { host: 'other.test' }, 'EDGE_INVALID_HOST'],
  ])('takes or refuses %s', async (_name, extra, outcome) => {
    let seen: TlsRequest | undefined;
    const { session, port } = await h2Listener((req, res) => {
      seen = req;
      res.end();
    });
    const host = extra.host === 'AUTH' ? `localhost:${port}` : extra.host;
    await send(session, { ':path': '/', ':authority': `localhost:${port}`, host });
    expect(new EdgeRules('edge', true).check(seen as never)).toBe(outcome);
  });

  it('carries :authority, :method, :path and :scheme among its headers, and no Host', async () => {
    const { req, port } = await capture();
    expect(req.headers[':authority']).toBe(`localhost:${port}`);
    expect(req.headers[':method']).toBe('GET');
    expect(req.headers[':path']).toBe('/users/1?x=2');
    expect(req.headers[':scheme']).toBe('https');
    expect(req.headers.host).toBeUndefined();
    expect(req.rawHeaders.slice(0, 8)).toEqual([
      ':path',
      '/users/1?x=2',
      ':method',
      'GET',
      ':authority',
      `localhost:${port}`,
      ':scheme',
      'https',
    ]);
    // What the stages read is there: the target, the method, and the authority on its own member.
    expect([req.url, req.method, (req as { authority?: string }).authority]).toEqual(['/users/1?x=2', 'GET', `localhost:${port}`]);
  });

  it('joins the cookie fields an h2 client splits (RFC 9113 section 8.2.3)', async () => {
    const { req } = await capture({ ':path': '/', cookie: ['a=1', 'b=2'] });
    expect(req.headers.cookie).toBe('a=1; b=2');
  });

  it('goes upstream without the pseudo-headers, with its authority as Host, and as proto https, by the edge and hop rules', async () => {
    let headers: Record<string, string | string[]> = {};
    const { session, port } = await h2Listener((req, res) => {
      new EdgeRules('edge', true).check(req as never);
      const hop = { nodeId: 'edge', httpVersion: req.httpVersion, peer: req.socket.remoteAddress ?? '', forwardedBy: '"127.0.0.1:8443"' };
      headers = upstreamRequestHeaders(req.headers as IncomingHttpHeaders, { ...hop, requestId: 'r1', trustedHop: false, secure: true });
      res.end();
    });
    await send(session, { ':path': '/users/1' });
    expect(Object.keys(headers).filter((name) => name.startsWith(':'))).toEqual([]);
    expect(headers.host).toBe(`localhost:${port}`);
    expect(headers['x-forwarded-host']).toBe(`localhost:${port}`);
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers.forwarded).toBe(`for=127.0.0.1;by="127.0.0.1:8443";proto=https;host="localhost:${port}"`);
    expect(headers.via).toBe('2.0 edge');
  });

  it('forgets the client address on req.socket once the stream is closed (it reads through the stream to its session)', async () => {
    const { req } = await capture();
    expect(req.socket.remoteAddress).toBeUndefined();
  });

  it('may carry a body with neither Content-Length nor Transfer-Encoding, which hasRequestBody misses and hasHttp2Body tells', async () => {
    const seen: Array<{ method: string; hasBody: boolean; endAfterHeaders: boolean; body: string }> = [];
    const { session } = await h2Listener(async (req, res) => {
      const endAfterHeaders = (req as Http2ServerRequest).stream.endAfterHeaders;
      expect(hasHttp2Body(req as never)).toBe(!endAfterHeaders);
      let body = '';
      for await (const chunk of req) body += chunk;
      seen.push({ method: req.method ?? '', hasBody: hasRequestBody(req.headers as IncomingHttpHeaders), endAfterHeaders, body });
      res.end();
    });
    const post = session.request({ ':method': 'POST', ':path': '/orders' });
    post.end('{"id":1}');
    post.resume();
    await once(post, 'close');
    await send(session, { ':path': '/' });
    expect(seen).toEqual([
      { method: 'POST', hasBody: false, endAfterHeaders: false, body: '{"id":1}' },
      { method: 'GET', hasBody: false, endAfterHeaders: true, body: '' },
    ]);
  });

  it('makes undici refuse the upstream request while a pseudo-header is in it, and send its own Host without one', async () => {
    let upstreamHost: string | undefined;
    const upstream = createServer((req, res) => {
      upstreamHost = req.headers.host;
      res.end();
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    cleanups.push(() => new Promise((resolve) => upstream.close(() => resolve())));
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const refused = await request(origin, { headers: { ':authority': 'localhost:8443' } }).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe('UND_ERR_INVALID_ARG');
    const response = await request(origin, { headers: { 'x-forwarded-proto': 'http' } });
    await response.body.dump();
    expect(upstreamHost).toBe(origin.slice('http://'.length));
  });

  it('has the client address on req.socket, and a property set there lasts for the connection, as the trusted-hop cache needs', async () => {
    const mark = Symbol('per connection');
    const seen: Array<{ peer: string | undefined; marked: unknown }> = [];
    const { session, port } = await h2Listener((req, res) => {
      const socket = req.socket as typeof req.socket & { [mark]?: number };
      seen.push({ peer: socket.remoteAddress, marked: socket[mark] });
      socket[mark] ??= seen.length;
      res.end();
    });
    await send(session, { ':path': '/1' });
    await send(session, { ':path': '/2' });
    await send(openSession(port), { ':path': '/3' });
    expect(seen).toEqual([
      { peer: '127.0.0.1', marked: undefined },
      { peer: '127.0.0.1', marked: 1 },
      { peer: '127.0.0.1', marked: undefined },
    ]);
  });
});

describe('both protocols on the TLS listener', () => {
  it('mark the socket encrypted, where the hop rules can learn the proto is https; HTTP/1.1 passes the edge rules as it is', async () => {
    const seen: Array<{ version: string; encrypted: unknown; outcome: unknown }> = [];
    const { session, port } = await h2Listener((req, res) => {
      const outcome = req.httpVersionMajor === 1 ? new EdgeRules('edge', true).check(req as never) : 'not checked';
      seen.push({ version: req.httpVersion, encrypted: (req.socket as { encrypted?: boolean }).encrypted, outcome });
      res.end();
    });
    await send(session, { ':path': '/' });
    const agent = new Agent({ connect: { ca: certificate.cert } });
    cleanups.push(() => agent.close());
    const response = await request(`https://127.0.0.1:${port}/`, { dispatcher: agent });
    await response.body.dump();
    expect(seen).toEqual([
      { version: '2.0', encrypted: true, outcome: 'not checked' },
      { version: '1.1', encrypted: true, outcome: undefined },
    ]);
  });
});

describe('an HTTP/2 response through the compatibility API', () => {
  it.each(['keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])(
    'throws from writeHead on %s (HTTP/2 forbids connection-specific fields, RFC 9113 section 8.2.2)',
    async (name) => {
      let thrown: unknown;
      const { session } = await h2Listener((_req, res) => {
        try {
          res.writeHead(200, { [name]: 'x' });
        } catch (error) {
          thrown = error;
          res.removeHeader(name);
          res.writeHead(500);
        }
        res.end();
      });
      const { headers } = await send(session, { ':path': '/' });
      expect((thrown as { code?: string }).code).toBe('ERR_HTTP2_INVALID_CONNECTION_HEADERS');
      expect(headers[':status']).toBe(500);
    },
  );

  it('drops Connection (with a process warning) and lets `te: trailers` through', async () => {
    const { session } = await h2Listener((_req, res) => {
      res.writeHead(200, { connection: 'close', te: 'trailers', 'x-kept': '1' });
      res.end();
    });
    const { headers } = await send(session, { ':path': '/' });
    expect(headers[':status']).toBe(200);
    expect(headers.connection).toBeUndefined();
    expect(headers['x-kept']).toBe('1');
  });

  it('takes what downstreamResponseHeaders makes of an upstream answer full of hop-by-hop fields', async () => {
    const upstream = {
      connection: 'keep-alive, x-hop',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      upgrade: 'websocket',
      'proxy-connection': 'keep-alive',
      'x-hop': '1',
      'content-type': 'text/plain',
    };
    const out: OutgoingHttpHeaders = downstreamResponseHeaders(upstream, { nodeId: 'edge', requestId: 'r1' }, 200);
    const { session } = await h2Listener((_req, res) => {
      res.writeHead(200, out);
      res.end('ok');
    });
    const { headers, body } = await send(session, { ':path': '/' });
    expect([headers[':status'], headers['content-type'], headers.via, body]).toEqual([200, 'text/plain', '1.1 edge', 'ok']);
  });

  it('has writableFinished and headersSent as a ServerResponse does, but no _headerSent', async () => {
    const seen: Record<string, unknown> = {};
    const { session } = await h2Listener((_req, res) => {
      res.on('close', () =>
        Object.assign(seen, {
          writableFinished: res.writableFinished,
          headersSent: res.headersSent,
          _headerSent: (res as { _headerSent?: boolean })._headerSent,
        }),
      );
      res.writeHead(200);
      res.end();
    });
    await send(session, { ':path': '/' });
    await expect.poll(() => seen.writableFinished).toBe(true);
    expect(seen).toEqual({ writableFinished: true, headersSent: true, _headerSent: undefined });
  });

  it("hands CONNECT to the server's 'connect' listener as a request and a response, not a socket", async () => {
    const { session, server } = await h2Listener((_req, res) => res.end());
    let args: string[] = [];
    server.on('connect', (req: TlsRequest, res: TlsResponse) => {
      args = [req.constructor.name, res.constructor.name];
      res.writeHead(405, { allow: 'GET' });
      res.end();
    });
    const { headers } = await send(session, { ':method': 'CONNECT', ':authority': 'example.test:443' });
    expect(args).toEqual(['Http2ServerRequest', 'EdgeHttp2Response']);
    expect(headers[':status']).toBe(405);
  });
});
