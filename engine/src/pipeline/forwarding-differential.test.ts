/**
 * Differential test of the forwarding path: the same raw requests through an EdgeLab proxy and through
 * real nginx (Debian's, started as the other differential tests start it), and some through HAProxy
 * where it answers otherwise than nginx (1xx, trailers, two equal lengths), all in front of one raw
 * upstream that records the bytes it received and answers with bytes of its own (a lying 204, a 103,
 * trailers...). Where both follow RFC 9110/9112 they must agree; where nginx does not (it keeps the
 * fields Connection names, ignores Max-Forwards, passes a 204's Content-Length), or EdgeLab chose
 * otherwise (TRACE, WebSocket), each side's answer is asserted, so that the difference is on record
 * and a change on either side shows.
 *
 * nginx runs as the usual reverse proxy: `proxy_http_version 1.1`, keep-alive upstream connections
 * (`Connection ""`), `Host $host`, `X-Forwarded-For $proxy_add_x_forwarded_for`, and the WebSocket
 * upgrade map of its documentation; HAProxy in HTTP mode with one server. Without them the suite is
 * skipped with the reason in its title.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  haproxy,
  nginx,
  startHaproxy,
  startNginxWith,
  suiteTitle,
  type Backend,
  type Balancer,
} from '../balancer/differential/references.ts';
import { parseResponse, startEngine, type RawResponse, type RunningEngine } from '../testing/harness.ts';

/** What the upstream answers, by path: raw bytes, as a Node server would not write them. */
const ANSWERS: Record<string, string> = {
  '/hop':
    'HTTP/1.1 200 OK\r\nConnection: X-A, x-B\r\nconnection: X-c\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nKeep-Alive: timeout=5\r\n' +
    'TE: trailers\r\nTrailer: X-T\r\nUpgrade: foo\r\nProxy-Connection: keep-alive\r\nX-End: kept\r\nContent-Length: 2\r\n\r\nok',
  '/head': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\n\r\n',
  '/lying-204': 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello',
  '/lying-304': 'HTTP/1.1 304 Not Modified\r\nETag: "a"\r\n\r\nhello',
  '/trailers': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 42\r\n\r\n',
  '/two-lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk',
  '/equal-lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok',
  '/interim': 'HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 199 Misc\r\nX-Note: a\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  '/unasked-100': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  '/via': 'HTTP/1.1 200 OK\r\nVia: 1.0 fred, 1.1 p.example.net (Apache/1.1)\r\nContent-Length: 2\r\n\r\nok',
  '/ws': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
};
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** One request as the upstream received it. */
interface Received {
  line: string;
  headers: Record<string, string>;
  body: string;
}

/** A raw upstream: parses each request off its connections (Content-Length or chunked bodies), records it, answers by path. */
async function recordingUpstream(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let tunnel = false;
    socket.on('data', (chunk: Buffer) => {
      if (tunnel) return;
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const [line, ...fields] = buffer.slice(0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const field of fields) {
          const colon = field.indexOf(':');
          const name = field.slice(0, colon).toLowerCase();
          const value = field.slice(colon + 1).trim();
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
        }
        const rest = buffer.slice(end + 4);
        let length = 0;
        if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
          const last = rest.indexOf('0\r\n\r\n');
          if (last === -1) return;
          length = last + 5;
        } else if (headers['content-length'] !== undefined) {
          length = Number(headers['content-length']);
          if (rest.length < length) return;
        }
        received.push({ line, headers, body: rest.slice(0, length) });
        buffer = rest.slice(length);
        const path = line.split(' ')[1] ?? '/';
        socket.write(ANSWERS[path] ?? OK);
        if (path === '/ws') tunnel = true;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What one proxy did with one request: every byte the client got, the first answer parsed, what reached the upstream. */
interface Seen {
  raw: string;
  first: RawResponse;
  upstream: Received[];
  /** The connection was still open after GUARD_MS (a tunnel, or a proxy waiting on something). */
  open: boolean;
}

const GUARD_MS = 1_500;

/** Send raw bytes; for `Expect: 100-continue`, the body only after the 100; read until the proxy closes (or the guard). */
function exchange(port: number, request: string, body?: string): Promise<{ raw: string; open: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let raw = '';
    let sent = body === undefined;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (!sent && raw.includes(' 100 Continue\r\n\r\n')) {
        sent = true;
        socket.write(body!);
      }
    });
    socket.on('error', () => {});
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ raw, open: true });
    }, GUARD_MS);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ raw, open: false });
    });
    socket.write(request);
  });
}

type Proxy = 'edgelab' | 'nginx' | 'haproxy';

interface Case {
  name: string;
  request: string;
  /** Sent after the 100 Continue. */
  body?: string;
  /** Holds for EdgeLab and nginx. */
  both?: (seen: Seen) => void;
  /** Holds for one: where they differ, and why. A case runs through HAProxy when it says what HAProxy does. */
  edgelab?: (seen: Seen) => void;
  nginx?: (seen: Seen) => void;
  haproxy?: (seen: Seen) => void;
  /** nginx 1.22 takes no 1xx but 100 and 101: it waits on for a final answer it has already read. */
  withoutNginx?: boolean;
}

const get = (target: string, fields = 'Host: lab\r\n', version = 'HTTP/1.1') =>
  `GET ${target} ${version}\r\n${fields}Connection: close\r\n\r\n`;
const line = (seen: Seen) => seen.raw.slice(0, seen.raw.indexOf('\r\n'));
const nothingUpstream = (seen: Seen) => expect(seen.upstream).toEqual([]);

const CASES: Case[] = [
  {
    name: 'request hop-by-hop fields: Connection (several, odd case, two lines) and what it names, Keep-Alive, TE, Proxy-Connection',
    request:
      'GET /a HTTP/1.1\r\nHost: lab\r\nConnection: X-A, x-b\r\nconnection: X-C, close\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nKeep-Alive: timeout=5\r\n' +
      'TE: gzip\r\nProxy-Connection: keep-alive\r\nX-End: kept\r\n\r\n',
    both: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.upstream).toHaveLength(1);
      const { headers } = seen.upstream[0]!;
      expect(headers['x-end']).toBe('kept');
      for (const name of ['keep-alive', 'te']) expect(headers, name).not.toHaveProperty(name);
    },
    edgelab: (seen) => {
      for (const name of ['x-a', 'x-b', 'x-c', 'proxy-connection']) expect(seen.upstream[0]!.headers, name).not.toHaveProperty(name);
    },
    // nginx does not read Connection's options (RFC 9110 section 7.6.1 asks a proxy to remove them); nor does HAProxy, which keeps Keep-Alive too.
    nginx: (seen) =>
      expect(seen.upstream[0]!.headers).toMatchObject({ 'x-a': '1', 'x-b': '2', 'x-c': '3', 'proxy-connection': 'keep-alive' }),
    haproxy: (seen) => {
      expect(seen.upstream[0]!.headers).toMatchObject({ 'x-a': '1', 'x-c': '3', 'keep-alive': 'timeout=5' });
      expect(seen.upstream[0]!.headers).not.toHaveProperty('te');
    },
  },
  {
    name: 'response hop-by-hop fields',
    request: get('/hop'),
    both: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.first.body).toBe('ok');
      expect(seen.first.headers['x-end']).toBe('kept');
      expect(seen.first.headers).not.toHaveProperty('keep-alive');
    },
    edgelab: (seen) => {
      for (const name of ['x-a', 'x-b', 'x-c', 'te', 'trailer', 'upgrade', 'proxy-connection'])
        expect(seen.first.headers, name).not.toHaveProperty(name);
    },
    nginx: (seen) =>
      expect(seen.first.headers).toMatchObject({ 'x-a': '1', te: 'trailers', upgrade: 'foo', 'proxy-connection': 'keep-alive' }),
  },
  {
    name: "a client's Connection: close ends its connection, not the upstream's",
    request: get('/a'),
    both: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.first.headers.connection).toBe('close');
      expect(seen.open).toBe(false);
      expect(seen.upstream[0]!.headers.connection ?? '').not.toMatch(/close/i);
    },
  },
  {
    name: 'OPTIONS with Max-Forwards: 0',
    request: 'OPTIONS /a HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\nConnection: close\r\n\r\n',
    both: (seen) => expect(seen.first.status).toBe(200),
    // RFC 9110 section 7.6.2: the last recipient answers. nginx does not implement Max-Forwards.
    edgelab: (seen) => {
      expect(seen.first.headers.allow).toMatch(/OPTIONS/);
      nothingUpstream(seen);
    },
    nginx: (seen) => expect(seen.upstream[0]!.headers['max-forwards']).toBe('0'),
  },
  {
    name: 'OPTIONS with Max-Forwards: 3',
    request: 'OPTIONS /a HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 3\r\nConnection: close\r\n\r\n',
    edgelab: (seen) => expect(seen.upstream[0]!.headers['max-forwards']).toBe('2'),
    nginx: (seen) => expect(seen.upstream[0]!.headers['max-forwards']).toBe('3'),
  },
  {
    name: 'TRACE with Max-Forwards: 0',
    request: 'TRACE /a HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 0\r\nCookie: s=1\r\nConnection: close\r\n\r\n',
    // RFC 9110 section 9.3.8: the last recipient reflects the request (EdgeLab leaves the Cookie out).
    edgelab: (seen) => {
      expect(seen.first.headers['content-type']).toBe('message/http');
      expect(seen.first.body).toMatch(/^TRACE \/a HTTP\/1\.1\r\n/);
      expect(seen.first.body).not.toMatch(/cookie/i);
      nothingUpstream(seen);
    },
    nginx: (seen) => expect(seen.first.status).toBe(405),
    // HAProxy forwards it whatever Max-Forwards says.
    haproxy: (seen) => expect(seen.upstream[0]!.headers['max-forwards']).toBe('0'),
  },
  {
    name: 'TRACE',
    request: 'TRACE /a HTTP/1.1\r\nHost: lab\r\nMax-Forwards: 2\r\nConnection: close\r\n\r\n',
    // EdgeLab takes TRACE as RFC 9110 section 9.3.8 describes it (README: the edge rules); nginx refuses it.
    edgelab: (seen) => expect(seen.upstream[0]!.headers['max-forwards']).toBe('1'),
    nginx: (seen) => {
      expect(seen.first.status).toBe(405);
      nothingUpstream(seen);
    },
  },
  {
    name: 'Expect: 100-continue',
    request: 'POST /a HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    body: 'hello',
    both: (seen) => {
      expect(seen.raw.match(/ 100 Continue\r\n/g)).toHaveLength(1);
      expect(seen.raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
      expect(seen.upstream[0]!.body).toBe('hello');
      expect(seen.upstream[0]!.headers).not.toHaveProperty('expect');
    },
  },
  {
    name: 'an expectation other than 100-continue',
    request: 'POST /a HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\nExpect: foo\r\nConnection: close\r\n\r\nhello',
    // RFC 9110 section 10.1.1: a server MAY answer 417 to an expectation it does not meet; nginx ignores it.
    edgelab: (seen) => {
      expect(seen.first.status).toBe(417);
      nothingUpstream(seen);
    },
    nginx: (seen) => expect(seen.first.status).toBe(200),
  },
  {
    name: 'HEAD',
    request: 'HEAD /head HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n',
    both: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.first.headers['content-length']).toBe('1234');
      expect(seen.first.body).toBe('');
    },
  },
  {
    name: 'a 204 with a body, then another request on the same connection',
    request: 'GET /lying-204 HTTP/1.1\r\nHost: lab\r\n\r\n' + get('/a'),
    both: (seen) =>
      expect(seen.raw).toMatch(/^HTTP\/1\.1 204 No Content\r\n(?:[^\r]+\r\n)*\r\nHTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*\r\nok$/),
    // RFC 9110 section 8.6: a server must not send Content-Length in a 204; nginx passes the upstream's.
    edgelab: (seen) => expect(seen.first.headers).not.toHaveProperty('content-length'),
    nginx: (seen) => expect(seen.first.headers['content-length']).toBe('5'),
  },
  {
    name: 'a 304 with a body, then another request on the same connection',
    request: 'GET /lying-304 HTTP/1.1\r\nHost: lab\r\n\r\n' + get('/a'),
    both: (seen) =>
      expect(seen.raw).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n(?:[^\r]+\r\n)*\r\nHTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*\r\nok$/),
  },
  {
    name: 'response trailers',
    request: 'GET /trailers HTTP/1.1\r\nHost: lab\r\nTE: trailers\r\nConnection: close\r\n\r\n',
    both: (seen) => {
      expect(seen.first.headers.trailer).toBe('X-Sum');
      expect(seen.first.body).toMatch(/^2\r\nok\r\n0\r\n/);
    },
    edgelab: (seen) => expect(seen.first.body).toMatch(/\r\n0\r\nx-sum: 42\r\n\r\n$/i),
    // nginx announces the trailer and sends none.
    nginx: (seen) => expect(seen.first.body).toMatch(/\r\n0\r\n\r\n$/),
    haproxy: (seen) => expect(seen.first.body).toMatch(/^2\r\nok\r\n0\r\nx-sum: 42\r\n\r\n$/i),
  },
  {
    name: 'response trailers to an HTTP/1.0 client',
    request: 'GET /trailers HTTP/1.0\r\nHost: lab\r\n\r\n',
    both: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.first.body).toBe('ok');
    },
    // No chunked body for HTTP/1.0 (RFC 9112 section 6.1), so no trailer section: EdgeLab drops the announcement too.
    edgelab: (seen) => expect(seen.first.headers).not.toHaveProperty('trailer'),
    nginx: (seen) => expect(seen.first.headers.trailer).toBe('X-Sum'),
    // HAProxy 2.6 sends the HTTP/1.0 client a chunked body.
    haproxy: (seen) => expect(seen.first.headers['transfer-encoding']).toBe('chunked'),
  },
  {
    name: 'an absolute-form target',
    request: get('http://other.test:81/p?q=1'),
    both: (seen) => expect(seen.upstream[0]!.line).toBe('GET /p?q=1 HTTP/1.1'),
    // RFC 9112 section 3.2.2: Host becomes the target's authority; nginx's $host drops its port.
    edgelab: (seen) => expect(seen.upstream[0]!.headers.host).toBe('other.test:81'),
    nginx: (seen) => expect(seen.upstream[0]!.headers.host).toBe('other.test'),
  },
  ...(
    [
      ['an authority-form target without CONNECT', get('lab:80'), 400],
      ['HTTP/1.1 without Host', get('/a', ''), 400],
      ['two Host fields', get('/a', 'Host: lab\r\nHost: other\r\n'), 400],
      ['a Host with a space', get('/a', 'Host: la b\r\n'), 400],
      ['an HTTP/2.0 request line on a plain port', get('/a', 'Host: lab\r\n', 'HTTP/2.0'), 505],
    ] as const
  ).map(([name, request, status]): Case => ({
    name,
    request,
    both: (seen) => {
      expect(seen.first.status).toBe(status);
      nothingUpstream(seen);
    },
  })),
  {
    name: 'HTTP/1.0 without Host',
    request: 'GET /a HTTP/1.0\r\n\r\n',
    both: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.upstream).toHaveLength(1);
    },
  },
  {
    name: 'OPTIONS *',
    request: 'OPTIONS * HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n',
    // RFC 9112 section 3.2.4: the server as a whole is asked; nginx refuses the asterisk form.
    edgelab: (seen) => {
      expect(seen.first.status).toBe(200);
      expect(seen.first.headers.allow).toMatch(/GET/);
      nothingUpstream(seen);
    },
    nginx: (seen) => expect(seen.first.status).toBe(400),
  },
  {
    name: 'an HTTP/0.9 request',
    request: 'GET /a\r\n\r\n',
    edgelab: (seen) => {
      expect(seen.first.status).toBe(505);
      nothingUpstream(seen);
    },
    // nginx still speaks 0.9: the body alone.
    nginx: (seen) => expect(seen.raw).toBe('ok'),
  },
  {
    name: 'a WebSocket handshake',
    request:
      'GET /ws HTTP/1.1\r\nHost: lab\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    // EdgeLab tunnels none: a clear refusal at once, nothing upstream. nginx with its upgrade map tunnels it.
    edgelab: (seen) => {
      expect(line(seen)).toBe('HTTP/1.1 501 Not Implemented');
      expect(seen.first.headers['x-edgelab-error']).toBe('EDGE_UPGRADE_NOT_SUPPORTED');
      expect(seen.open).toBe(false);
      nothingUpstream(seen);
    },
    nginx: (seen) => {
      expect(seen.first.status).toBe(101);
      expect(seen.upstream[0]!.headers.upgrade).toBe('websocket');
    },
  },
  {
    name: 'X-Forwarded-For, and a malformed Forwarded',
    request: get('/a', 'Host: lab\r\nX-Forwarded-For: 192.0.2.43\r\nForwarded: for="unterminated\r\n'),
    both: (seen) => expect(seen.upstream[0]!.headers['x-forwarded-for']).toBe('192.0.2.43, 127.0.0.1'),
    edgelab: (seen) => expect(seen.upstream[0]!.headers.forwarded).toMatch(/^for=127\.0\.0\.1;by="127\.0\.0\.1:\d+";proto=http;host=lab$/),
    nginx: (seen) => expect(seen.upstream[0]!.headers.forwarded).toBe('for="unterminated'),
  },
  {
    name: 'a Via with comments, both ways',
    request: get('/via', 'Host: lab\r\nVia: 1.0 fred, 1.1 p.example.net (Apache/1.1)\r\n'),
    edgelab: (seen) => {
      expect(seen.upstream[0]!.headers.via).toBe('1.0 fred, 1.1 p.example.net (Apache/1.1), 1.1 edge');
      expect(seen.first.headers.via).toBe('1.0 fred, 1.1 p.example.net (Apache/1.1), 1.1 edge');
    },
    // nginx adds no Via (RFC 9110 section 7.6.3: a proxy MUST).
    nginx: (seen) => {
      expect(seen.upstream[0]!.headers.via).toBe('1.0 fred, 1.1 p.example.net (Apache/1.1)');
      expect(seen.first.headers.via).toBe('1.0 fred, 1.1 p.example.net (Apache/1.1)');
    },
  },
  {
    name: 'an answer with two Content-Length fields that differ',
    request: get('/two-lengths'),
    // RFC 9112 section 6.3: an unrecoverable error, 502. nginx 1.22 passes the second one on.
    edgelab: (seen) => {
      expect(seen.first.status).toBe(502);
      expect(seen.first.headers['x-edgelab-error']).toBe('EDGE_UPSTREAM_PROTOCOL');
    },
    nginx: (seen) => expect(seen.first).toMatchObject({ status: 200, body: 'okk' }),
    haproxy: (seen) => expect(seen.first.status).toBe(502),
  },
  {
    name: 'an answer with two equal Content-Length fields',
    request: get('/equal-lengths'),
    // RFC 9110 section 8.6 lets a recipient refuse it or take the one length: undici refuses it.
    edgelab: (seen) => expect(seen.first.headers['x-edgelab-error']).toBe('EDGE_UPSTREAM_PROTOCOL'),
    nginx: (seen) => expect(seen.first).toMatchObject({ status: 200, body: 'ok' }),
    haproxy: (seen) => expect(seen.first).toMatchObject({ status: 200, body: 'ok' }),
  },
  {
    name: 'interim answers: 102, then an unknown 199 with a field',
    request: get('/interim'),
    withoutNginx: true,
    // RFC 9110 section 15.2: a proxy MUST forward 1xx answers.
    edgelab: (seen) =>
      expect(seen.raw).toMatch(/^HTTP\/1\.1 102 Processing\r\n\r\nHTTP\/1\.1 199 Misc\r\nx-note: a\r\n\r\nHTTP\/1\.1 200 OK\r\n/),
    haproxy: (seen) => expect(seen.raw).toMatch(/HTTP\/1\.1 199 Misc\r\nx-note: a\r\n\r\nHTTP\/1\.1 200 OK\r\n/),
  },
  {
    name: 'a 100 Continue the request did not ask for',
    request: get('/unasked-100'),
    withoutNginx: true,
    // undici cuts a connection that answers 100 unasked (RFC 9110 section 15.2 asks a client to read past it): a 502.
    edgelab: (seen) => expect(seen.first.headers['x-edgelab-error']).toBe('EDGE_UPSTREAM_PROTOCOL'),
    haproxy: (seen) => expect(seen.raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/),
  },
];

const NEEDS: Array<[string, typeof nginx]> = [
  ['nginx', nginx],
  ['haproxy', haproxy],
];

describe.skipIf(!nginx.bin || !haproxy.bin)(suiteTitle('the forwarding path against nginx and HAProxy', NEEDS), () => {
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  let running: RunningEngine;
  let references: Balancer[] = [];
  const ports = {} as Record<Proxy, number>;

  beforeAll(async () => {
    upstream = await recordingUpstream();
    const origin = `127.0.0.1:${upstream.port}`;
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: `http://${origin}` }] });
    const reference = await startNginxWith(
      (port) => `  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${origin};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 5s;
    }
  }`,
    );
    const balancer = await startHaproxy([{ backend: { name: 'upstream', address: origin } as Backend }], 'roundrobin');
    references = [reference, balancer];
    ports.edgelab = running.port('edge');
    ports.nginx = reference.port;
    ports.haproxy = balancer.port;
  });
  afterAll(async () => {
    await running?.stop();
    for (const reference of references) await reference.stop();
    await upstream?.close();
  });

  describe.each(CASES)('$name', (c) => {
    const through: Proxy[] = ['edgelab'];
    if (!c.withoutNginx) through.push('nginx');
    if (c.haproxy) through.push('haproxy');
    it.each(through)('through %s', async (proxy) => {
      const before = upstream.received.length;
      const { raw, open } = await exchange(ports[proxy], c.request, c.body);
      const seen: Seen = { raw, first: parseResponse(raw), upstream: upstream.received.slice(before), open };
      if (proxy !== 'haproxy') c.both?.(seen);
      c[proxy]?.(seen);
    });
  });
});
