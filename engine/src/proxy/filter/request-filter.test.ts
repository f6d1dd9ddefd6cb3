/**
 * The request filter on requests as Node hands them over: each rule's refusal with its exact code,
 * status and sentence, the order the rules go in, and what passes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FilterSchema } from '../../config/proxy/filter.ts';
import { rawHttp } from '../../testing/harness.ts';
import { compileFilter, type FilteredRequest } from './request-filter.ts';
import { decodeQuery } from './decode-query.ts';

const filterOf = (config: unknown) => compileFilter(FilterSchema.parse(config));

/** A request as Node would give it: raw header pairs, and the lower-cased map with the first of each. */
function request(method: string, url: string, raw: Array<[string, string]> = [['Host', 'lab']]): FilteredRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of raw) headers[name.toLowerCase()] ??= value;
  return { method, url, headers, rawHeaders: raw.flat() };
}
const get = (url = '/') => request('GET', url);

describe('addresses', () => {
  const filter = filterOf({ deny: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'], allow: ['10.0.0.0/8', '127.0.0.0/8', '192.0.2.0/24', '::1'] });

  it.each([
    ['10.1.2.3', 'filter: 10.1.2.3 is in deny 10.0.0.0/8 -> 403'],
    ['::ffff:10.1.2.3', 'filter: ::ffff:10.1.2.3 is in deny 10.0.0.0/8 -> 403'],
    ['2001:db8::1', 'filter: 2001:db8::1 is in deny 2001:db8::/32 -> 403'],
    ['192.0.2.7', 'filter: 192.0.2.7 is in deny 192.0.2.7 -> 403'],
    ['172.16.0.1', 'filter: 172.16.0.1 is in no allow entry -> 403'],
    ['::2', 'filter: ::2 is in no allow entry -> 403'],
    ['not-an-ip', 'filter: the client address "not-an-ip" is not an IP address -> 403'],
  ])('refuses %s (deny wins over allow)', (client, reason) => {
    expect(filter.check(get(), client)).toEqual({ code: 'EDGE_FILTER_ADDRESS_DENIED', status: 403, reason });
  });

  it.each(['127.0.0.1', '::ffff:127.0.0.1', '192.0.2.8', '::1'])('lets %s through', (client) => {
    expect(filter.check(get(), client)).toBeUndefined();
  });

  it('matches an IPv4 client against an IPv4-mapped IPv6 block', () => {
    const mapped = filterOf({ deny: ['::ffff:10.0.0.0/104'] });
    expect(mapped.check(get(), '10.9.9.9')?.code).toBe('EDGE_FILTER_ADDRESS_DENIED');
    expect(mapped.check(get(), '11.0.0.1')).toBeUndefined();
  });

  it('lets every address through without lists', () => {
    expect(filterOf({}).check(get(), 'junk')).toBeUndefined();
  });
});

describe('methods', () => {
  it('refuses another method with 405 and Allow, and takes the listed ones', () => {
    const filter = filterOf({ methods: ['GET', 'HEAD', 'GET'] });
    expect(filter.check(request('POST', '/'), '127.0.0.1')).toEqual({
      code: 'EDGE_FILTER_METHOD_NOT_ALLOWED',
      status: 405,
      reason: 'filter: POST is not in methods [GET, HEAD] -> 405',
      headers: { allow: 'GET, HEAD' },
    });
    expect(filter.check(request('HEAD', '/'), '127.0.0.1')).toBeUndefined();
  });
});

describe('paths and queries', () => {
  const filter = filterOf({ denyPaths: ['^/admin(/|$)', '\\.php$'], denyQuery: ['<script', 'union.+select'] });
  const check = (url: string) => filter.check(get(url), '127.0.0.1');

  it.each([
    ['/admin', 'filter: "/admin" matches denyPaths ^/admin(/|$) -> 403'],
    ['/admin/users?x=1', 'filter: "/admin/users" matches denyPaths ^/admin(/|$) -> 403'],
    ['//admin', 'filter: "/admin" matches denyPaths ^/admin(/|$) -> 403'],
    ['/public/../admin', 'filter: "/admin" matches denyPaths ^/admin(/|$) -> 403'],
    ['/%61dmin/', 'filter: "/admin/" matches denyPaths ^/admin(/|$) -> 403'],
    ['/x/index.php', 'filter: "/x/index.php" matches denyPaths \\.php$ -> 403'],
  ])('refuses the path %s as normalised', (url, reason) => {
    expect(check(url)).toEqual({ code: 'EDGE_FILTER_PATH_DENIED', status: 403, reason });
  });

  it('refuses a path the normaliser refuses with 400', () => {
    expect(check('/users/..%2fadmin')).toEqual({
      code: 'EDGE_BAD_REQUEST',
      status: 400,
      reason: 'filter: the path is refused: an encoded slash (%2f) in the path -> 400',
    });
  });

  it.each([
    ['/search?q=<script>', 'filter: the query matches denyQuery <script -> 403'],
    ['/search?q=%3Cscript%3E', 'filter: the query matches denyQuery <script -> 403'],
    ['/search?q=1+union+all+select', 'filter: the query matches denyQuery union.+select -> 403'],
    ['/search?a=%G1&q=%3cscript', 'filter: the query matches denyQuery <script -> 403'],
  ])('refuses the query of %s as decoded', (url, reason) => {
    expect(check(url)).toEqual({ code: 'EDGE_FILTER_QUERY_DENIED', status: 403, reason });
  });

  it('refuses what is too long to check, instead of letting it pass unchecked', () => {
    expect(check(`/${'a'.repeat(1100)}`)?.reason).toBe('filter: a path of 1101 characters is too long to check against denyPaths -> 403');
    expect(check(`/s?q=${'a'.repeat(1100)}`)?.reason).toBe('filter: a query of 1102 characters is too long to check against denyQuery -> 403');
  });

  it.each(['/', '/administrator', '/users/1?q=script', '/x.php5', '/a?q=union'])('lets %s through', (url) => {
    expect(check(url)).toBeUndefined();
  });
});

describe('header rules on a name Object.prototype has', () => {
  // Node's header object has Object.prototype: read as a property, a missing `constructor` was present.
  it('finds a header named constructor missing when the request has none', () => {
    const required = filterOf({ headers: [{ name: 'constructor', require: true }] });
    expect(required.check(get(), '127.0.0.1')).toMatchObject({ code: 'EDGE_FILTER_HEADER_REQUIRED' });
    const sent = { method: 'GET', url: '/', headers: { host: 'lab', constructor: 'x' }, rawHeaders: ['Host', 'lab', 'Constructor', 'x'] };
    expect(required.check(sent, '127.0.0.1')).toBeUndefined();
    expect(filterOf({ headers: [{ name: 'Constructor', deny: true }] }).check(get(), '127.0.0.1')).toBeUndefined();
  });
});

describe('header rules', () => {
  const filter = filterOf({
    headers: [
      { name: 'X-Api-Key', require: true },
      { name: 'content-type', require: '^application/json' },
      { name: 'x-debug', deny: true },
      { name: 'user-agent', deny: 'sqlmap|nikto' },
    ],
  });
  const good: Array<[string, string]> = [
    ['Host', 'lab'],
    ['X-API-KEY', 'k'],
    ['Content-Type', 'application/json'],
  ];
  const check = (raw: Array<[string, string]>) => filter.check(request('POST', '/', raw), '127.0.0.1');

  it.each<[string, Array<[string, string]>, string, string]>([
    ['a required header missing', [good[0], good[2]], 'EDGE_FILTER_HEADER_REQUIRED', 'filter: the required header x-api-key is missing -> 400'],
    [
      'a required value that does not match',
      [good[0], good[1], ['Content-Type', 'text/plain']],
      'EDGE_FILTER_HEADER_REQUIRED',
      'filter: content-type does not match the required ^application/json -> 400',
    ],
    ['a denied header', [...good, ['X-Debug', '']], 'EDGE_FILTER_HEADER_DENIED', 'filter: the header x-debug is denied -> 403'],
    ['a denied value', [...good, ['User-Agent', 'sqlmap/1.7']], 'EDGE_FILTER_HEADER_DENIED', 'filter: user-agent matches the denied sqlmap|nikto -> 403'],
  ])('refuses %s', (_what, raw, code, reason) => {
    expect(check(raw)).toMatchObject({ code, reason });
  });

  it('lets a request that keeps the rules through', () => {
    expect(check([...good, ['User-Agent', 'curl/8']])).toBeUndefined();
  });
});

describe('limits', () => {
  const filter = filterOf({ limits: { urlLength: 10, headerBytes: 40, headerCount: 3, bodyBytes: 100 } });
  const check = (req: FilteredRequest) => filter.check(req, '127.0.0.1');

  it('refuses a target past urlLength with 414, and takes one at it', () => {
    expect(check(get('/123456789'))).toBeUndefined();
    expect(check(get('/1234567890'))).toEqual({
      code: 'EDGE_URI_TOO_LONG',
      status: 414,
      reason: 'filter: a target of 11 characters, above limits.urlLength 10 -> 414',
    });
  });

  it('counts header fields and their bytes (name: value CRLF) and refuses past them with 431', () => {
    // Host: lab CRLF is 11 bytes, X-A: and 22 characters CRLF 29: 40 in all, at the limit.
    const atLimit = request('GET', '/', [
      ['Host', 'lab'],
      ['X-A', '1234567890123456789012'],
    ]);
    expect(check(atLimit)).toBeUndefined();
    const over = request('GET', '/', [
      ['Host', 'lab'],
      ['X-A', '12345678901234567890123'],
    ]);
    expect(check(over)).toMatchObject({ code: 'EDGE_HEADERS_TOO_LARGE', status: 431, reason: 'filter: 41 bytes of header fields, above limits.headerBytes 40 -> 431' });
    const many = request('GET', '/', [
      ['Host', 'lab'],
      ['A', '1'],
      ['B', '2'],
      ['C', '3'],
    ]);
    expect(check(many)?.reason).toBe('filter: 4 header fields, above limits.headerCount 3 -> 431');
  });

  it('refuses a Content-Length past bodyBytes with 413 before the body is read, and takes one at it', () => {
    const post = (length: string) => request('POST', '/', [['Host', 'lab'], ['Content-Length', length]]);
    expect(check(post('100'))).toBeUndefined();
    expect(check(post('101'))).toEqual({
      code: 'EDGE_BODY_TOO_LARGE',
      status: 413,
      reason: 'filter: Content-Length 101, above limits.bodyBytes 100 -> 413',
    });
    expect(filter.bodyBytes).toBe(100);
  });
});

describe('framing', () => {
  // Node's parser refuses these itself; the filter refuses them again should a request ever reach it so.
  it.each<[string, Array<[string, string]>, string]>([
    ['Content-Length with Transfer-Encoding', [['Content-Length', '5'], ['Transfer-Encoding', 'chunked']], 'Content-Length with Transfer-Encoding'],
    ['two Content-Length fields', [['content-length', '5'], ['CONTENT-LENGTH', '5']], '2 Content-Length fields'],
  ])('refuses %s with 400 whatever else the config says', (_what, raw, what) => {
    expect(filterOf({}).check(request('POST', '/', [['Host', 'lab'], ...raw]), '127.0.0.1')).toEqual({
      code: 'EDGE_AMBIGUOUS_FRAMING',
      status: 400,
      reason: `filter: ${what} -> 400`,
    });
  });

  it('takes one Content-Length, or chunked alone', () => {
    expect(filterOf({}).check(request('POST', '/', [['Content-Length', '5']]), '127.0.0.1')).toBeUndefined();
    expect(filterOf({}).check(request('POST', '/', [['Transfer-Encoding', 'chunked']]), '127.0.0.1')).toBeUndefined();
  });
});

describe('order', () => {
  it('says the first rule that refuses, the cheapest first: framing, sizes, method, address, path, headers', () => {
    const filter = filterOf({ deny: ['0.0.0.0/0'], methods: ['GET'], denyPaths: ['^/'], headers: [{ name: 'x-a', require: true }], limits: { urlLength: 5 } });
    expect(filter.check(request('POST', '/long-path'), '10.0.0.1')?.code).toBe('EDGE_URI_TOO_LONG');
    expect(filter.check(request('POST', '/'), '10.0.0.1')?.code).toBe('EDGE_FILTER_METHOD_NOT_ALLOWED');
    expect(filter.check(request('GET', '/'), '10.0.0.1')?.code).toBe('EDGE_FILTER_ADDRESS_DENIED');
  });
});

describe('decodeQuery', () => {
  it.each([
    ['q=1', 'q=1'],
    ['q=a+b', 'q=a b'],
    ['q=%3Cb%3e', 'q=<b>'],
    ['q=%E2%82%AC', 'q=€'],
    ['q=%', 'q=%'],
    ['q=%G1%41', 'q=%G1A'],
    ['q=é%41', 'q=éA'],
  ])('%s is %s', (query, decoded) => {
    expect(decodeQuery(query)).toBe(decoded);
  });
});

describe('on real requests', () => {
  /** A server that answers each request with the filter's code, or `pass`, for the peer it sees. */
  async function filtering(config: unknown): Promise<{ port: number; close: () => Promise<void> }> {
    const filter = filterOf(config);
    const server = createServer((req, res) => {
      const refusal = filter.check(req, req.socket.remoteAddress ?? '');
      const body = refusal ? `${refusal.code} ${refusal.reason}` : 'pass';
      res.writeHead(refusal?.status ?? 200, { connection: 'close', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('decides on the peer address and the raw header fields as Node hands them over', async () => {
    const server = await filtering({ deny: ['127.0.0.2'], limits: { headerBytes: 60 } });
    try {
      const head = (extra = '') => `GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n${extra}\r\n`;
      // Host: lab (11) and Connection: close (19) are 30 bytes; X-Pad: and 21 characters (30) make 60, at the limit.
      expect((await rawHttp(server.port, head('X-Pad: 123456789012345678901\r\n'))).body).toBe('pass');
      expect((await rawHttp(server.port, head('X-Pad: 1234567890123456789012\r\n'))).body).toBe(
        'EDGE_HEADERS_TOO_LARGE filter: 61 bytes of header fields, above limits.headerBytes 60 -> 431',
      );
      expect((await rawHttp(server.port, head(), '127.0.0.2')).body).toBe('EDGE_FILTER_ADDRESS_DENIED filter: 127.0.0.2 is in deny 127.0.0.2 -> 403');
    } finally {
      await server.close();
    }
  });
});
