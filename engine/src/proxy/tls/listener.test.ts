/**
 * The TLS listener on real sockets: an HTTPS client that trusts the generated certificate gets its
 * answer over HTTP/1.1, one that does not trust it fails verification; an h2 client gets HTTP/2 on the
 * same port; each connection is reported with what it negotiated; a graceful stop closes h2 sessions.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectH2, type ClientHttp2Session } from 'node:http2';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { Client } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServingCertificate } from './certificate.ts';
import {
  closeIdleTlsConnections,
  createTlsListener,
  type TlsConnectionInfo,
  type TlsHandshakeFailure,
  type TlsListener,
  type TlsListenerOptions,
} from './listener.ts';
import { generateSelfSigned } from './self-signed.ts';

const HTTP1 = { keepAliveTimeoutMs: 5_000, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, checkEveryMs: 30_000 };

let dir: string;
let certificate: ServingCertificate;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgelab-listener-test-'));
  certificate = await generateSelfSigned({ nodeId: 'edge', now: Date.now(), dir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const started: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((stop) => stop()));
});

interface Started {
  server: TlsListener;
  port: number;
  connections: TlsConnectionInfo[];
  failures: TlsHandshakeFailure[];
}

/** A TLS listener on port 0 answering with the HTTP version each request came in. */
async function listen(options: Partial<TlsListenerOptions> = {}): Promise<Started> {
  const connections: TlsConnectionInfo[] = [];
  const failures: TlsHandshakeFailure[] = [];
  const server = createTlsListener({
    certificate,
    http2: true,
    http1: HTTP1,
    onRequest: (req, res) => {
      const body = JSON.stringify({ httpVersion: req.httpVersion, path: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    onConnection: (info) => connections.push(info),
    onHandshakeFailed: (failure) => failures.push(failure),
    ...options,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  started.push(async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    closeIdleTlsConnections(server);
    await closed;
  });
  return { server, port: (server.address() as AddressInfo).port, connections, failures };
}

function h2Client(port: number, host = 'localhost'): ClientHttp2Session {
  const session = connectH2(`https://${host}:${port}`, { ca: certificate.cert });
  started.push(async () => {
    if (!session.closed) await new Promise<void>((resolve) => session.close(resolve));
  });
  return session;
}

async function h2Get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  const stream = session.request({ ':path': path });
  const [headers] = (await once(stream, 'response')) as [Record<string, string | number>];
  let body = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) body += chunk;
  return { status: Number(headers[':status']), body };
}

describe('createTlsListener', () => {
  it('serves an HTTPS client that verifies the generated certificate, over HTTP/1.1, and reports the connection', async () => {
    const { port, connections } = await listen();
    const client = new Client(`https://127.0.0.1:${port}`, { connect: { ca: certificate.cert } });
    started.push(() => client.close());
    const response = await client.request({ path: '/users/1', method: 'GET' });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ httpVersion: '1.1', path: '/users/1' });
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ peer: '127.0.0.1', protocol: 'http/1.1', tlsVersion: 'TLSv1.3', resumed: false });
    expect(connections[0].cipher).toMatch(/^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
    expect(connections[0].handshakeMs).toBeGreaterThanOrEqual(0);
  });

  it('fails the handshake of a client that does not trust the certificate, and reports it', async () => {
    const { port, connections, failures } = await listen();
    const client = new Client(`https://127.0.0.1:${port}`);
    started.push(() => client.close());
    const error = await client.request({ path: '/', method: 'GET' }).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await expect.poll(() => failures.length).toBe(1);
    expect(failures[0].peer).toBe('127.0.0.1');
    expect(failures[0].reason).not.toBe('');
    expect(connections).toEqual([]);
  });

  it('serves an h2 client over HTTP/2 and an HTTP/1.1 client on the same port, each connection with its protocol', async () => {
    const { port, connections } = await listen();
    const h2 = await h2Get(h2Client(port), '/a');
    expect(h2).toEqual({ status: 200, body: JSON.stringify({ httpVersion: '2.0', path: '/a' }) });
    const client = new Client(`https://127.0.0.1:${port}`, { connect: { ca: certificate.cert } });
    started.push(() => client.close());
    const http1 = await client.request({ path: '/b', method: 'GET' });
    expect(await http1.body.json()).toEqual({ httpVersion: '1.1', path: '/b' });
    expect(connections.map((c) => c.protocol)).toEqual(['h2', 'http/1.1']);
  });

  it('takes a client without ALPN as HTTP/1.1', async () => {
    const { port, connections } = await listen();
    const socket = connectTls({ port, host: '127.0.0.1', ca: certificate.cert });
    started.push(async () => void socket.destroy());
    await once(socket, 'secureConnect');
    expect(socket.alpnProtocol).toBe(false);
    socket.end('GET /c HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    let reply = '';
    for await (const chunk of socket) reply += chunk;
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(connections.map((c) => c.protocol)).toEqual(['http/1.1']);
  });

  it('offers only http/1.1 with http2 off, so a client that prefers h2 gets HTTP/1.1', async () => {
    const { port, connections } = await listen({ http2: false });
    const socket = connectTls({ port, host: '127.0.0.1', ca: certificate.cert, ALPNProtocols: ['h2', 'http/1.1'] });
    started.push(async () => void socket.destroy());
    await once(socket, 'secureConnect');
    expect(socket.alpnProtocol).toBe('http/1.1');
    const client = new Client(`https://127.0.0.1:${port}`, { connect: { ca: certificate.cert } });
    started.push(() => client.close());
    expect(await (await client.request({ path: '/d', method: 'GET' })).body.json()).toEqual({ httpVersion: '1.1', path: '/d' });
    expect(connections.map((c) => c.protocol)).toEqual(['http/1.1', 'http/1.1']);
  });

  it.each([true, false])('applies the HTTP/1.1 keep-alive and headers timeouts it is given (http2 %s)', async (http2) => {
    const { port } = await listen({
      http2,
      http1: { keepAliveTimeoutMs: 4_000, headersTimeoutMs: 100, requestTimeoutMs: 60_000, checkEveryMs: 20 },
    });
    const socket = connectTls({ port, host: '127.0.0.1', ca: certificate.cert });
    started.push(async () => void socket.destroy());
    await once(socket, 'secureConnect');
    socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    const [answer] = (await once(socket, 'data')) as [Buffer];
    expect(String(answer)).toContain('\r\nKeep-Alive: timeout=4\r\n');
    // Headers that never end: Node answers 408 once the headers timeout has passed.
    socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    const [late] = (await once(socket, 'data')) as [Buffer];
    expect(String(late)).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('measures the handshake from the TCP accept to the secure connection, on the clock it is given', async () => {
    let clock = 1_000;
    // Each reading moves the clock 7 ms on: the accept reads it once, the end of the handshake once more.
    const { port, connections } = await listen({ now: () => (clock += 7) });
    await h2Get(h2Client(port), '/');
    expect(connections.map((c) => c.handshakeMs)).toEqual([7]);
  });

  it('reports plain HTTP sent to the TLS port as a failed handshake', async () => {
    const { port, failures } = await listen();
    const socket = connectTcp(port, '127.0.0.1');
    started.push(async () => void socket.destroy());
    socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await expect.poll(() => failures.length).toBe(1);
    expect(failures[0]).toMatchObject({ peer: '127.0.0.1', reason: 'ERR_SSL_HTTP_REQUEST' });
  });

  it('keeps an h2 session open through server.close() alone, and closes it with closeIdleTlsConnections', async () => {
    const { server, port } = await listen();
    const session = h2Client(port);
    await h2Get(session, '/');
    let closed = false;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve())).then(() => (closed = true));
    // A ping answered after close() proves the session still stands (and the server with it).
    await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
    expect(session.closed).toBe(false);
    expect(closed).toBe(false);
    closeIdleTlsConnections(server);
    await once(session, 'goaway');
    await serverClosed;
    expect(closed).toBe(true);
  });

  describe('an h2 session with no stream open for the idle time', () => {
    const IDLE = { h2IdleTimeoutMs: 200 };

    it('is closed with a GOAWAY (NO_ERROR), as an idle HTTP/1.1 connection is', async () => {
      const { port } = await listen(IDLE);
      const session = h2Client(port);
      await h2Get(session, '/');
      const [code] = (await once(session, 'goaway')) as [number];
      expect(code).toBe(0);
      await once(session, 'close');
    });

    it('is closed when its client never finishes a HEADERS block (a slowloris over h2)', async () => {
      const { port } = await listen(IDLE);
      const socket = connectTls({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], ca: certificate.cert, servername: 'localhost' });
      socket.on('error', () => {});
      started.push(async () => void socket.destroy());
      await once(socket, 'secureConnect');
      // The preface, empty SETTINGS, and HEADERS for GET / on stream 1 without END_HEADERS; no CONTINUATION follows.
      const headers = Buffer.from([0, 0, 3, 1, 0, 0, 0, 0, 1, 0x82, 0x87, 0x84]);
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), headers]));
      socket.resume();
      await once(socket, 'close');
    });

    it('stays open while a stream is: an answer slower than the idle time arrives', async () => {
      const { port } = await listen({
        ...IDLE,
        onRequest: (_req, res) => void setTimeout(() => res.end('late'), 600),
      });
      const session = h2Client(port);
      expect(await h2Get(session, '/slow')).toEqual({ status: 200, body: 'late' });
    });
  });
});
