/**
 * Hostile requests against a real proxy in front of a recording upstream, on raw sockets: ambiguous
 * framing (request smuggling), malformed lengths and chunks, obfuscated Transfer-Encoding, obs-fold,
 * bare LF and CR, control bytes in fields, oversized heads. Each must be refused with its status and
 * code, and the upstream must see nothing of it: after the refusal a marker request goes through, and
 * the upstream's log must hold the marker alone.
 *
 * Who refuses what (Node 20's llhttp in strict mode, then the edge rules, nodes/edge-rules.ts):
 * llhttp refuses every case in the first table itself, before a node sees the request, except
 * `Transfer-Encoding` in HTTP/1.0 and codings other than chunked, which the edge rules refuse. What
 * llhttp lets through is legitimate per RFC 9112 (`Content-Length: 002`, `CHUNKED`, a tab before the
 * value, obs-text bytes in a value) and the second table shows what the engine forwards for it: one
 * framing, never both. The filter (proxy/filter/) refuses Content-Length with Transfer-Encoding and
 * repeated Content-Length again, should a parser ever let them through.
 */
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  parseResponse,
  rawUpstream,
  startEngine,
  waitFor,
  type RawResponse,
  type RawUpstream,
  type RunningEngine,
} from '../testing/harness.ts';

let upstream: RawUpstream;
let running: RunningEngine;
/** Told of each request the upstream receives, when a test sets it. */
let watchUpstream: ((req: IncomingMessage) => void) | undefined;
/** Bodies the upstream read to their end, by request target. */
const completed: Array<{ url: string; body: string }> = [];

beforeAll(async () => {
  upstream = await rawUpstream((req, res) => {
    watchUpstream?.(req);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      completed.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('latin1') });
      res.end('ok');
    });
  });
  running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
});
afterAll(async () => {
  await running.stop();
  await upstream.close();
});
beforeEach(() => {
  upstream.received.length = 0;
  completed.length = 0;
});

/**
 * Write `bytes` (latin1, so every byte is as written) on a new connection and read until the server
 * closes it; `between` runs before each part after the first. `halfClose` ends the client's side after
 * the last byte, so a request still waiting for body bytes is malformed rather than slow.
 */
function send(
  bytes: string | string[],
  options: { between?: () => Promise<unknown>; halfClose?: boolean; from?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect({ port: running.port('edge'), host: '127.0.0.1', localAddress: options.from ?? '127.0.0.1' });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(parseResponse(data)));
    const parts = typeof bytes === 'string' ? [bytes] : bytes;
    void (async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await options.between?.();
        socket.write(part, 'latin1');
      }
      if (options.halfClose) socket.end();
    })();
  });
}

/** After a refusal, a marker request goes through; the upstream must then have read no body but the marker's (none). */
async function expectUpstreamSawNothingComplete(): Promise<void> {
  const marker = await send('GET /marker HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
  expect(marker.status).toBe(200);
  await waitFor(() => completed.some((c) => c.url === '/marker'), 5_000, 'the marker at the upstream');
  expect(completed.map((c) => c.url)).toEqual(['/marker']);
}

/** After a refusal, a marker request goes through; the upstream must then have seen the marker alone. */
async function expectUpstreamSawNothing(): Promise<void> {
  const marker = await send('GET /marker HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
  expect(marker.status).toBe(200);
  await waitFor(() => completed.some((c) => c.url === '/marker'), 5_000, 'the marker at the upstream');
  expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /marker']);
}

const post = (headers: string, body = '') => `POST /users HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n${headers}\r\n${body}`;
const get = (headers: string, line = 'GET /users HTTP/1.1') => `${line}\r\nConnection: close\r\n${headers}\r\n`;
const chunked = (body: string) => post('Transfer-Encoding: chunked\r\n', body);

describe('refused, and the upstream sees nothing', () => {
  it.each<[string, string, number, string]>([
    // Two framings: RFC 9112 section 6.1 (a proxy must not forward both; llhttp refuses them).
    [
      'Content-Length with Transfer-Encoding (CL.TE)',
      post('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nG'),
      400,
      'EDGE_BAD_REQUEST',
    ],
    [
      'Transfer-Encoding with a short Content-Length (TE.CL)',
      post('Content-Length: 4\r\nTransfer-Encoding: chunked\r\n', '5c\r\nGPOST /admin HTTP/1.1\r\nHost: lab\r\n\r\n0\r\n\r\n'),
      400,
      'EDGE_BAD_REQUEST',
    ],
    [
      'Transfer-Encoding before Content-Length',
      post('Transfer-Encoding: chunked\r\nContent-Length: 3\r\n', '0\r\n\r\n'),
      400,
      'EDGE_BAD_REQUEST',
    ],
    // Lengths: section 6.3, a list or a repeat of lengths is an error even when they agree.
    ['two equal Content-Length fields', post('Content-Length: 2\r\nContent-Length: 2\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['two different Content-Length fields', post('Content-Length: 2\r\nContent-Length: 30\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['a Content-Length list', post('Content-Length: 2, 2\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['a signed Content-Length', post('Content-Length: +2\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['a negative Content-Length', post('Content-Length: -1\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['a hexadecimal Content-Length', post('Content-Length: 0x2\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['a Content-Length with a space inside', post('Content-Length: 1 2\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['an empty Content-Length', post('Content-Length: \r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    ['a Content-Length past 2^64', post(`Content-Length: ${'9'.repeat(25)}\r\n`, 'hi'), 400, 'EDGE_BAD_REQUEST'],
    // Obfuscated Transfer-Encoding: anything but a clean final chunked.
    ['Transfer-Encoding: xchunked', post('Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['Transfer-Encoding: chunked, identity', post('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    [
      'Transfer-Encoding twice, chunked then identity',
      post('Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n', '0\r\n\r\n'),
      400,
      'EDGE_BAD_REQUEST',
    ],
    ['a space before the Transfer-Encoding line', post(' Transfer-Encoding: chunked\r\n', '0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a tab before the Transfer-Encoding line', post('\tTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a space before the colon', post('Transfer-Encoding : chunked\r\n', '0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a vertical tab before chunked', post('Transfer-Encoding:\x0bchunked\r\n', '0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    [
      'Transfer-Encoding in HTTP/1.0',
      'POST /users HTTP/1.0\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'EDGE_BAD_REQUEST',
    ],
    // Chunks: section 7.1.
    ['a chunk size that is not hex', chunked('zz\r\nhi\r\n0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a chunk size past 2^64', chunked(`${'f'.repeat(18)}\r\nhi\r\n0\r\n\r\n`), 400, 'EDGE_BAD_REQUEST'],
    ['a space after the chunk size', chunked('2 \r\nhi\r\n0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a bare LF after the chunk size', chunked('2\nhi\r\n0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a bare LF after a chunk extension', chunked('2;a=b\nhi\r\n0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['chunk data longer than its size', chunked('2\r\nhiXX\r\n0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a Content-Length in the trailer', chunked('2\r\nhi\r\n0\r\nContent-Length: 5\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    // Line endings and field syntax: section 5.
    ['obs-fold (a continuation line)', get('Host: lab\r\nX-A: one\r\n two\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['bare LF line endings throughout', 'GET /users HTTP/1.1\nHost: lab\n\n', 400, 'EDGE_BAD_REQUEST'],
    ['a bare LF after one field', 'GET /users HTTP/1.1\r\nHost: lab\nX-A: b\r\n\r\n', 400, 'EDGE_BAD_REQUEST'],
    ['a bare CR inside the head', 'GET /users HTTP/1.1\r\nHost: lab\rX-A: b\r\n\r\n', 400, 'EDGE_BAD_REQUEST'],
    ['a NUL in a field value', get('Host: lab\r\nX-A: b\x00c\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a NUL in a field name', get('Host: lab\r\nX-\x00A: b\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a control byte in a field value', get('Host: lab\r\nX-A: b\x01c\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['DEL in a field value', get('Host: lab\r\nX-A: b\x7fc\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a space inside a field name', get('Host: lab\r\nX A: b\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a space inside the target', get('Host: lab\r\n', 'GET /a b HTTP/1.1'), 400, 'EDGE_BAD_REQUEST'],
    ['a parenthesis in a field name', get('Host: lab\r\nX(a): b\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['an empty field name', get('Host: lab\r\n: b\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a chunk size with 0x', chunked('0x2\r\nhi\r\n0\r\n\r\n'), 400, 'EDGE_BAD_REQUEST'],
    ['a 20 KB chunk extension', chunked(`2;${'a'.repeat(20_000)}\r\nhi\r\n0\r\n\r\n`), 400, 'EDGE_BAD_REQUEST'],
    [
      'Transfer-Encoding: chunked, chunked',
      post('Transfer-Encoding: chunked, chunked\r\n', '2\r\nhi\r\n0\r\n\r\n'),
      400,
      'EDGE_BAD_REQUEST',
    ],
    ['Transfer-Encoding: identity', post('Transfer-Encoding: identity\r\nContent-Length: 2\r\n', 'hi'), 400, 'EDGE_BAD_REQUEST'],
    // Methods: one Node's parser does not know is 501 (RFC 9110 section 9.1) when the line is well formed.
    ['an unknown method', get('Host: lab\r\n', 'BREW /pot HTTP/1.1'), 501, 'EDGE_METHOD_NOT_IMPLEMENTED'],
    [
      'a method in lower case (methods are case-sensitive)',
      get('Host: lab\r\n', 'get /users HTTP/1.1'),
      501,
      'EDGE_METHOD_NOT_IMPLEMENTED',
    ],
    ['a method with a byte no token has', get('Host: lab\r\n', 'G@T /users HTTP/1.1'), 400, 'EDGE_BAD_REQUEST'],
    // Sizes: Node's parser takes 16 KB of request head (request line included).
    ['a 20 KB header field', get(`Host: lab\r\nX-Big: ${'x'.repeat(20_000)}\r\n`), 431, 'EDGE_HEADERS_TOO_LARGE'],
    // A target past them is 414, as RFC 9112 section 3 asks and nginx answers.
    ['a 20 KB target', get('Host: lab\r\n', `GET /${'a'.repeat(20_000)} HTTP/1.1`), 414, 'EDGE_URI_TOO_LONG'],
    ['a 20 KB absolute-form target', get('Host: lab\r\n', `GET http://lab/${'a'.repeat(20_000)} HTTP/1.1`), 414, 'EDGE_URI_TOO_LONG'],
    ['a 20 KB header value after a short target', get(`Host: lab\r\nX-A: ${'a'.repeat(20_000)}\r\n`), 431, 'EDGE_HEADERS_TOO_LARGE'],
    // Count: Node keeps so many fields of a request (1023 when maxHeadersCount is left unset, not the
    // 2000 its docs say) and drops the rest without a word, while its parser still frames the body by a
    // Content-Length it dropped (the body was lost upstream) and the edge saw no Host.
    [
      'a Content-Length after 2000 other fields',
      post(`${'a:1\r\n'.repeat(2_000)}Content-Length: 5\r\n`, 'hello'),
      431,
      'EDGE_HEADERS_TOO_LARGE',
    ],
    ['a Host after 2000 other fields', get(`${'a:1\r\n'.repeat(2_000)}Host: lab\r\n`), 431, 'EDGE_HEADERS_TOO_LARGE'],
  ])('%s', async (_what, bytes, status, code) => {
    const res = await send(bytes);
    expect([res.status, res.headers['x-edgelab-error']]).toEqual([status, code]);
    expect(res.headers.connection).toBe('close');
    await expectUpstreamSawNothing();
  });

  it('a smuggled request after a good one on the same connection: the good one alone goes upstream', async () => {
    await send(
      'GET /first HTTP/1.1\r\nHost: lab\r\n\r\n' +
        'POST /second HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /third HTTP/1.1\r\nHost: lab\r\n\r\n',
    );
    await waitFor(() => completed.some((c) => c.url === '/first'), 5_000, 'the first request at the upstream');
    upstream.received.splice(0, 1);
    await expectUpstreamSawNothing();
  });
});

describe('what Node lets through, and what the engine forwards for it', () => {
  /** The framing fields the upstream received: never both, never one twice. */
  const framing = (rawHeaders: string[]) =>
    rawHeaders.filter((_, i) => i % 2 === 0).filter((name) => /^(content-length|transfer-encoding)$/i.test(name));

  it.each<[string, string]>([
    ['a Content-Length with leading zeros (1*DIGIT, RFC 9112 section 6.2)', post('Content-Length: 002\r\n', 'hi')],
    ['CHUNKED in capitals (codings are case-insensitive)', post('Transfer-Encoding: CHUNKED\r\n', '2\r\nhi\r\n0\r\n\r\n')],
    ['a tab before chunked (OWS)', post('Transfer-Encoding:\tchunked\r\n', '2\r\nhi\r\n0\r\n\r\n')],
    ['a chunk extension', chunked('2;name=value\r\nhi\r\n0\r\n\r\n')],
    ['a chunk size with leading zeros', chunked('0002\r\nhi\r\n0000\r\n\r\n')],
    [
      '2000 header fields, the most a node takes (Node kept 1023 of them, and lost the Content-Length)',
      post(`${'a:1\r\n'.repeat(1_997)}Content-Length: 2\r\n`, 'hi'),
    ],
  ])('%s: forwarded with one framing and the same body', async (_what, bytes) => {
    const res = await send(bytes);
    expect(res.status).toBe(200);
    await waitFor(() => completed[0], 5_000, 'the body at the upstream');
    expect(completed).toEqual([{ url: '/users', body: 'hi' }]);
    expect(upstream.received).toHaveLength(1);
    expect(framing(upstream.received[0].rawHeaders)).toHaveLength(1);
    const length = upstream.received[0].headers['content-length'];
    if (length !== undefined) expect(length).toBe('2');
  });

  it('a request inside a body whose Content-Length covers it is body bytes, never a second request', async () => {
    const inner = 'GET /admin HTTP/1.1\r\nHost: lab\r\n\r\n';
    const res = await send(post(`Content-Length: ${inner.length}\r\n`, inner));
    expect(res.status).toBe(200);
    await waitFor(() => completed[0], 5_000, 'the body at the upstream');
    expect(completed).toEqual([{ url: '/users', body: inner }]);
    expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /users']);
  });

  it('obs-text bytes in a value are forwarded as they came (RFC 9110 section 5.5 allows them)', async () => {
    const res = await send(get('Host: lab\r\nX-A: b\xffc\r\n'));
    expect(res.status).toBe(200);
    await waitFor(() => completed[0], 5_000, 'the request at the upstream');
    expect(upstream.received[0].headers['x-a']).toBe('b\xffc');
  });
});

/**
 * Bodies stream: a request whose head is whole is forwarded at once, so a body that turns out malformed
 * (or short) after that has its head and first bytes at the upstream already. The client gets its 400;
 * the upstream request is left waiting for the rest (pipeline/forwarder.ts aborts the upstream try on
 * the client's close only while the answer is unfinished, and the 400 has finished it).
 */
describe('a pipeline that goes bad', () => {
  /** Write `requests` in one go on a new connection; everything the proxy sent back until it closed. */
  const sendPipeline = (requests: string) =>
    new Promise<string>((resolve) => {
      const socket = connect({ port: running.port('edge'), host: '127.0.0.1' });
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', () => {});
      socket.on('close', () => resolve(data));
      socket.write(requests, 'latin1');
    });
  const statuses = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

  it('answers the good request first, then refuses the smuggled one with 400, in order, and closes', async () => {
    const raw = await sendPipeline(
      'GET /first HTTP/1.1\r\nHost: lab\r\n\r\n' + post('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nG'),
    );
    // The second status line follows the first answer's body directly.
    expect(statuses(raw)).toEqual([200, 400]);
    expect(raw).toMatch(/x-edgelab-error: EDGE_BAD_REQUEST/i);
    await waitFor(() => completed.some((c) => c.url === '/first'), 5_000, 'the first request at the upstream');
    expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /first']);
  });

  it('answers a 20 KB target behind a short request 414, after the short one', async () => {
    const raw = await sendPipeline(
      `GET /first HTTP/1.1\r\nHost: lab\r\n\r\n${get('Host: lab\r\n', `GET /${'a'.repeat(20_000)} HTTP/1.1`)}`,
    );
    expect(statuses(raw)).toEqual([200, 414]);
    expect(raw).toMatch(/x-edgelab-error: EDGE_URI_TOO_LONG/i);
    await waitFor(() => completed.some((c) => c.url === '/first'), 5_000, 'the first request at the upstream');
    expect(upstream.received.map((r) => r.url)).toEqual(['/first']);
  });

  it('runs none of the requests pipelined behind one the edge refused with connection: close', async () => {
    const requests = Array.from({ length: 10 }, (_, i) =>
      i === 4 ? `GET /p${i} HTTP/1.1\r\nHost: a b\r\n\r\n` : `POST /p${i} HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\n\r\nhi`,
    );
    const raw = await sendPipeline(requests.join(''));
    expect(statuses(raw)).toEqual([200, 200, 200, 200, 400]);
    expect(raw).toMatch(/x-edgelab-error: EDGE_INVALID_HOST/i);
    const marker = await send('GET /marker HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(marker.status).toBe(200);
    await waitFor(() => completed.some((c) => c.url === '/marker'), 5_000, 'the marker at the upstream');
    // The four before it were forwarded side by side: in any order.
    expect(upstream.received.map((r) => r.url).sort()).toEqual(['/marker', '/p0', '/p1', '/p2', '/p3']);
  });
});

describe('a malformed body that arrives after forwarding began', () => {
  it.each<[string, string[], boolean]>([
    ['a bad chunk size after a good chunk', [chunked('2\r\nhi\r\n'), 'zz\r\nmore\r\n0\r\n\r\n'], false],
    ['a body that ends before its Content-Length', [post('Content-Length: 10\r\n', 'hi'), 'abc'], true],
  ])('%s: the client gets 400, the upstream never a complete request', async (_what, parts, halfClose) => {
    const res = await send(parts, {
      between: () => waitFor(() => upstream.received.length > 0, 5_000, 'the request head at the upstream'),
      halfClose,
    });
    expect([res.status, res.headers['x-edgelab-error']]).toEqual([400, 'EDGE_BAD_REQUEST']);
    expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /users']);
    expect(completed).toEqual([]);
  });

  it('cuts the upstream request when the client body fails after forwarding began', async () => {
    // The upstream's request ends unfinished (its connection cut), not after a 20 s wait for the rest.
    let unfinished: boolean | undefined;
    const cut = new Promise<void>((resolve) => {
      watchUpstream = (req) => req.once('close', () => ((unfinished = !req.complete), resolve()));
    });
    const res = await send([chunked('2\r\nhi\r\n'), 'zz\r\nmore\r\n0\r\n\r\n'], {
      between: () => waitFor(() => upstream.received.length > 0, 5_000, 'the request head at the upstream'),
    });
    expect(res.status).toBe(400);
    await cut;
    watchUpstream = undefined;
    expect(unfinished).toBe(true);
  });
});

describe("the proxy's filter stage (proxy/filter/request-filter.ts), before forward", () => {
  beforeAll(async () => {
    await running.stop();
    running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'edge',
          kind: 'proxy',
          to: upstream.url,
          filter: {
            deny: ['127.0.0.66/32'],
            methods: ['GET', 'POST'],
            limits: { urlLength: 64, headerBytes: 2048, headerCount: 12, bodyBytes: 10 },
          },
        },
      ],
    });
  });

  it.each<[string, string, number, string]>([
    ['a target past urlLength', get('Host: lab\r\n', `GET /${'a'.repeat(80)} HTTP/1.1`), 414, 'EDGE_URI_TOO_LONG'],
    ['headers past headerBytes', get(`Host: lab\r\nX-Big: ${'b'.repeat(3000)}\r\n`), 431, 'EDGE_HEADERS_TOO_LARGE'],
    [
      'more headers than headerCount',
      get(`Host: lab\r\n${Array.from({ length: 15 }, (_, i) => `X-${i}: 1\r\n`).join('')}`),
      431,
      'EDGE_HEADERS_TOO_LARGE',
    ],
    ['a Content-Length past bodyBytes', post('Content-Length: 11\r\n', 'hello world'), 413, 'EDGE_BODY_TOO_LARGE'],
    ['a method not allowed', get('Host: lab\r\n', 'DELETE /users HTTP/1.1'), 405, 'EDGE_FILTER_METHOD_NOT_ALLOWED'],
  ])('%s: %i %s, nothing upstream, the reason in the trace', async (_what, bytes, status, code) => {
    const res = await send(bytes);
    expect([res.status, res.headers['x-edgelab-error']]).toEqual([status, code]);
    await expectUpstreamSawNothing();
    const step = running.events.find((e) => e.type === 'request.completed' && e.error === code);
    expect(step).toMatchObject({
      node: 'edge',
      stages: [{ stage: 'filter', verdict: 'respond', reason: expect.stringMatching(/^filter: /) }],
    });
  });

  it('refuses a denied client with 403 and lets the others through', async () => {
    const denied = await send(get('Host: lab\r\n'), { from: '127.0.0.66' });
    expect([denied.status, denied.headers['x-edgelab-error']]).toEqual([403, 'EDGE_FILTER_ADDRESS_DENIED']);
    await expectUpstreamSawNothing();
    expect((await send(get('Host: lab\r\n'), { from: '127.0.0.67' })).status).toBe(200);
  });

  describe('request buffering (nginx proxy_request_buffering on): with bodyBytes, the body is read whole before anything goes upstream', () => {
    const completedAt = (code: string) => running.events.findLast((e) => e.type === 'request.completed' && e.error === code);

    it('a chunked body within bodyBytes goes upstream whole, with its Content-Length, and the trace says it was read first', async () => {
      const res = await send(chunked('3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n'));
      expect(res.status).toBe(200);
      await waitFor(() => completed[0], 5_000, 'the body at the upstream');
      expect(completed).toEqual([{ url: '/users', body: 'hello' }]);
      expect(upstream.received[0].headers['content-length']).toBe('5');
      expect(upstream.received[0].headers['transfer-encoding']).toBeUndefined();
      const event = running.events.findLast((e) => e.type === 'request.completed' && e.status === 200);
      expect(event).toMatchObject({ stages: [{ stage: 'filter', verdict: 'continue', reason: expect.stringMatching(/^filter: read the whole body first \(5 bytes/) }, { stage: 'forward' }] });
    });

    it('a chunked body past bodyBytes: 413, counted, and the upstream sees nothing of it, not even its head', async () => {
      const before = running.engine.metrics.snapshot().edge.errorCodes.EDGE_BODY_TOO_LARGE ?? 0;
      const res = await send(chunked('8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n'));
      expect([res.status, res.headers['x-edgelab-error']]).toEqual([413, 'EDGE_BODY_TOO_LARGE']);
      await expectUpstreamSawNothing();
      expect(completedAt('EDGE_BODY_TOO_LARGE')).toMatchObject({
        stages: [{ stage: 'filter', verdict: 'respond', reason: 'filter: the body passed limits.bodyBytes 10 at 16 bytes (no Content-Length announced its size) -> 413' }],
      });
      expect(running.engine.metrics.snapshot().edge.errorCodes.EDGE_BODY_TOO_LARGE).toBe(before + 1);
    });

    it('the 413 goes out while the client is still sending; the rest is read and dropped, and the connection carries the next request', async () => {
      const socket = connect({ port: running.port('edge'), host: '127.0.0.1' });
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write('POST /big HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n');
      await waitFor(() => data.includes('\r\n\r\n'), 5_000, 'the 413 before the body ended');
      expect(data).toMatch(/^HTTP\/1\.1 413 /);
      socket.write(`10\r\n${'x'.repeat(16)}\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n`);
      await closed;
      expect(data.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
      expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /after']);
    });

    it('a body that turns out malformed gets 400, and the upstream sees nothing at all of it', async () => {
      const res = await send([chunked('2\r\nhi\r\n'), 'zz\r\nmore\r\n0\r\n\r\n'], {
        between: () => waitFor(() => running.events.some((e) => e.type === 'request.received' && e.path === '/users'), 5_000, 'the head at the proxy'),
      });
      expect(res.status).toBe(400);
      await expectUpstreamSawNothing();
    });

    it.each([
      ['closes its side (FIN): 400, as nginx logs a client that closed while sending its body', 'end', 'EDGE_BAD_REQUEST'],
      ['resets the connection (RST): EDGE_CLIENT_ABORTED', 'resetAndDestroy', 'EDGE_CLIENT_ABORTED'],
    ] as const)('a client that leaves before its body ends, and %s; nothing upstream', async (_how, leave, code) => {
      const path = `/gone-${leave}`;
      const socket = connect({ port: running.port('edge'), host: '127.0.0.1' });
      socket.on('error', () => {});
      socket.write(`POST ${path} HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n`);
      const received = await waitFor(() => running.events.find((e) => e.type === 'request.received' && e.path === path), 5_000, 'the head at the proxy');
      socket[leave]();
      const ended = await waitFor(() => running.events.find((e) => e.type === 'request.completed' && e.rid === (received as { rid: string }).rid), 5_000, 'the request to end');
      expect(ended).toMatchObject({ error: code });
      await expectUpstreamSawNothing();
    });
  });

  describe('Expect: 100-continue', () => {
    /**
     * The head alone on a new connection, its body only once 100 Continue came; everything the proxy
     * sent back until it closed (the body that never went keeps nothing open: the proxy closes).
     */
    const expectContinue = (path: string, body: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ port: running.port('edge'), host: '127.0.0.1' });
        let data = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => {
          data += chunk;
          if (data === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write(body);
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(data));
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
      });

    it('a body the filter would refuse by its Content-Length is refused before it is asked for: 413, no 100 Continue', async () => {
      const raw = await expectContinue('/big', 'hello world');
      expect(raw).toMatch(/^HTTP\/1\.1 413 /);
      expect(raw).toMatch(/x-edgelab-error: EDGE_BODY_TOO_LARGE/i);
      await expectUpstreamSawNothing();
    });

    it('a body that goes upstream is asked for with 100 Continue, then arrives whole', async () => {
      const raw = await expectContinue('/small', 'hello');
      expect(raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      await waitFor(() => completed[0], 5_000, 'the body at the upstream');
      expect(completed).toEqual([{ url: '/small', body: 'hello' }]);
    });
  });

  it('answers 408 to a client too slow with its headers (filter.timeouts.headers), nothing upstream', async () => {
    await running.stop();
    running = await startEngine({
      version: 1,
      nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url, filter: { timeouts: { headers: '200ms' } } }],
    });
    const started = performance.now();
    const res = await send(['GET /slow HTTP/1.1\r\nHost: lab\r\n', 'X-Late: 1\r\n\r\n'], {
      between: () => new Promise((r) => setTimeout(r, 1_000)),
    });
    expect([res.status, res.headers['x-edgelab-error']]).toEqual([408, 'EDGE_REQUEST_TIMEOUT']);
    expect(performance.now() - started).toBeLessThan(900);
    await expectUpstreamSawNothing();
  });

  it('answers 408 to a body that stops coming while the proxy reads it whole (bodyBytes, timeouts.body), nothing upstream', async () => {
    await running.stop();
    running = await startEngine({
      version: 1,
      nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url, filter: { limits: { bodyBytes: '1kb' }, timeouts: { headers: '200ms', body: '200ms' } } }],
    });
    const res = await send([chunked('5\r\nhello\r\n'), '5\r\nworld\r\n0\r\n\r\n'], {
      between: () => new Promise((r) => setTimeout(r, 1_000)),
    });
    expect([res.status, res.headers['x-edgelab-error']]).toEqual([408, 'EDGE_REQUEST_TIMEOUT']);
    await expectUpstreamSawNothing();
  });
});
