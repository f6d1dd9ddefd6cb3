/**
 * A TLS proxy in a running engine, on real sockets: HTTPS clients that trust the certificate the
 * proxy wrote (node:https over HTTP/1.1, node:http2 over HTTP/2) reach the upstream through it, which
 * hears HTTP/1.1 with `X-Forwarded-Proto: https`; an HTTP/2 body without Content-Length arrives whole;
 * the redirect answers plain HTTP with 308 (and the TLS port itself with 400); a certificate file that cannot be read fails the node's
 * start, naming its field; a stop and start (a `down` fault) and a new `tls` config both work; the
 * traffic generator speaks https and h2 to it.
 */
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect as connectH2, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import selfsigned from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import type { EventOf } from '../events.ts';
import { rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';
import { DEFAULT_CERT_DIR } from './tls/self-signed.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgelab-tls-proxy-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
});

/** An upstream that answers 200 with the body it read, as JSON. */
async function echoUpstream(): Promise<RawUpstream> {
  const upstream = await rawUpstream((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const out = JSON.stringify({ body });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  cleanups.push(() => upstream.close());
  return upstream;
}

/**
 * Node ids are unique per test, so the certificate files of parallel test files never meet in
 * $TMPDIR/edgelab-tls; each test removes the file its proxy wrote there.
 */
let nodeCount = 0;
function tlsNodeId(): string {
  const id = `tls-edge-${process.pid}-${++nodeCount}`;
  cleanups.push(() => rm(join(DEFAULT_CERT_DIR, `${id}.pem`), { force: true }));
  return id;
}

async function tlsEngine(tls: unknown, upstream: RawUpstream, fields: Record<string, unknown> = {}): Promise<RunningEngine & { id: string }> {
  const id = tlsNodeId();
  const engine = await startEngine({ version: 1, nodes: [{ id, kind: 'proxy', to: upstream.url, tls, ...fields }] }, { allowFailures: true, retryFailedMs: 50 });
  cleanups.push(() => engine.stop());
  return Object.assign(engine, { id });
}

function view(engine: RunningEngine, id: string) {
  return engine.engine.topology().find((n) => n.id === id)!;
}

/** One HTTPS request over HTTP/1.1, trusting `ca` alone. */
function httpsGet(
  port: number,
  ca: string,
  path = '/',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function h2Session(port: number, ca: string): ClientHttp2Session {
  const session = connectH2(`https://localhost:${port}`, { ca });
  session.on('error', () => {});
  cleanups.push(async () => {
    if (!session.closed && !session.destroyed) await new Promise<void>((resolve) => session.close(resolve));
  });
  return session;
}

async function h2Send(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string) {
  const stream = session.request(headers);
  stream.end(body);
  const [response] = (await once(stream, 'response')) as [Record<string, unknown>];
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk;
  return { headers: response, body: text };
}

describe('a proxy with tls: true', () => {
  it('serves an HTTPS client that trusts the certificate file it wrote, and the upstream hears HTTP/1.1 as https', async () => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine(true, upstream);
    const tls = view({ engine } as RunningEngine, id).tls!;
    expect(tls).toMatchObject({ selfSigned: true, protocols: ['h2', 'http/1.1'] });
    const pem = await readFile(tls.certFile, 'utf8');
    expect(new X509Certificate(pem).fingerprint256).toBe(tls.fingerprint256);
    expect(events.find((e) => e.type === 'tls.certificate')).toMatchObject({ node: id, tls: { certFile: tls.certFile } });

    const answer = await httpsGet(port(id), pem, '/users/1?x=1', { 'x-forwarded-proto': 'http' });
    expect(answer).toMatchObject({ status: 200, body: '{"body":""}' });
    expect(upstream.received).toHaveLength(1);
    const seen = upstream.received[0];
    expect(seen.url).toBe('/users/1?x=1');
    // The client's own X-Forwarded-Proto is overwritten with what this hop saw.
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers.forwarded).toMatch(/;proto=https;host="127\.0\.0\.1:\d+"$/);
    expect(seen.headers.via).toBe(`1.1 ${id}`);
    await waitFor(() => events.some((e) => e.type === 'tls.connection'));
    expect(events.find((e) => e.type === 'tls.connection')).toMatchObject({
      node: id,
      outcome: 'established',
      protocol: 'http/1.1',
      tlsVersion: 'TLSv1.3',
      resumed: false,
    });
    expect(events.find((e) => e.type === 'request.received')).toMatchObject({ node: id, protocol: 'http/1.1', tls: true });
  });

  it('speaks HTTP/2 to an h2 client: :authority as Host, no pseudo-headers upstream, a body without Content-Length arrives whole', async () => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine(true, upstream);
    const ca = view({ engine } as RunningEngine, id).tls!.certFile;
    const session = h2Session(port(id), await readFile(ca, 'utf8'));
    const got = await h2Send(session, { ':path': '/a' });
    expect([got.headers[':status'], got.body]).toEqual([200, '{"body":""}']);
    const post = await h2Send(session, { ':method': 'POST', ':path': '/orders', 'content-type': 'application/json' }, '{"id":7}');
    expect([post.headers[':status'], post.body]).toEqual([200, '{"body":"{\\"id\\":7}"}']);

    expect(upstream.received.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/a'],
      ['POST', '/orders'],
    ]);
    const seen = upstream.received[1];
    expect(seen.headers.host).toBe(`localhost:${port(id)}`);
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-host']).toBe(`localhost:${port(id)}`);
    expect(seen.headers.via).toBe(`2.0 ${id}`);
    expect(seen.rawHeaders.filter((_, i) => i % 2 === 0 && seen.rawHeaders[i].startsWith(':'))).toEqual([]);
    const received = events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received');
    expect(received.map((e) => [e.method, e.protocol, e.tls])).toEqual([
      ['GET', 'h2', true],
      ['POST', 'h2', true],
    ]);
    expect(events.filter((e) => e.type === 'tls.connection').map((e) => (e as EventOf<'tls.connection'>).protocol)).toEqual(['h2']);
  });

  it('reads an h2 body without Content-Length whole first (filter bodyBytes): 413 at the frame past it, and the upstream sees nothing of it', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream, { filter: { limits: { bodyBytes: 64 } } });
    const { id } = running;
    const session = h2Session(running.port(id), await readFile(view(running, id).tls!.certFile, 'utf8'));
    const small = await h2Send(session, { ':method': 'POST', ':path': '/small' }, 'x'.repeat(64));
    expect(small.headers[':status']).toBe(200);
    const large = await h2Send(session, { ':method': 'POST', ':path': '/large' }, 'x'.repeat(65));
    expect([large.headers[':status'], large.headers['x-edgelab-error']]).toEqual([413, 'EDGE_BODY_TOO_LARGE']);
    expect(upstream.received.map((r) => [r.url, r.headers['content-length'], r.headers['transfer-encoding']])).toEqual([['/small', '64', undefined]]);
  });

  describe('hostile h2 frames on a raw TLS connection', () => {
    const frame = (type: number, flags: number, stream: number, payload = Buffer.alloc(0)) => {
      const header = Buffer.alloc(9);
      header.writeUIntBE(payload.length, 0, 3);
      header[3] = type;
      header[4] = flags;
      header.writeUInt32BE(stream, 5);
      return Buffer.concat([header, payload]);
    };
    const [DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION] = [0, 1, 3, 4, 6, 7, 9];
    /** RST_STREAM and GOAWAY error codes (RFC 9113 section 7). */
    const [PROTOCOL_ERROR, REFUSED_STREAM, ENHANCE_YOUR_CALM] = [1, 7, 11];
    type Seen = { types: number[]; answered: number[]; resets: Map<number, number>; goaway?: number };
    const [END_STREAM, END_HEADERS] = [1, 4];
    /** HPACK for GET https://lab/: :method GET, :scheme https, :path / (static table), then :authority lab as a literal. */
    const GET = Buffer.concat([Buffer.from([0x82, 0x87, 0x84, 0x01, 3]), Buffer.from('lab')]);
    /** The same as POST, its body to follow. */
    const POST = Buffer.concat([Buffer.from([0x83, 0x87, 0x84, 0x01, 3]), Buffer.from('lab')]);
    /** An HPACK string literal (no Huffman), its length an integer with a 7-bit prefix (RFC 7541 sections 5.1, 5.2). */
    const hpackString = (text: string) => {
      const bytes = Buffer.from(text, 'latin1');
      const length = [Math.min(bytes.length, 127)];
      for (let rest = bytes.length - 127; rest >= 0; rest = rest >= 128 ? rest >> 7 : -1) length.push(rest >= 128 ? (rest & 127) | 128 : rest);
      return Buffer.concat([Buffer.from(length), bytes]);
    };
    /** A header field as an HPACK literal: not indexed (0x00), or added to the dynamic table (0x40). */
    const field = (name: string, value: string, indexed = false) => Buffer.concat([Buffer.from([indexed ? 0x40 : 0x00]), hpackString(name), hpackString(value)]);
    /**
     * Open an h2 connection, write `frames` after the preface, and list the frame types the proxy sent until
     * it closed, `ms` passed, or `enough` says so (the session still open then); with the streams a HEADERS
     * frame came on, and the error code of each RST_STREAM (by stream) and of the GOAWAY.
     */
    const rawSession = (port: number, frames: Buffer[], ms: number, enough?: (seen: Seen) => boolean) =>
      new Promise<Seen & { closed: boolean }>((resolve) => {
        const socket = connectTls({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => {
          socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0), ...frames]));
        });
        const seen: Seen = { types: [], answered: [], resets: new Map() };
        let pending = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
            const [type, stream] = [pending[3], pending.readUInt32BE(5) & 0x7fffffff];
            seen.types.push(type);
            if (type === HEADERS) seen.answered.push(stream);
            if (type === RST_STREAM) seen.resets.set(stream, pending.readUInt32BE(9));
            if (type === GOAWAY) seen.goaway = pending.readUInt32BE(13);
            pending = pending.subarray(9 + pending.readUIntBE(0, 3));
            if (enough?.(seen)) {
              clearTimeout(timer);
              socket.destroy();
              resolve({ ...seen, closed: false });
              return;
            }
          }
        });
        socket.on('error', () => {});
        const timer = setTimeout(() => {
          socket.destroy();
          resolve({ ...seen, closed: false });
        }, ms);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve({ ...seen, closed: true });
        });
      });

    it('1000 streams opened and reset at once (rapid reset): none goes upstream, the session lives on and serves its next stream', async () => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      const resets = Array.from({ length: 1_000 }, (_, i) => [
        frame(HEADERS, END_STREAM | END_HEADERS, 2 * i + 1, GET),
        frame(RST_STREAM, 0, 2 * i + 1, Buffer.from([0, 0, 0, 8])),
      ]).flat();
      // Until the last stream's answer comes (the session open then), however long a loaded machine takes.
      const session = await rawSession(running.port(running.id), [...resets, frame(HEADERS, END_STREAM | END_HEADERS, 2_001, GET)], 15_000, (seen) =>
        seen.answered.includes(2_001),
      );
      expect(session.closed).toBe(false);
      expect(session.types).toContain(HEADERS);
      await waitFor(() => upstream.received.some((r) => r.url === '/'), 5_000, 'the last stream at the upstream');
      // Every reset stream reached the node (and ended there as aborted): none is reported as refused.
      expect(running.events.filter((e) => e.type === 'engine.error')).toEqual([]);
      // The reset streams never began their forward: one connection upstream, the last stream's (there were a thousand).
      expect([upstream.connections, upstream.received.length]).toEqual([1, 1]);
    });

    it.each([
      ['CONTINUATION frames that never end the headers (CVE-2024-27316)', () => [frame(HEADERS, 0, 1, GET), ...Array.from({ length: 50_000 }, () => frame(CONTINUATION, 0, 1))], /CONTINUATION/],
      ['SETTINGS frames', () => Array.from({ length: 20_000 }, () => frame(SETTINGS, 0, 0)), /Flooding/],
      ['PING frames', () => Array.from({ length: 20_000 }, () => frame(PING, 0, 0, Buffer.alloc(8))), /Flooding/],
      ['empty DATA frames (CVE-2019-9518)', () => [frame(HEADERS, END_HEADERS, 1, POST), ...Array.from({ length: 20_000 }, () => frame(DATA, 0, 1))], /invalid HTTP\/2 frames/],
    ])('a flood of %s: the session is closed, the event log says why and from whom, nothing goes upstream, the next client is served', async (_what, flood, why) => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      const port = running.port(running.id);
      expect((await rawSession(port, flood(), 10_000)).closed).toBe(true);
      const logged = await waitFor(() => running.events.find((e): e is EventOf<'engine.error'> => e.type === 'engine.error' && e.node === running.id));
      expect(logged.message).toMatch(/^HTTP\/2 session from 127\.0\.0\.1 closed: /);
      expect(logged.message).toMatch(why);
      expect(upstream.received).toEqual([]);
      const next = await rawSession(port, [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET)], 10_000, (seen) => seen.answered.includes(1));
      expect(next.answered).toEqual([1]);
    });

    it('an HPACK bomb (one 4 KB table entry referenced 5000 times): its stream is refused at 64 KB of fields, nothing goes upstream, the session serves on', async () => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      const bomb = Buffer.concat([GET, field('x-bomb', 'a'.repeat(4_000), true), Buffer.alloc(5_000, 0x80 | 62)]);
      const session = await rawSession(running.port(running.id), [frame(HEADERS, END_STREAM | END_HEADERS, 1, bomb), frame(HEADERS, END_STREAM | END_HEADERS, 3, GET)], 10_000, (seen) =>
        seen.answered.includes(3),
      );
      expect([session.resets.get(1), session.closed]).toEqual([ENHANCE_YOUR_CALM, false]);
      await waitFor(() => upstream.received.length > 0);
      expect(upstream.received.map((r) => Object.keys(r.headers).includes('x-bomb'))).toEqual([false]);
      expect(running.events.filter((e) => e.type === 'engine.error')).toMatchObject([{ node: running.id, h2RefusedStreams: 1 }]);
    });

    it('more streams at once than it takes (128, nginx\'s http2_max_concurrent_streams): those past it are refused (REFUSED_STREAM), and never reach the node', async () => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      // 200 requests whose bodies never come: every stream stays open.
      const opened = Array.from({ length: 200 }, (_, i) => frame(HEADERS, END_HEADERS, 2 * i + 1, POST));
      const session = await rawSession(running.port(running.id), opened, 10_000, (seen) => seen.resets.size >= 72);
      const past = Array.from({ length: 72 }, (_, i) => 2 * (128 + i) + 1);
      expect([...session.resets]).toEqual(past.map((stream) => [stream, REFUSED_STREAM]));
      await waitFor(() => running.events.filter((e) => e.type === 'request.received').length >= 128);
      expect(running.events.filter((e) => e.type === 'request.received')).toHaveLength(128);
      // No stream came after the refused ones, so how many there were is unknown; that the session was full is said.
      expect(running.events.filter((e) => e.type === 'engine.error' && e.node === running.id).map((e) => (e as EventOf<'engine.error'>).message)).toEqual([
        "HTTP/2 client 127.0.0.1 has 128 streams open at once, the most a connection may (SETTINGS_MAX_CONCURRENT_STREAMS, nginx's http2_max_concurrent_streams): streams it opens past them are refused until one ends",
      ]);
    });

    it('streams refused past the limit are logged and counted once the client opens one the node takes', async () => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      const opened = Array.from({ length: 200 }, (_, i) => frame(HEADERS, END_HEADERS, 2 * i + 1, POST));
      // Stream 1 is cancelled, so the next stream (401) finds room: the 72 between were refused.
      const frames = [...opened, frame(RST_STREAM, 0, 1, Buffer.from([0, 0, 0, 8])), frame(HEADERS, END_STREAM | END_HEADERS, 401, GET)];
      const session = await rawSession(running.port(running.id), frames, 10_000, (seen) => seen.answered.includes(401));
      expect(session.answered).toContain(401);
      const refused = await waitFor(() =>
        running.events.find((e): e is EventOf<'engine.error'> => e.type === 'engine.error' && e.h2RefusedStreams !== undefined),
      );
      expect(refused).toMatchObject({
        node: running.id,
        h2RefusedStreams: 72,
        message: 'HTTP/2 client 127.0.0.1 opened 72 streams past the 128 it may have open at once: refused (REFUSED_STREAM, safe to retry) before the node saw them',
      });
      expect(running.engine.metrics.snapshot()[running.id].tls?.refusedStreams).toBe(72);
    });

    it('more streams at once than it takes, from a client that acknowledged the limit: the session is closed (nghttp2 takes it as a connection error), and logged', async () => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      const opened = Array.from({ length: 200 }, (_, i) => frame(HEADERS, END_HEADERS, 2 * i + 1, POST));
      const session = await rawSession(running.port(running.id), [frame(SETTINGS, 1 /* ACK */, 0), ...opened], 10_000);
      expect(session.closed).toBe(true);
      const logged = await waitFor(() =>
        running.events.find((e): e is EventOf<'engine.error'> => e.type === 'engine.error' && e.node === running.id && e.message.startsWith('HTTP/2 session')),
      );
      expect(logged.message).toBe('HTTP/2 session from 127.0.0.1 closed: Protocol error (ERR_HTTP2_ERROR)');
      expect(running.events.filter((e) => e.type === 'request.received').length).toBeLessThanOrEqual(128);
    });

    it.each([
      ['no :path', [0x82, 0x87], []],
      ['no :method', [0x87, 0x84], []],
      ['no :scheme', [0x82, 0x84], []],
      ['a pseudo-header after a field', [0x82, 0x87], [field('x-a', '1'), Buffer.from([0x84])]],
      ['an unknown pseudo-header', [0x82, 0x87, 0x84], [field(':tunnel', 'yes')]],
      ['an uppercase field name', [0x82, 0x87, 0x84], [field('X-Upper', 'yes')]],
      ['Connection', [0x82, 0x87, 0x84], [field('connection', 'keep-alive')]],
      ['Transfer-Encoding', [0x82, 0x87, 0x84], [field('transfer-encoding', 'chunked')]],
      ['Keep-Alive', [0x82, 0x87, 0x84], [field('keep-alive', 'timeout=5')]],
      ['Upgrade', [0x82, 0x87, 0x84], [field('upgrade', 'websocket')]],
      ['Proxy-Connection', [0x82, 0x87, 0x84], [field('proxy-connection', 'keep-alive')]],
      ['TE other than trailers', [0x82, 0x87, 0x84], [field('te', 'gzip')]],
      ['a :path without its leading slash', [0x82, 0x87], [field(':path', 'http://elsewhere/x')]],
      ['an extended CONNECT (:protocol, a setting the proxy never offers)', [0x87, 0x84], [field(':method', 'CONNECT'), field(':protocol', 'websocket')]],
    ])('a request with %s is malformed (RFC 9113 section 8.2, 8.3): its stream is reset (PROTOCOL_ERROR), nothing goes upstream, the session serves on', async (_what, indexed, fields) => {
      const upstream = await echoUpstream();
      const running = await tlsEngine(true, upstream);
      const block = Buffer.concat([Buffer.from(indexed), ...fields, field(':authority', 'lab')]);
      const session = await rawSession(running.port(running.id), [frame(HEADERS, END_STREAM | END_HEADERS, 1, block), frame(HEADERS, END_STREAM | END_HEADERS, 3, GET)], 10_000, (seen) =>
        seen.answered.includes(3),
      );
      expect([session.resets.get(1), session.closed]).toEqual([PROTOCOL_ERROR, false]);
      await waitFor(() => upstream.received.length > 0);
      expect(upstream.received.map((r) => r.url)).toEqual(['/']);
      // Node never hands the reset stream over: the log has it from the stream id that never came, and it is counted.
      expect(running.events.filter((e) => e.type === 'engine.error' && e.node === running.id)).toMatchObject([
        { message: 'HTTP/2 client 127.0.0.1: stream reset before the node saw them (a head HTTP/2 calls malformed, or past 64 KB of header fields)', h2RefusedStreams: 1 },
      ]);
      expect(running.engine.metrics.snapshot()[running.id].tls?.refusedStreams).toBe(1);
    });
  });

  it('asks an h2 client for its body (Expect: 100-continue) only when it goes upstream: 413 from its Content-Length without 100', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream, { filter: { limits: { bodyBytes: 10 } } });
    const { id } = running;
    const session = h2Session(running.port(id), await readFile(view(running, id).tls!.certFile, 'utf8'));
    const post = (path: string, body: string) =>
      new Promise<{ asked: boolean; status: unknown; body: string }>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': path, expect: '100-continue', 'content-length': body.length });
        let asked = false;
        let text = '';
        stream.on('continue', () => {
          asked = true;
          stream.end(body);
        });
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('response', (headers) => stream.on('end', () => resolve({ asked, status: headers[':status'], body: text })));
        stream.on('error', reject);
      });
    expect(await post('/small', 'hello')).toEqual({ asked: true, status: 200, body: '{"body":"hello"}' });
    expect(await post('/large', 'hello world')).toMatchObject({ asked: false, status: 413 });
    expect(upstream.received.map((r) => r.url)).toEqual(['/small']);
  });

  it('records an h2 stream the client resets mid-answer as aborted (with the status that went out), and aborts the upstream request', async () => {
    let upstreamClosed = false;
    const upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part');
      res.on('close', () => (upstreamClosed = true));
    });
    cleanups.push(() => upstream.close());
    const { engine, events, port, id } = await tlsEngine(true, upstream);
    const session = h2Session(port(id), await readFile(view({ engine } as RunningEngine, id).tls!.certFile, 'utf8'));
    const stream = session.request({ ':path': '/slow' });
    stream.on('error', () => {});
    stream.end();
    await once(stream, 'data');
    stream.close(8 /* CANCEL */);
    const completed = await waitFor(() => events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed'));
    expect([completed.status, completed.error]).toEqual([200, 'EDGE_CLIENT_ABORTED']);
    await waitFor(() => upstreamClosed, 5_000, 'the upstream request to be aborted');
  });

  it('answers an h2 request from the cache once an earlier one stored it (the key takes :authority as the host)', async () => {
    const upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60', 'content-length': 6 });
      res.end('cached');
    });
    cleanups.push(() => upstream.close());
    const running = await tlsEngine(true, upstream, { cache: { maxSize: '1mb' } });
    const session = h2Session(running.port(running.id), await readFile(view(running, running.id).tls!.certFile, 'utf8'));
    const first = await h2Send(session, { ':path': '/page' });
    const second = await h2Send(session, { ':path': '/page' });
    expect([first.headers['x-cache'], second.headers['x-cache'], second.body]).toEqual(['MISS', 'HIT', 'cached']);
    expect(upstream.received).toHaveLength(1);
  });

  it('codes an h2 answer the client accepts gzip for, streamed without Content-Length, decoded equal to the origin body', async () => {
    const text = 'a line of text that compresses well\n'.repeat(200);
    const upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    cleanups.push(() => upstream.close());
    const running = await tlsEngine(true, upstream, { compression: true });
    const session = h2Session(running.port(running.id), await readFile(view(running, running.id).tls!.certFile, 'utf8'));
    const stream = session.request({ ':path': '/text', 'accept-encoding': 'gzip' });
    stream.end();
    const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect([headers[':status'], headers['content-encoding'], headers['content-length']]).toEqual([200, 'gzip', undefined]);
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe(text);
  });

  it('refuses a malformed h2 request on its stream alone (no Connection field), and the session goes on', async () => {
    const upstream = await echoUpstream();
    const { engine, port, id } = await tlsEngine(true, upstream);
    const session = h2Session(port(id), await readFile(view({ engine } as RunningEngine, id).tls!.certFile, 'utf8'));
    const clash = await h2Send(session, { ':path': '/', ':authority': `localhost:${port(id)}`, host: 'elsewhere.test' });
    expect([clash.headers[':status'], clash.headers['x-edgelab-error']]).toEqual([400, 'EDGE_INVALID_HOST']);
    const connect = await h2Send(session, { ':method': 'CONNECT', ':authority': 'example.test:443' });
    expect([connect.headers[':status'], connect.headers.allow]).toEqual([405, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE']);
    const after = await h2Send(session, { ':path': '/b' });
    expect(after.headers[':status']).toBe(200);
    expect(upstream.received.map((r) => r.url)).toEqual(['/b']);
  });

  it('refuses an h2 header list past the 16 KB an HTTP/1.1 head may have with 431, before anything goes upstream; takes 200 small fields as HTTP/1.1 does', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream);
    const session = h2Session(running.port(running.id), await readFile(view(running, running.id).tls!.certFile, 'utf8'));
    const large = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-field-${i}`, 'v'.repeat(1_000)]));
    const refused = await h2Send(session, { ':path': '/large', 'x-request-id': 'large', ...large });
    expect([refused.headers[':status'], refused.headers['x-edgelab-error']]).toEqual([431, 'EDGE_HEADERS_TOO_LARGE']);
    const completed = await waitFor(() => running.events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.rid === 'large'));
    expect([completed.status, completed.error]).toEqual([431, 'EDGE_HEADERS_TOO_LARGE']);
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-many-${i}`, 'v']));
    const taken = await h2Send(session, { ':path': '/many', te: 'trailers', ...many });
    expect(taken.headers[':status']).toBe(200);
    expect(upstream.received.map((r) => r.url)).toEqual(['/many']);
    const seen = upstream.received[0].headers;
    expect([seen['x-many-199'], seen.te, seen.host]).toEqual(['v', undefined, `localhost:${running.port(running.id)}`]);
  });

  it('answers an h2 request whose body stops coming with 408 after its filter timeouts, as over HTTP/1.1; the upstream request is released, the session serves on', async () => {
    let upstreamClosed = false;
    const upstream = await rawUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.end('whole'));
      res.on('close', () => (upstreamClosed = true));
    });
    cleanups.push(() => upstream.close());
    const running = await tlsEngine(true, upstream, { filter: { timeouts: { headers: '200ms', body: '200ms' } } });
    const session = h2Session(running.port(running.id), await readFile(view(running, running.id).tls!.certFile, 'utf8'));
    const stalled = session.request({ ':method': 'POST', ':path': '/upload', 'x-request-id': 'stalled-body' });
    stalled.on('error', () => {});
    stalled.write('a first part, and no more');
    const [headers] = (await once(stalled, 'response')) as [Record<string, unknown>];
    expect([headers[':status'], headers['x-edgelab-error']]).toEqual([408, 'EDGE_REQUEST_TIMEOUT']);
    // The stream ends with the answer (reset, NO_ERROR), though its client never ended its side.
    stalled.resume();
    await once(stalled, 'close');
    expect(stalled.rstCode).toBe(0);
    const completed = await waitFor(() => running.events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.rid === 'stalled-body'));
    expect([completed.status, completed.error]).toEqual([408, 'EDGE_REQUEST_TIMEOUT']);
    await waitFor(() => upstreamClosed, 5_000, 'the upstream request released');
    expect((await h2Send(session, { ':method': 'POST', ':path': '/whole' }, 'all')).headers[':status']).toBe(200);
  });

  it('answers TRACE over h2 with the header fields alone: no pseudo-header lines, the authority as Host (RFC 9110 section 9.3.8)', async () => {
    const upstream = await echoUpstream();
    const { engine, port, id } = await tlsEngine(true, upstream);
    const session = h2Session(port(id), await readFile(view({ engine } as RunningEngine, id).tls!.certFile, 'utf8'));
    const trace = await h2Send(session, { ':method': 'TRACE', ':path': '/t?x=1', 'max-forwards': '0', 'x-probe': 'yes', cookie: 'id=s3cret' });
    expect([trace.headers[':status'], trace.headers['content-type']]).toEqual([200, 'message/http']);
    const [requestLine, ...lines] = trace.body.split('\r\n').filter((line) => line !== '');
    expect(requestLine).toBe('TRACE /t?x=1 HTTP/2.0');
    expect(lines.filter((line) => line.startsWith(':'))).toEqual([]);
    expect(lines).toEqual(expect.arrayContaining([`host: localhost:${port(id)}`, 'max-forwards: 0', 'x-probe: yes']));
    expect(lines.some((line) => line.startsWith('cookie'))).toBe(false);
    expect(upstream.received).toEqual([]);
  });

  it('answers a request line past 16 KB that came in two TLS records with 414, as in one', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream);
    const ca = await readFile(view(running, running.id).tls!.certFile, 'utf8');
    const socket = connectTls({ port: running.port(running.id), host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] });
    socket.on('error', () => {});
    await once(socket, 'secureConnect');
    let raw = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.write(`GET /${'a'.repeat(9_000)}`);
    setTimeout(() => socket.write(`${'a'.repeat(9_000)} HTTP/1.1\r\nHost: lab\r\n\r\n`), 50);
    await once(socket, 'close');
    expect(raw.slice(0, raw.indexOf('\r\n'))).toBe('HTTP/1.1 414 URI Too Long');
    expect(upstream.received).toEqual([]);
  });

  it.each([
    ['TLSv1', 'TLSv1'],
    ['TLSv1.1', 'TLSv1.1'],
  ] as const)('refuses a client that offers only %s (a protocol_version alert; nginx\'s default ssl_protocols since 1.23.4 are TLSv1.2 and TLSv1.3), and reports it', async (_what, version) => {
    const upstream = await echoUpstream();
    const { events, port, id } = await tlsEngine(true, upstream);
    const refused = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = connectTls({ host: '127.0.0.1', port: port(id), minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false }, () =>
        resolve(new Error('handshake done')),
      );
      socket.on('error', resolve);
    });
    expect(refused.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    const failed = await waitFor(() => events.find((e): e is EventOf<'tls.connection'> => e.type === 'tls.connection'));
    expect(failed).toMatchObject({ node: id, outcome: 'failed', reason: 'ERR_SSL_UNSUPPORTED_PROTOCOL' });
  });

  it('serves its one certificate whatever name SNI asks for (as nginx its default server): a verifying client refuses a name it does not cover', async () => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine(true, upstream);
    const ca = await readFile(view({ engine } as RunningEngine, id).tls!.certFile, 'utf8');
    const handshake = (servername: string, verify: boolean) =>
      new Promise<string>((resolve) => {
        const socket = connectTls({ host: '127.0.0.1', port: port(id), servername, ca, rejectUnauthorized: verify }, () => {
          resolve(`served ${(socket.getPeerCertificate() as { subjectaltname?: string }).subjectaltname}`);
          socket.end();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    expect(await handshake('elsewhere.example', true)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await handshake('elsewhere.example', false)).toMatch(/^served DNS:localhost/);
    // The verifying client never sends its Finished: a failed handshake; the other, an established one.
    await waitFor(() => events.filter((e) => e.type === 'tls.connection').length === 2);
    expect(events.filter((e) => e.type === 'tls.connection').map((e) => (e as EventOf<'tls.connection'>).outcome).sort()).toEqual(['established', 'failed']);
  });

  it('cuts a handshake that never finishes once the headers timeout passed (as nginx bounds it by client_header_timeout), and reports it', async () => {
    const upstream = await echoUpstream();
    const { events, port, id } = await tlsEngine(true, upstream, { filter: { timeouts: { headers: '300ms' } } });
    const socket = connect({ host: '127.0.0.1', port: port(id) });
    socket.on('error', () => {});
    cleanups.push(async () => void socket.destroy());
    // The first bytes of a ClientHello record that says 512 bytes follow; none do.
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    await once(socket, 'close');
    const failed = await waitFor(() => events.find((e): e is EventOf<'tls.connection'> => e.type === 'tls.connection'));
    expect(failed).toMatchObject({ node: id, outcome: 'failed', reason: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
  });

  it('bounds the next handshake by a headers timeout a config change set, without a restart', async () => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine(true, upstream, { filter: { timeouts: { headers: '60s' } } });
    const listening = port(id);
    const result = validateConfig({ version: 1, nodes: [{ id, kind: 'proxy', to: upstream.url, tls: true, filter: { timeouts: { headers: '300ms' } } }] });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect((await engine.apply(result.config)).failures).toEqual([]);
    expect(port(id)).toBe(listening);
    const socket = connect({ host: '127.0.0.1', port: listening });
    socket.on('error', () => {});
    cleanups.push(async () => void socket.destroy());
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    // Under the 60 s the listener was made with, this would wait a minute: waitFor gives up after 5 s.
    const failed = await waitFor(() => events.find((e): e is EventOf<'tls.connection'> => e.type === 'tls.connection'));
    expect(failed).toMatchObject({ node: id, outcome: 'failed', reason: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
    expect(events.filter((e) => e.type === 'node.state' && e.node === id && e.state === 'stopped')).toEqual([]);
  });

  it('reports a client that does not trust the certificate as a failed handshake', async () => {
    const upstream = await echoUpstream();
    const { events, port, id } = await tlsEngine(true, upstream);
    const refused = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const req = httpsRequest({ host: '127.0.0.1', port: port(id), agent: false }, () => resolve(new Error('answered')));
      req.on('error', resolve);
      req.end();
    });
    expect(refused.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await waitFor(() => events.some((e) => e.type === 'tls.connection'));
    expect(events.find((e) => e.type === 'tls.connection')).toMatchObject({ node: id, outcome: 'failed' });
    expect(upstream.received).toEqual([]);
  });

  it.each([
    ['HTTP/2 and HTTP/1.1', true],
    ['HTTP/1.1 alone', { http2: false }],
  ])('(%s) answers plain HTTP sent to the TLS port with 400 in plain HTTP, naming the mistake as nginx does; garbage is cut', async (_what, tls) => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine(tls, upstream);
    const plain = await new Promise<{ status: number; code: unknown; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: port(id), path: '/users/1', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: res.headers['x-edgelab-error'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(plain).toMatchObject({ status: 400, code: 'EDGE_BAD_REQUEST' });
    expect(JSON.parse(plain.body).message).toMatch(/plain HTTP request was sent to the HTTPS port/);
    await waitFor(() => events.some((e) => e.type === 'tls.connection'));
    expect(events.find((e) => e.type === 'tls.connection')).toMatchObject({ node: id, outcome: 'failed', reason: 'ERR_SSL_HTTP_REQUEST' });
    // Bytes that are neither TLS nor HTTP: the connection is cut without an answer.
    const garbage = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: port(id) });
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', () => {});
      socket.on('close', () => resolve(data));
      socket.write(Buffer.alloc(64, 0));
    });
    expect(garbage).not.toMatch(/^HTTP/);
    const pem = await readFile(view({ engine } as RunningEngine, id).tls!.certFile, 'utf8');
    expect(await httpsGet(port(id), pem, '/users/2')).toMatchObject({ status: 200 });
    expect(upstream.received.map((r) => r.url)).toEqual(['/users/2']);
  });

  it('answers plain HTTP on redirectHttp with 308 to the same path over https, at the TLS port', async () => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine({ redirectHttp: 0 }, upstream);
    const { redirectPort } = view({ engine } as RunningEngine, id).tls!;
    expect(redirectPort).toBeGreaterThan(0);
    const answer = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: redirectPort, path: '/orders?id=1', method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(answer).toEqual({ status: 308, location: `https://127.0.0.1:${port(id)}/orders?id=1` });
    expect(upstream.received).toEqual([]);
    // The proxy's request, so the page draws it: where it was sent, and why.
    const received = events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received');
    const completed = events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed');
    expect(received).toMatchObject([{ node: id, from: 'client', method: 'POST', path: '/orders?id=1' }]);
    expect(completed).toMatchObject([
      {
        rid: received[0].rid,
        node: id,
        status: 308,
        decision: { stage: 'proxy', reason: `plain HTTP on the redirect port ${redirectPort}: 308 to https://127.0.0.1:${port(id)}/orders?id=1` },
      },
    ]);
    expect(engine.metrics.snapshot()[id].statusClasses['3xx']).toBe(1);
  });

  it('refuses an h2 CONNECT on its stream with 405, counted and emitted as any edge refusal, and the session serves on', async () => {
    const upstream = await echoUpstream();
    const { engine, events, port, id } = await tlsEngine(true, upstream);
    const session = h2Session(port(id), await readFile(view({ engine } as RunningEngine, id).tls!.certFile, 'utf8'));
    const tunnel = await h2Send(session, { ':method': 'CONNECT', ':authority': 'example.test:443', 'x-request-id': 'h2-tunnel' });
    expect([tunnel.headers[':status'], tunnel.headers['x-edgelab-error'], tunnel.headers.allow]).toEqual([
      405,
      'EDGE_METHOD_NOT_ALLOWED',
      'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE',
    ]);
    const completed = await waitFor(() => events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.rid === 'h2-tunnel'));
    expect(completed).toMatchObject({ node: id, status: 405, error: 'EDGE_METHOD_NOT_ALLOWED' });
    expect(events.find((e) => e.type === 'request.received' && e.rid === 'h2-tunnel')).toMatchObject({ node: id, method: 'CONNECT', protocol: 'h2', tls: true });
    expect(engine.metrics.snapshot()[id].errorCodes).toEqual({ EDGE_METHOD_NOT_ALLOWED: 1 });
    expect((await h2Send(session, { ':path': '/after' })).headers[':status']).toBe(200);
    expect(upstream.received.map((r) => r.url)).toEqual(['/after']);
  });
});

describe('a proxy whose certificate files cannot be used', () => {
  it('fails its start with the field and the file named, then starts once the files are there', async () => {
    const upstream = await echoUpstream();
    const cert = join(dir, 'edge.pem');
    const key = join(dir, 'edge.key');
    const { engine, events, id } = await tlsEngine({ cert, key }, upstream);
    const failed = view({ engine } as RunningEngine, id);
    expect(failed.state).toBe('failed');
    expect(failed.reason).toBe(`tls.cert: cannot read ${cert}: no such file (ENOENT)`);
    expect(events.find((e) => e.type === 'node.state' && e.state === 'failed')).toMatchObject({ node: id, reason: failed.reason });

    const pair = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    await writeFile(key, pair.private);
    await writeFile(cert, pair.cert);
    await waitFor(() => view({ engine } as RunningEngine, id).state === 'up', 5_000, 'the node to start once its files exist');
    expect(view({ engine } as RunningEngine, id).tls).toMatchObject({ certFile: cert, selfSigned: false });
  });
});

describe('stopping and reconfiguring a TLS proxy', () => {
  it('closes an h2 session at a stop, and serves again after a start with the same self-signed certificate', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream);
    const { engine, port, id } = running;
    const before = view(running, id).tls!;
    const ca = await readFile(before.certFile, 'utf8');
    const session = h2Session(port(id), ca);
    expect((await h2Send(session, { ':path': '/1' })).headers[':status']).toBe(200);
    const fault = await engine.injectFault({ target: id, type: 'down' });
    await waitFor(() => session.closed || session.destroyed, 5_000, 'the h2 session to close');
    expect(view(running, id).state).toBe('stopped');
    await engine.clearFault(fault.id);
    await waitFor(() => view(running, id).state === 'up');
    expect(view(running, id).tls!.fingerprint256).toBe(before.fingerprint256);
    expect((await httpsGet(port(id), ca, '/2')).status).toBe(200);
  });

  it('takes a reset fault by resetting the TCP connection under TLS, over HTTP/1.1 and HTTP/2 alike', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream);
    const { engine, events, port, id } = running;
    const ca = await readFile(view(running, id).tls!.certFile, 'utf8');
    await engine.injectFault({ target: id, type: 'reset' });
    expect(await httpsGet(port(id), ca).catch((error: NodeJS.ErrnoException) => error.code)).toBe('ECONNRESET');
    const session = h2Session(port(id), ca);
    const stream = session.request({ ':path': '/' });
    stream.end();
    const [error] = (await once(stream, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
    const completed = await waitFor(() => {
      const all = events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed');
      return all.length === 2 ? all : undefined;
    });
    expect(completed.map((e) => [e.status, e.error])).toEqual([
      [444, 'FAULT_INJECTED_RESET'],
      [444, 'FAULT_INJECTED_RESET'],
    ]);
    expect(upstream.received).toEqual([]);
  });

  it('keeps its listener and certificate through a config that leaves tls alone, and is replaced by another tls', async () => {
    const upstream = await echoUpstream();
    const running = await tlsEngine(true, upstream);
    const { engine, port, id } = running;
    const first = view(running, id).tls!;
    const firstPort = port(id);
    const apply = async (node: Record<string, unknown>) => {
      const result = validateConfig({ version: 1, nodes: [{ id, kind: 'proxy', to: upstream.url, ...node }] });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect((await engine.apply(result.config)).failures).toEqual([]);
    };
    await apply({ tls: true, label: 'edge' });
    expect([port(id), view(running, id).tls!.fingerprint256]).toEqual([firstPort, first.fingerprint256]);

    await apply({ tls: { http2: false } });
    const second = view(running, id).tls!;
    expect(second.protocols).toEqual(['http/1.1']);
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    const socket = connectTls({ port: port(id), host: '127.0.0.1', ca: await readFile(second.certFile, 'utf8'), ALPNProtocols: ['h2', 'http/1.1'] });
    await once(socket, 'secureConnect');
    expect(socket.alpnProtocol).toBe('http/1.1');
    socket.destroy();

    await apply({});
    expect(view(running, id).tls).toBeUndefined();
    const plain = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: port(id), path: '/', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(plain).toBe(200);
  });
});

describe('the traffic generator to a TLS proxy', () => {
  it.each([
    [false, 'http/1.1'],
    [true, 'h2'],
  ])('speaks https trusting the proxy certificate (http2 %s: %s)', async (http2, protocol) => {
    const upstream = await echoUpstream();
    const id = tlsNodeId();
    const running = await startEngine({
      version: 1,
      nodes: [{ id, kind: 'proxy', to: upstream.url, tls: true }],
      traffic: [{ to: id, rate: 50, clients: 1, paths: ['/t'], http2 }],
    });
    cleanups.push(() => running.stop());
    await running.engine.startTraffic();
    await waitFor(() => upstream.received.length >= 3, 5_000, 'requests through the TLS proxy');
    await running.engine.stopTraffic();
    const stats = running.engine.traffic.stats();
    expect(stats.statusClasses['2xx']).toBeGreaterThan(0);
    expect(stats.errorCodes).toEqual({});
    expect(upstream.received[0].headers['x-forwarded-proto']).toBe('https');
    const received = running.events.filter((e): e is EventOf<'request.received'> => e.type === 'request.received');
    expect(new Set(received.map((e) => e.protocol))).toEqual(new Set([protocol]));
    const connections = running.events.filter((e): e is EventOf<'tls.connection'> => e.type === 'tls.connection');
    expect(connections.map((c) => [c.outcome, c.protocol])).toContainEqual(['established', protocol]);
    expect(connections.every((c) => c.outcome === 'established')).toBe(true);
  });

  // Without keep-alive every request is a connection of its own (one more handshake may be done whose request
  // the stop cut off); with it (or h2) a connection carries many, though a loaded machine may overlap two
  // requests of the client and open a second connection: hence 3.
  it.each([
    { keepAlive: false, http2: false, perHandshake: (n: number) => n > 0.9 && n <= 1 },
    { keepAlive: true, http2: false, perHandshake: (n: number) => n >= 3 },
    { keepAlive: false, http2: true, perHandshake: (n: number) => n >= 3 },
  ])('keepAlive $keepAlive, http2 $http2: the handshakes the requests cost', async ({ keepAlive, http2, perHandshake }) => {
    const upstream = await echoUpstream();
    const id = tlsNodeId();
    const running = await startEngine({
      version: 1,
      nodes: [{ id, kind: 'proxy', to: upstream.url, tls: true }],
      traffic: [{ to: id, rate: 40, clients: 1, paths: ['/t'], keepAlive, http2 }],
    });
    cleanups.push(() => running.stop());
    await running.engine.startTraffic();
    await waitFor(() => upstream.received.length >= 30, 5_000, 'requests through the TLS proxy');
    await running.engine.stopTraffic();
    const tls = running.engine.metrics.snapshot()[id].tls!;
    const requests = tls.requests.h2 + tls.requests['http/1.1'];
    expect(requests).toBeGreaterThanOrEqual(30);
    expect(tls.failed).toBe(0);
    expect(perHandshake(requests / tls.handshakes), `${requests} requests over ${tls.handshakes} handshakes`).toBe(true);
  });

  it('follows a proxy that turns TLS on while it runs: from the next request on it speaks https, and nothing fails', async () => {
    const upstream = await echoUpstream();
    const id = tlsNodeId();
    const config = (tls: boolean) => ({
      version: 1 as const,
      nodes: [{ id, kind: 'proxy' as const, to: upstream.url, ...(tls ? { tls: true } : {}) }],
      traffic: [{ to: id, rate: 50, clients: 2, paths: ['/t'] }],
    });
    const running = await startEngine(config(false));
    cleanups.push(() => running.stop());
    await running.engine.startTraffic();
    await waitFor(() => upstream.received.length >= 5, 5_000, 'plain requests');
    const validated = validateConfig(config(true));
    if (!validated.ok) throw new Error('invalid config');
    await running.engine.apply(validated.config, validated.input);
    const before = upstream.received.length;
    await waitFor(() => upstream.received.slice(before).some((r) => r.headers['x-forwarded-proto'] === 'https'), 5_000, 'a request over TLS');
    await waitFor(() => upstream.received.length >= before + 10, 5_000, 'more requests');
    await running.engine.stopTraffic();
    expect(upstream.received.at(-1)!.headers['x-forwarded-proto']).toBe('https');
    expect(running.engine.metrics.snapshot()[id].tls).toMatchObject({ failed: 0 });
    expect(running.engine.traffic.stats().statusClasses['5xx'] ?? 0).toBe(0);
  });
});
