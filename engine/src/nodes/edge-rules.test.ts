/**
 * The HTTP rules at the edge (edge-rules.ts, node-server.ts) on raw sockets against a real engine:
 * exact bytes in, the exact status line and headers out, and the events that say what was sent.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../bus.ts';
import { validateConfig } from '../config/validate.ts';
import type { EngineEvent, EventOf } from '../events.ts';
import { isEngineConnection, registerEngineConnection } from '../pipeline/engine-connections.ts';
import {
  freePort,
  parseResponse,
  rawHttp,
  rawUpstream,
  startEngine,
  waitFor,
  type RawResponse,
  type RawUpstream,
  type RunningEngine,
} from '../testing/harness.ts';
import { clientErrorCode, hostFieldCount, isValidHost, splitAbsoluteForm, transferCodingRefusal, viaNames } from './edge-rules.ts';
import { L4Links } from './l4-links.ts';
import type { NodeServer } from './node-server.ts';
import { ProxyNode } from '../proxy/proxy-node.ts';
import { ServiceNode } from '../service/service-node.ts';

const chainConfig = (service: Record<string, unknown> = {}) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'api' },
    { id: 'api', kind: 'gateway', routes: [{ match: { path: '/users/*' }, to: 'users' }] },
    { id: 'users', kind: 'balancer', algorithm: 'consistent-hash', hashKey: 'path', targets: ['users-1', 'users-2'] },
    { id: 'users-1', kind: 'service', ...service },
    { id: 'users-2', kind: 'service', ...service },
  ],
});

const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T, rid?: string) =>
  events.filter((e): e is EventOf<T> => e.type === type && (rid === undefined || (e as { rid?: string }).rid === rid));

const statusLine = (res: RawResponse) => res.raw.slice(0, res.raw.indexOf('\r\n'));

/** Every response in `raw`, in order (content-length bodies, none for 204/304 or a HEAD), for pipelined requests. */
function responses(raw: string, heads: readonly boolean[] = []): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const split = rest.indexOf('\r\n\r\n');
    if (split === -1) break;
    const head = parseResponse(rest.slice(0, split));
    const length = head.status === 204 || head.status === 304 || heads[out.length] ? 0 : Number(head.headers['content-length'] ?? 0);
    const body = rest.slice(split + 4, split + 4 + length);
    out.push({ ...head, body, raw: rest.slice(0, split + 4 + length) });
    rest = rest.slice(split + 4 + length);
  }
  return out;
}

/** Raw bytes on a connection that may first be registered as an engine node's own, read until the server closes. */
function rawFrom(port: number, request: string, options: { asEngineNode?: boolean; localAddress?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(parseResponse(data)));
    socket.once('connect', () => {
      if (options.asEngineNode) registerEngineConnection(socket, 'test-node');
      socket.write(request);
    });
  });
}

/** Write `parts` at their times (ms) and read until the server closes. */
function slowly(port: number, parts: Array<[number, string]>): Promise<{ raw: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ port, host: '127.0.0.1' });
    let raw = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ raw, ms: performance.now() - started }));
    for (const [at, text] of parts) setTimeout(() => socket.writable && socket.write(text), at);
  });
}

let running: RunningEngine | undefined;
let upstream: RawUpstream | undefined;
afterEach(async () => {
  await running?.stop();
  await upstream?.close();
  running = upstream = undefined;
});

describe('requests the edge refuses or answers itself', () => {
  let chain: RunningEngine;
  beforeAll(async () => {
    chain = await startEngine(chainConfig());
  });
  afterAll(() => chain.stop());

  const get = (line: string, headers = 'Host: lab\r\n') => `${line}\r\n${headers}Connection: close\r\n\r\n`;
  const post = (codings: string, extra = '') =>
    `POST /users/1 HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: ${codings}\r\n${extra}Connection: close\r\n\r\n0\r\n\r\n`;

  // Every one is counted: request.received/completed are emitted with the status sent, whether it was
  // answered through the response object, on CONNECT's socket, or on the raw socket of a request Node's
  // parser refused.
  it.each([
    ['two Host fields', get('GET /users/1 HTTP/1.1', 'Host: lab\r\nHost: other\r\n'), '400 Bad Request', 'EDGE_INVALID_HOST'],
    ['a Host with a space', get('GET /users/1 HTTP/1.1', 'Host: a b\r\n'), '400 Bad Request', 'EDGE_INVALID_HOST'],
    ['a Host with userinfo', get('GET /users/1 HTTP/1.1', 'Host: user@lab\r\n'), '400 Bad Request', 'EDGE_INVALID_HOST'],
    ['a Host with a port past 65535', get('GET /users/1 HTTP/1.1', 'Host: lab:99999\r\n'), '400 Bad Request', 'EDGE_INVALID_HOST'],
    [
      'a Host with a port that is not digits',
      get('GET /users/1 HTTP/1.1', 'Host: lab:8o\r\n'),
      '400 Bad Request',
      'EDGE_INVALID_HOST',
    ],
    ['an empty Host', get('GET /users/1 HTTP/1.1', 'Host: \r\n'), '400 Bad Request', 'EDGE_INVALID_HOST'],
    ['an unclosed IPv6 Host', get('GET /users/1 HTTP/1.1', 'Host: [::1\r\n'), '400 Bad Request', 'EDGE_INVALID_HOST'],
    ['HTTP/1.1 without Host', get('GET /users/1 HTTP/1.1', ''), '400 Bad Request', 'EDGE_INVALID_HOST'],
    [
      'an Expect other than 100-continue',
      get('POST /users/1 HTTP/1.1', 'Host: lab\r\nExpect: 200-ok\r\nContent-Length: 2\r\n'),
      '417 Expectation Failed',
      'EDGE_EXPECTATION_FAILED',
    ],
    [
      'more than 2000 header fields',
      get('GET /users/1 HTTP/1.1', `Host: lab\r\n${'a:1\r\n'.repeat(2_000)}`),
      '431 Request Header Fields Too Large',
      'EDGE_HEADERS_TOO_LARGE',
    ],
    ['a request line past 16 KB', get(`GET /${'a'.repeat(17_000)} HTTP/1.1`), '414 URI Too Long', 'EDGE_URI_TOO_LONG'],
    [
      'an absolute-form target with userinfo',
      get('GET http://user@example.test/users/1 HTTP/1.1'),
      '400 Bad Request',
      'EDGE_INVALID_HOST',
    ],
    [
      'an absolute-form target of another scheme',
      get('GET ftp://example.test/users/1 HTTP/1.1'),
      '400 Bad Request',
      'EDGE_BAD_REQUEST',
    ],
    ['the asterisk form on GET', get('GET * HTTP/1.1'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    [
      'HTTP/2.0 (llhttp lets it through)',
      get('GET /users/1 HTTP/2.0'),
      '505 HTTP Version Not Supported',
      'EDGE_VERSION_NOT_SUPPORTED',
    ],
    [
      'HTTP/0.9 (llhttp lets it through)',
      get('GET /users/1 HTTP/0.9'),
      '505 HTTP Version Not Supported',
      'EDGE_VERSION_NOT_SUPPORTED',
    ],
    ['an HTTP/0.9 simple request', 'GET /users/1\r\n\r\n', '505 HTTP Version Not Supported', 'EDGE_VERSION_NOT_SUPPORTED'],
    ['HTTP/1.2 (llhttp refuses it)', get('GET /users/1 HTTP/1.2'), '505 HTTP Version Not Supported', 'EDGE_VERSION_NOT_SUPPORTED'],
    ['HTTP/3.0', get('GET /users/1 HTTP/3.0'), '505 HTTP Version Not Supported', 'EDGE_VERSION_NOT_SUPPORTED'],
    ['HTTP/3, not an HTTP-version at all', get('GET /users/1 HTTP/3'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    [
      'the HTTP/2 connection preface',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      '505 HTTP Version Not Supported',
      'EDGE_VERSION_NOT_SUPPORTED',
    ],
    ['gzip before chunked', post('gzip, chunked'), '501 Not Implemented', 'EDGE_UNSUPPORTED_TRANSFER_CODING'],
    // llhttp hands these over with their headers and fails only at the body: the rules have refused them by then.
    ['gzip alone (no framing)', post('gzip'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    ['identity', post('identity'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    ['chunked before gzip', post('chunked, gzip'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    ['chunked twice', post('chunked\r\nTransfer-Encoding: chunked'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    ['Transfer-Encoding with Content-Length', post('chunked', 'Content-Length: 5\r\n'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    ['gzip, chunked with Content-Length', post('gzip, chunked', 'Content-Length: 5\r\n'), '400 Bad Request', 'EDGE_BAD_REQUEST'],
    [
      'Transfer-Encoding in HTTP/1.0',
      'POST /users/1 HTTP/1.0\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      '400 Bad Request',
      'EDGE_BAD_REQUEST',
    ],
    [
      'TRACE with content (RFC 9110 section 9.3.8)',
      'TRACE /users/1 HTTP/1.1\r\nHost: lab\r\nContent-Length: 2\r\n\r\nhi',
      '400 Bad Request',
      'EDGE_BAD_REQUEST',
    ],
    [
      'a WebSocket handshake (no node tunnels it)',
      get('GET /users/1 HTTP/1.1', 'Host: lab\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'),
      '501 Not Implemented',
      'EDGE_UPGRADE_NOT_SUPPORTED',
    ],
    [
      'a WebSocket handshake among other upgrades',
      get('GET /users/1 HTTP/1.1', 'Host: lab\r\nUpgrade: h2c, websocket/13\r\nConnection: Upgrade\r\n'),
      '501 Not Implemented',
      'EDGE_UPGRADE_NOT_SUPPORTED',
    ],
    [
      'CONNECT',
      'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n',
      '405 Method Not Allowed',
      'EDGE_METHOD_NOT_ALLOWED',
    ],
    [
      'headers too large',
      get('GET /users/1 HTTP/1.1', `Host: lab\r\nX-Big: ${'x'.repeat(20_000)}\r\n`),
      '431 Request Header Fields Too Large',
      'EDGE_HEADERS_TOO_LARGE',
    ],
    [
      'a header line without a colon',
      get('GET /users/1 HTTP/1.1', 'Host: lab\r\nBad Header\r\n'),
      '400 Bad Request',
      'EDGE_BAD_REQUEST',
    ],
  ])('%s: %s', async (_name, request, line, code) => {
    const before = chain.events.length;
    const res = await rawHttp(chain.port('edge'), request);
    expect(statusLine(res)).toBe(`HTTP/1.1 ${line}`);
    expect(res.headers['x-edgelab-error']).toBe(code);
    expect(JSON.parse(res.body)).toMatchObject({ error: code });
    if (code === 'EDGE_METHOD_NOT_ALLOWED') expect(res.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE');
    if (code !== 'EDGE_METHOD_NOT_ALLOWED') expect(res.headers.connection).toBe('close');
    const after = chain.events.slice(before);
    // Nothing went past the edge.
    expect(ofType(after, 'request.received').map((e) => e.node)).toEqual(['edge']);
    const completed = ofType(after, 'request.completed');
    expect(completed.map((e) => [e.node, e.status, e.error])).toEqual([['edge', res.status, code]]);
    expect(res.headers['x-request-id']).toBe(completed[0].rid);
    // And the edge serves the next client.
    const ok = await fetch(chain.url('edge', '/users/1'));
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });

  it('CONNECT is a request like any the edge refuses: its id in the answer and the events, the node that refused it, its count', async () => {
    const before = chain.events.length;
    const refused = () => chain.engine.metrics.snapshot().edge.errorCodes?.EDGE_METHOD_NOT_ALLOWED ?? 0;
    const counted = refused();
    const res = await rawHttp(chain.port('edge'), 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\nX-Request-Id: tunnel-1\r\n\r\n');
    expect([res.status, res.headers['x-request-id']]).toEqual([405, 'tunnel-1']);
    const after = chain.events.slice(before);
    expect(ofType(after, 'request.received')).toMatchObject([{ rid: 'tunnel-1', node: 'edge', from: 'client', method: 'CONNECT', path: 'example.test:443' }]);
    expect(ofType(after, 'request.completed')).toMatchObject([{ rid: 'tunnel-1', node: 'edge', status: 405, error: 'EDGE_METHOD_NOT_ALLOWED' }]);
    expect(refused()).toBe(counted + 1);
  });

  it.each([
    ['Transfer-Encoding with Content-Length', 'POST /users/1 HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', 'POST', '/users/1'],
    ['a header line without a colon', 'GET /users/2?x=1 HTTP/1.1\r\nHost: lab\r\nBad Header\r\n\r\n', 'GET', '/users/2?x=1'],
    ['HTTP/3.0', 'GET /users/3 HTTP/3.0\r\nHost: lab\r\n\r\n', 'GET', '/users/3'],
    ['a method that is no token', 'G@T /users/4 HTTP/1.1\r\nHost: lab\r\n\r\n', '-', '-'],
    ['a request line past 16 KB', `GET /${'a'.repeat(17_000)} HTTP/1.1\r\nHost: lab\r\n\r\n`, 'GET', `/${'a'.repeat(199)}...`],
    [
      'a bad request pipelined behind a good one',
      'GET /users/5 HTTP/1.1\r\nHost: lab\r\n\r\nDELETE /users/6 HTTP/1.1\r\nHost: lab\r\nBad Header\r\n\r\n',
      'DELETE',
      '/users/6',
    ],
  ])('a request the parser refuses (%s) shows in its events as its request line reads', async (_name, request, method, path) => {
    const before = chain.events.length;
    await rawHttp(chain.port('edge'), request);
    const received = ofType(chain.events.slice(before), 'request.received').filter((e) => e.node === 'edge');
    expect(received.at(-1)).toMatchObject({ from: 'client', method, path });
  });

  // Each part is its own TCP write, 50 ms apart, so the parser meets the head in pieces: the answer must
  // not depend on where the packets split (nginx: 414 for the request line, whatever its buffers saw).
  it.each([
    ['a request line in two writes', [`GET /${'a'.repeat(9_000)}`, `${'a'.repeat(9_000)} HTTP/1.1\r\nHost: lab\r\n\r\n`], ['414 URI Too Long']],
    ['a request line in five writes', ['GE', `T /${'a'.repeat(9_000)}`, 'a'.repeat(9_000), 'a'.repeat(9_000), ' HTTP/1.1\r\n\r\n'], ['414 URI Too Long']],
    [
      'a request line in two writes, after a whole request on the connection',
      ['GET /users/1 HTTP/1.1\r\nHost: lab\r\n\r\n', `GET /${'a'.repeat(9_000)}`, `${'a'.repeat(9_000)} HTTP/1.1\r\n\r\n`],
      ['200 OK', '414 URI Too Long'],
    ],
    [
      'a request line pipelined behind a whole request, then the rest of it',
      [`GET /users/1 HTTP/1.1\r\nHost: lab\r\n\r\nGET /${'a'.repeat(9_000)}`, `${'a'.repeat(9_000)} HTTP/1.1\r\n\r\n`],
      ['200 OK', '414 URI Too Long'],
    ],
    ['a header value in two writes', [`GET / HTTP/1.1\r\nHost: lab\r\nX-Big: ${'a'.repeat(9_000)}`, `${'a'.repeat(9_000)}\r\n\r\n`], ['431 Request Header Fields Too Large']],
    ['a header in two writes, split right after the request line', ['GET / HTTP/1.1\r\n', `X-Big: ${'a'.repeat(9_000)}${'a'.repeat(9_000)}\r\n\r\n`], ['431 Request Header Fields Too Large']],
  ])('a head past 16 KB, %s: answered the same as in one write', async (_name, parts, statuses) => {
    const { raw } = await slowly(
      chain.port('edge'),
      parts.map((part, i) => [i * 50, part]),
    );
    expect(responses(raw).map(statusLine)).toEqual(statuses.map((status) => `HTTP/1.1 ${status}`));
  });

  it('absolute-form: routed, hashed and forwarded by its path, with the Host of its authority', async () => {
    const res = await rawHttp(
      chain.port('edge'),
      get('GET http://example.test/users/7?x=1 HTTP/1.1', 'Host: lab\r\nX-Request-Id: abs-1\r\n'),
    );
    expect(statusLine(res)).toBe('HTTP/1.1 200 OK');
    const body = JSON.parse(res.body) as { node: string; path: string };
    expect(body.path).toBe('/users/7?x=1');
    const received = ofType(chain.events, 'request.received', 'abs-1');
    expect(received.map((e) => [e.node, e.path])).toEqual([
      ['edge', '/users/7?x=1'],
      ['api', '/users/7?x=1'],
      ['users', '/users/7?x=1'],
      [body.node, '/users/7?x=1'],
    ]);
    const pick = ofType(chain.events, 'request.forwarded', 'abs-1').find((e) => e.node === 'users');
    expect(pick?.decision.reason).toContain('key "/users/7"');
    // The same path in origin-form lands on the same target.
    const origin = await fetch(chain.url('edge', '/users/7?x=1'));
    expect(((await origin.json()) as { node: string }).node).toBe(body.node);
  });

  it.each([
    ['OPTIONS * HTTP/1.1', '', 'edge'],
    ['OPTIONS http://example.test HTTP/1.1', '', 'edge'],
    ['OPTIONS /users/1 HTTP/1.1', 'Max-Forwards: 0\r\n', 'edge'],
    ['OPTIONS /users/1 HTTP/1.1', 'Max-Forwards: 1\r\n', 'api'],
    ['OPTIONS /users/1 HTTP/1.1', 'Max-Forwards: 2\r\n', 'users'],
    ['OPTIONS /users/1 HTTP/1.1', 'Max-Forwards: 3\r\n', 'users-?'],
  ])('%s with %j is answered by %s: 200, Allow, no body', async (line, maxForwards, answeredBy) => {
    const rid = `options-${answeredBy.replace('?', 'n')}-${line.length}`;
    const res = await rawHttp(chain.port('edge'), get(line, `Host: lab\r\nX-Request-Id: ${rid}\r\n${maxForwards}`));
    expect(statusLine(res)).toBe('HTTP/1.1 200 OK');
    expect(res.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE');
    expect(res.headers['content-length']).toBe('0');
    expect(res.body).toBe('');
    const hops = ofType(chain.events, 'request.received', rid).map((e) => e.node);
    expect(hops.at(-1)).toMatch(new RegExp(`^${answeredBy.replace('?', '\\d')}$`));
    const last = ofType(chain.events, 'request.completed', rid).find((e) => e.node === hops.at(-1));
    expect(last).toMatchObject({ status: 200 });
    expect(last?.error).toBeUndefined();
  });

  it.each([
    ['Max-Forwards: 0\r\n', 'edge', '0', []],
    ['Max-Forwards: 1\r\n', 'api', '0', ['1.1 edge']],
    ['Max-Forwards: 2\r\n', 'users', '0', ['1.1 edge', '1.1 api']],
    ['', 'users-?', undefined, ['1.1 edge', '1.1 api', '1.1 users']],
  ])('TRACE with %j is reflected by %s as message/http, without credentials', async (maxForwards, answeredBy, seenMaxForwards, via) => {
    const rid = `trace-${answeredBy.replace('?', 'n')}`;
    const res = await rawHttp(
      chain.port('edge'),
      get('TRACE /users/1 HTTP/1.1', `Host: lab\r\nX-Request-Id: ${rid}\r\nAuthorization: Bearer s3cret\r\nCookie: id=s3cret\r\n${maxForwards}`),
    );
    expect(statusLine(res)).toBe('HTTP/1.1 200 OK');
    expect(res.headers['content-type']).toBe('message/http');
    const [requestLine, ...fields] = res.body.trimEnd().split('\r\n');
    expect(requestLine).toBe('TRACE /users/1 HTTP/1.1');
    const field = (name: string) => fields.find((f) => f.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    expect(field('max-forwards')).toBe(seenMaxForwards);
    expect(field('via')?.split(', ') ?? []).toEqual(via);
    expect(res.body).not.toContain('s3cret');
    const hops = ofType(chain.events, 'request.received', rid).map((e) => e.node);
    expect(hops.at(-1)).toMatch(new RegExp(`^${answeredBy.replace('?', '\\d')}$`));
    expect(ofType(chain.events, 'request.completed', rid).find((e) => e.node === hops.at(-1))).toMatchObject({ status: 200 });
  });
});

describe('what reaches the upstream', () => {
  it('an absolute-form target goes on in origin-form, Host and X-Forwarded-Host from its authority', async () => {
    upstream = await rawUpstream((_req, res) => res.end('ok'));
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    const res = await rawHttp(running.port('edge'), 'GET HTTP://Example.test:8080?q=1 HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(upstream.received[0]).toMatchObject({ url: '/?q=1' });
    expect(upstream.received[0].headers).toMatchObject({ host: 'Example.test:8080', 'x-forwarded-host': 'Example.test:8080' });
  });

  it.each([
    ['OPTIONS', '5', '4'],
    ['OPTIONS', '1', '0'],
    ['OPTIONS', 'many', 'many'],
    ['GET', '5', '5'],
    ['POST', '0', '0'],
  ])('%s with Max-Forwards %s goes on with %s', async (method, sent, seen) => {
    upstream = await rawUpstream((req, res) => req.resume().on('end', () => res.end()));
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    const body = method === 'POST' ? 'Content-Length: 2\r\n\r\nhi' : '\r\n';
    const res = await rawHttp(
      running.port('edge'),
      `${method} /x HTTP/1.1\r\nHost: lab\r\nMax-Forwards: ${sent}\r\nConnection: close\r\n${body}`,
    );
    expect(res.status).toBe(200);
    expect(upstream.received[0].headers['max-forwards']).toBe(seen);
  });

  it('drops Proxy-Authorization on the way in and Proxy-Authenticate on the way out (this hop only)', async () => {
    upstream = await rawUpstream((_req, res) => {
      res.writeHead(200, {
        'proxy-authenticate': 'Basic realm="up"',
        'proxy-authentication-info': 'x',
        'www-authenticate': 'Basic realm="app"',
      });
      res.end('ok');
    });
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    const res = await rawHttp(
      running.port('edge'),
      'GET /x HTTP/1.1\r\nHost: lab\r\nProxy-Authorization: Basic c2VjcmV0\r\nAuthorization: Bearer app\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(200);
    expect(upstream.received[0].headers).not.toHaveProperty('proxy-authorization');
    expect(upstream.received[0].headers.authorization).toBe('Bearer app');
    expect(res.headers).not.toHaveProperty('proxy-authenticate');
    expect(res.headers).not.toHaveProperty('proxy-authentication-info');
    expect(res.headers['www-authenticate']).toBe('Basic realm="app"');
  });

  describe('X-Forwarded-Proto and X-Forwarded-Host', () => {
    const forged = 'X-Forwarded-Proto: https\r\nX-Forwarded-Host: public.example\r\n';
    const request = `GET /x HTTP/1.1\r\nHost: lab\r\n${forged}Connection: close\r\n\r\n`;

    it('the engine registers the connections its pools open, and only those', async () => {
      const fromPool: boolean[] = [];
      upstream = await rawUpstream((req, res) => {
        fromPool.push(isEngineConnection(req.socket));
        res.end();
      });
      running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
      await (await fetch(running.url('edge', '/x'))).arrayBuffer();
      await (await fetch(`${upstream.url}/direct`)).arrayBuffer();
      expect(fromPool).toEqual([true, false]);
    });

    it('are overwritten when a client sends them, and kept from another node down the chain', async () => {
      upstream = await rawUpstream((_req, res) => res.end());
      running = await startEngine({
        version: 1,
        nodes: [
          { id: 'edge', kind: 'proxy', to: 'api' },
          { id: 'api', kind: 'proxy', to: upstream.url },
        ],
      });
      await rawHttp(running.port('edge'), request);
      await rawHttp(running.port('api'), request);
      await rawFrom(running.port('api'), request, { asEngineNode: true });
      expect(upstream.received.map((r) => [r.headers['x-forwarded-proto'], r.headers['x-forwarded-host']])).toEqual([
        ['http', 'lab'], // a client at the edge; api keeps what edge set
        ['http', 'lab'], // a client straight at api
        ['https', 'public.example'], // a connection an engine node opened
      ]);
    });

    it("are kept from a balancer's trusted proxies only", async () => {
      upstream = await rawUpstream((_req, res) => res.end());
      running = await startEngine({
        version: 1,
        nodes: [{ id: 'lb', kind: 'balancer', targets: [upstream.url], trustedProxies: ['127.0.9.9'] }],
        traffic: [{ to: 'lb', rate: 1 }],
      });
      await rawFrom(running.port('lb'), request, { localAddress: '127.0.9.9' });
      await rawFrom(running.port('lb'), request, { localAddress: '127.0.9.8' });
      expect(upstream.received.map((r) => r.headers['x-forwarded-proto'])).toEqual(['https', 'http']);
    });

    it('through an l4 balancer, are as trusted as the connection the balancer accepted', async () => {
      upstream = await rawUpstream((_req, res) => res.end());
      running = await startEngine({
        version: 1,
        nodes: [
          { id: 'l4', kind: 'balancer', mode: 'l4', targets: ['app'] },
          { id: 'app', kind: 'proxy', to: upstream.url },
        ],
        traffic: [{ to: 'l4', rate: 1 }],
      });
      await rawFrom(running.port('l4'), request);
      await rawFrom(running.port('l4'), request, { asEngineNode: true });
      expect(upstream.received.map((r) => r.headers['x-forwarded-host'])).toEqual(['lab', 'public.example']);
    });
  });
});

describe('forwarding loops', () => {
  let engines: RunningEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.map((r) => r.stop()));
    engines = [];
  });

  it('a proxy whose upstream is its own listener answers 508 EDGE_LOOP_DETECTED after one turn', async () => {
    // With a fixed port the config names the loop itself (validate.ts); a proxy on a port picked at
    // start, pointed at that port afterwards (copied from the topology), loops where only Via can tell.
    const engine = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: 'http://127.0.0.1:9' }] });
    engines.push(engine);
    const port = engine.port('edge');
    expect(validateConfig({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: port, to: `http://127.0.0.1:${port}` }] }).ok).toBe(false);
    const looping = validateConfig({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: `http://127.0.0.1:${port}` }] });
    if (!looping.ok) throw new Error(JSON.stringify(looping.errors));
    await engine.engine.apply(looping.config);
    expect(engine.port('edge')).toBe(port);
    const res = await rawHttp(port, 'GET /x HTTP/1.1\r\nHost: lab\r\nX-Request-Id: loop-1\r\nConnection: close\r\n\r\n');
    expect(statusLine(res)).toBe('HTTP/1.1 508 Loop Detected');
    expect(res.headers['x-edgelab-error']).toBe('EDGE_LOOP_DETECTED');
    const completed = ofType(engine.events, 'request.completed', 'loop-1');
    // The inner hop refused (its Via named edge); the outer one relayed that answer.
    expect(completed.map((e) => [e.status, e.error])).toEqual([
      [508, 'EDGE_LOOP_DETECTED'],
      [508, undefined],
    ]);
  });

  it('a chain back through another engine is stopped where it comes round', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startEngine({ version: 1, nodes: [{ id: 'a', kind: 'proxy', listen: portA, to: `http://127.0.0.1:${portB}` }] });
    engines.push(a);
    const b = await startEngine({ version: 1, nodes: [{ id: 'b', kind: 'proxy', listen: portB, to: `http://127.0.0.1:${portA}` }] });
    engines.push(b);
    const res = await rawHttp(portA, 'GET /x HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(508);
    // Refused by a on its second turn (no Via of its own), relayed back through b and a.
    expect(res.headers.via).toBe('1.1 b, 1.1 a');
    expect(ofType(a.events, 'request.received').length).toBe(2);
    expect(ofType(b.events, 'request.received').length).toBe(1);
  });

  it.each([
    ['1.1 edge', 'edge', true],
    ['1.0 corp, HTTP/1.1 edge (EdgeLab)', 'edge', true],
    ['1.1 edge-2, 1.1 my-edge', 'edge', false],
    ['1.1 users-1', 'users', false],
    ['1.1 corp (via edge, edge)', 'edge', false],
    ['1.1 api,1.1   edge', 'edge', true],
  ])('Via %j names %s: %s', (via, id, names) => {
    expect(viaNames(via, id)).toBe(names);
  });
});

describe('statuses without a body', () => {
  const twice = (method = 'GET') =>
    `${method} /users/1 HTTP/1.1\r\nHost: lab\r\nX-Request-Id: first\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: lab\r\nX-Request-Id: second\r\nConnection: close\r\n\r\n`;

  it.each([
    [204, '204 No Content', undefined],
    [205, '205 Reset Content', '0'],
    [304, '304 Not Modified', undefined],
  ])('a service told to answer %i sends none, and the chain keeps the connection for the next request', async (status, line, length) => {
    running = await startEngine(chainConfig({ status }));
    const raw = (await rawHttp(running.port('edge'), twice())).raw;
    const [first, second, ...more] = responses(raw);
    expect(more).toEqual([]);
    for (const [res, rid] of [
      [first, 'first'],
      [second, 'second'],
    ] as const) {
      expect(statusLine(res)).toBe(`HTTP/1.1 ${line}`);
      expect(res.headers['content-length']).toBe(length);
      expect(res.headers).not.toHaveProperty('transfer-encoding');
      expect(res.body).toBe('');
      expect(res.headers['x-request-id']).toBe(rid);
      expect(ofType(running.events, 'request.completed', rid).map((e) => e.status)).toEqual([status, status, status, status]);
    }
  });

  it('HEAD gets the headers of a GET (its length too) and no body, and the connection goes on', async () => {
    running = await startEngine(chainConfig());
    const raw = (await rawHttp(running.port('edge'), twice('HEAD'))).raw;
    const [head, get] = responses(raw, [true]);
    expect(statusLine(head)).toBe('HTTP/1.1 200 OK');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body).toBe('');
    expect(statusLine(get)).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(get.body)).toMatchObject({ path: '/users/2' });
  });

  it.each([
    [204, { 'content-length': '5' }, undefined],
    [304, { 'content-length': '10', etag: '"v1"' }, '10'],
  ])('an upstream %i with %j reaches the client clean', async (status, headers, length) => {
    upstream = await rawUpstream((_req, res) => {
      res.writeHead(status, headers);
      res.end();
    });
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    const raw = (await rawHttp(running.port('edge'), twice())).raw;
    const all = responses(raw);
    expect(all.map((r) => [r.status, r.headers['content-length'], r.body])).toEqual([
      [status, length, ''],
      [status, length, ''],
    ]);
  });
});

describe('request.completed says the status that went out', () => {
  it.each([
    ['a HEAD', 'HEAD', (_req: unknown, res: import('node:http').ServerResponse) => res.end('body'), 200, undefined],
    ['a 204', 'GET', (_req: unknown, res: import('node:http').ServerResponse) => (res.writeHead(204), res.end()), 204, undefined],
    [
      'an upstream that fails after its status line (a fail() once headers were sent)',
      'GET',
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('part');
        setTimeout(() => res.socket?.destroy(), 20);
      },
      200,
      'EDGE_UPSTREAM_RESET',
    ],
    [
      'an upstream that fails between its status line and its first byte: nothing went out',
      'GET',
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(200, { 'content-length': '100' });
        res.flushHeaders();
        setTimeout(() => res.socket?.destroy(), 20);
      },
      undefined,
      'EDGE_UPSTREAM_RESET',
    ],
  ])('%s', async (_name, method, handler, status, error) => {
    upstream = await rawUpstream(handler);
    running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: upstream.url }] });
    const { raw } = await slowly(running.port('edge'), [
      [0, `${method} /x HTTP/1.1\r\nHost: lab\r\nX-Request-Id: st-1\r\nConnection: close\r\n\r\n`],
    ]);
    const res = parseResponse(raw);
    expect(raw === '' ? undefined : res.status).toBe(status);
    const [completed] = await waitFor(() => {
      const found = ofType(running!.events, 'request.completed', 'st-1');
      return found.length > 0 ? found : undefined;
    });
    expect(completed.status).toBe(status ?? 502);
    expect(completed.error).toBe(error);
  });

  it('a 5xx held back for a retry is not what the balancer reports: the retry answer is', async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'lb', kind: 'balancer', algorithm: 'round-robin', retries: { tries: 2 }, targets: ['bad', 'good'] },
        { id: 'bad', kind: 'service', status: 503 },
        { id: 'good', kind: 'service' },
      ],
      traffic: [{ to: 'lb', rate: 1 }],
    });
    const res = await rawHttp(running.port('lb'), 'GET /x HTTP/1.1\r\nHost: lab\r\nX-Request-Id: retry-1\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(ofType(running.events, 'request.completed', 'retry-1').map((e) => [e.node, e.status])).toEqual([
      ['bad', 503],
      ['good', 200],
      ['lb', 200],
    ]);
  });

  it("an injected error fault's status", async () => {
    running = await startEngine({ version: 1, nodes: [{ id: 's', kind: 'service' }], traffic: [{ to: 's', rate: 1 }] });
    await running.engine.injectFault({ target: 's', type: 'errors', status: 502 });
    const res = await rawHttp(running.port('s'), 'GET /x HTTP/1.1\r\nHost: lab\r\nX-Request-Id: fault-1\r\nConnection: close\r\n\r\n');
    expect(statusLine(res)).toBe('HTTP/1.1 502 Bad Gateway');
    expect(ofType(running.events, 'request.completed', 'fault-1').map((e) => [e.status, e.error])).toEqual([[502, 'FAULT_INJECTED_ERROR']]);
  });
});

describe('a client too slow to send its request', () => {
  let node: NodeServer | undefined;
  const events: EngineEvent[] = [];
  afterEach(async () => {
    await node?.dispose();
    node = undefined;
    events.length = 0;
  });

  /** A node built as the engine builds it, with Node's request timeouts cut to a fraction of a second. */
  async function start(create: (ctx: ConstructorParameters<typeof ServiceNode>[1]) => NodeServer): Promise<number> {
    const bus = new EventBus();
    bus.subscribe((e) => events.push(e));
    node = create({ bus, rng: () => 0.5, l4Links: new L4Links(), generation: () => 1, resolve: (u) => (u.startsWith('http') ? new URL(u).origin : undefined) });
    node.listenerTimeouts = { headersMs: 300, requestMs: 600, checkEveryMs: 50 };
    await node.start();
    return node.port!;
  }

  const parsed = (node: Record<string, unknown>) => {
    const result = validateConfig({ version: 1, nodes: [node], traffic: [{ to: node.id, rate: 1 }] });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.config.nodes[0];
  };

  it('headers that never end: 408 EDGE_REQUEST_TIMEOUT on the raw socket, connection closed, counted (its line unread: "-")', async () => {
    const port = await start((ctx) => new ServiceNode(parsed({ id: 's', kind: 'service' }) as never, ctx));
    const { raw, ms } = await slowly(port, [[0, 'GET /x HTTP/1.1\r\nHost: lab\r\n']]);
    const res = parseResponse(raw);
    expect(statusLine(res)).toBe('HTTP/1.1 408 Request Timeout');
    expect(res.headers).toMatchObject({ connection: 'close', 'x-edgelab-error': 'EDGE_REQUEST_TIMEOUT' });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ofType(events, 'request.received')).toMatchObject([{ node: 's', method: '-', path: '-' }]);
    expect(ofType(events, 'request.completed')).toMatchObject([{ node: 's', status: 408, error: 'EDGE_REQUEST_TIMEOUT' }]);
  });

  // (A request the parser refused needs none of this: Node's server closes its connection itself.)
  it('CONNECT answered raw: a client that keeps its side of the connection open is cut after the linger time', async () => {
    const port = await start((ctx) => new ServiceNode(parsed({ id: 's', kind: 'service' }) as never, ctx));
    node!.lingerMs = 200;
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let raw = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
    await once(socket, 'end');
    expect(raw.slice(0, raw.indexOf('\r\n'))).toBe('HTTP/1.1 405 Method Not Allowed');
    // The client never ends its side, and keeps writing: once the node has let the connection go, a write
    // meets a reset and the socket closes; while the node holds it, writes go on until the test's own timeout.
    const writes = setInterval(() => socket.write('x'), 50);
    await closed;
    clearInterval(writes);
  });

  it('a connection that never sends a byte is closed without an answer, as nginx does', async () => {
    const port = await start((ctx) => new ServiceNode(parsed({ id: 's', kind: 'service' }) as never, ctx));
    const { raw, ms } = await slowly(port, []);
    expect(raw).toBe('');
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it.each([
    ['a service', 'service'],
    ['a proxy streaming the body upstream', 'proxy'],
  ])('a body that stops coming, at %s: 408 through the response, counted with that status', async (_name, kind) => {
    upstream = await rawUpstream((req, res) => req.resume().on('end', () => res.end()));
    const url = upstream.url;
    const port = await start((ctx) =>
      kind === 'proxy'
        ? new ProxyNode(parsed({ id: 'p', kind: 'proxy', to: url }) as never, ctx)
        : new ServiceNode(parsed({ id: 's', kind: 'service' }) as never, ctx),
    );
    const { raw } = await slowly(port, [[0, 'POST /x HTTP/1.1\r\nHost: lab\r\nX-Request-Id: slow-1\r\nContent-Length: 10\r\n\r\nabc']]);
    const res = parseResponse(raw);
    expect(statusLine(res)).toBe('HTTP/1.1 408 Request Timeout');
    expect(res.headers).toMatchObject({ connection: 'close', 'x-edgelab-error': 'EDGE_REQUEST_TIMEOUT' });
    const completed = await waitFor(() => ofType(events, 'request.completed', 'slow-1')[0]);
    expect([completed.status, completed.error]).toEqual([408, 'EDGE_REQUEST_TIMEOUT']);
  });
});

describe('the rules, one by one', () => {
  it.each([
    ['lab', true],
    ['127.0.0.1:8080', true],
    ['[::1]:80', true],
    ['example.test:', true],
    ['xn--bcher-kva.example', true],
    ['a%20b', true],
    ['', false],
    ['a b', false],
    ['a@b', false],
    ['a/b', false],
    ['lab:65536', false],
    ['lab:123456', false],
    ['lab:-1', false],
    ['[::1', false],
    ['[zz]:80', false],
    [':80', false],
    ['a%2', false],
  ])('Host %j is valid: %s', (host, valid) => {
    expect(isValidHost(host)).toBe(valid);
  });

  it('counts Host fields in any case', () => {
    expect(hostFieldCount(['Host', 'a', 'HOST', 'b', 'Hosts', 'c'])).toBe(2);
  });

  it.each([
    ['http://a.test/p?q', { authority: 'a.test', path: '/p?q' }],
    ['https://a.test:8443', { authority: 'a.test:8443', path: '' }],
    ['HTTP://a.test?q=1', { authority: 'a.test', path: '/?q=1' }],
    ['ftp://a.test/', undefined],
    ['a.test:443', undefined],
  ])('absolute-form %j splits as %j', (target, parts) => {
    expect(splitAbsoluteForm(target)).toEqual(parts);
  });

  it.each([
    ['chunked', 1, undefined],
    ['Chunked', 1, undefined],
    ['gzip, chunked', 1, 'EDGE_UNSUPPORTED_TRANSFER_CODING'],
    ['gzip', 1, 'EDGE_BAD_REQUEST'],
    ['chunked, chunked', 1, 'EDGE_BAD_REQUEST'],
    [', chunked', 1, 'EDGE_BAD_REQUEST'],
    ['chunked', 0, 'EDGE_BAD_REQUEST'],
  ])('Transfer-Encoding %j in HTTP/1.%i: %s', (value, minor, refusal) => {
    expect(transferCodingRefusal(value, minor)).toBe(refusal);
  });

  it('a parse error at the version says 505 only for a well-formed version', () => {
    const error = (line: string) =>
      Object.assign(new Error('Parse Error'), {
        code: 'HPE_INVALID_VERSION',
        rawPacket: Buffer.from(`${line}\r\nHost: a\r\n\r\n`),
        bytesParsed: line.length,
      });
    expect(clientErrorCode(error('GET / HTTP/1.2'))).toBe('EDGE_VERSION_NOT_SUPPORTED');
    expect(clientErrorCode(error('GET / HTTP/12.1'))).toBe('EDGE_BAD_REQUEST');
    expect(clientErrorCode(error('GET / HTTP/1.1x'))).toBe('EDGE_BAD_REQUEST');
  });

  it.each([
    ['FOO / HTTP/1.1\r\nHost: a\r\n\r\n', 0, 'EDGE_METHOD_NOT_IMPLEMENTED'],
    ['GET / HTTP/1.1\r\nHost: a\r\n\r\nBREW /pot HTTP/1.1\r\n\r\n', 28, 'EDGE_METHOD_NOT_IMPLEMENTED'],
    ['G@T / HTTP/1.1\r\nHost: a\r\n\r\n', 1, 'EDGE_BAD_REQUEST'],
    ['FOO / HTTP/1.1x\r\n\r\n', 0, 'EDGE_BAD_REQUEST'],
    ['FOO /', 0, 'EDGE_BAD_REQUEST'],
  ])('an unknown method: %j, the parser stopped at %i: %s (501 only for a well-formed request line)', (packet, at, code) => {
    const error = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from(packet), bytesParsed: at });
    expect(clientErrorCode(error)).toBe(code);
  });

  it.each([
    ['in the target', `GET /${'a'.repeat(40)}`, 'EDGE_URI_TOO_LONG'],
    ['in the target, behind a whole request', `GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /${'a'.repeat(40)}`, 'EDGE_URI_TOO_LONG'],
    ['in a header value', `GET / HTTP/1.1\r\nX-A: ${'a'.repeat(40)}`, 'EDGE_HEADERS_TOO_LARGE'],
    ['in a header name', `GET / HTTP/1.1\r\n${'a'.repeat(40)}`, 'EDGE_HEADERS_TOO_LARGE'],
    ['in a packet that starts inside a line, not known to be the request line', 'a'.repeat(40), 'EDGE_HEADERS_TOO_LARGE'],
    ['in a packet that starts inside the request line', 'a'.repeat(40), 'EDGE_URI_TOO_LONG', true],
    ['in a header that starts in the packet, after the request line', `a HTTP/1.1\r\nX-A: ${'a'.repeat(40)}`, 'EDGE_HEADERS_TOO_LARGE', true],
  ])('a head past the parser\'s size %s is %s', (_where, packet, code, requestLineOpen = false) => {
    const error = Object.assign(new Error('Parse Error'), { code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from(`${packet} more`), bytesParsed: packet.length });
    expect(clientErrorCode(error, requestLineOpen)).toBe(code);
  });
});
