/** URL upstreams are checked once, as the forwarder uses them, and kept as the origin its pool connects to. */
import fc from 'fast-check';
import { Pool, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { rawUpstream } from '../testing/harness.ts';
import { checkUpstreamUrl, localPortOf, Upstream } from './upstream.ts';

describe('checkUpstreamUrl', () => {
  it.each([
    ['http://127.0.0.1:9001', 'http://127.0.0.1:9001'],
    ['http://127.0.0.1:9001/', 'http://127.0.0.1:9001'],
    ['HTTP://Example.COM:80/', 'http://example.com'],
    ['https://example.com:443', 'https://example.com'],
    ['https://example.com:8443', 'https://example.com:8443'],
    ['http://127.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['http://[0:0::1]', 'http://[::1]'],
    ['http://ünicode.de', 'http://xn--nicode-2ya.de'],
    ['http://127.0.0.1:65535', 'http://127.0.0.1:65535'],
    ['http://127.0.0.1:1', 'http://127.0.0.1:1'],
  ])('keeps %s as the origin %s', (text, origin) => {
    expect(checkUpstreamUrl(text)).toEqual({ origin });
  });

  it.each([
    ['http://127.0.0.1:99999', 'port 99999 is out of range: a port is 1 to 65535'],
    ['http://127.0.0.1:65536', 'port 65536 is out of range: a port is 1 to 65535'],
    ['http://127.0.0.1:0', 'port 0 is out of range: a port is 1 to 65535'],
    ['http://127.0.0.1:00', 'port 0 is out of range: a port is 1 to 65535'],
    ['http://h:abc', 'port "abc" is not a number'],
    ['http://[::', 'not a valid URL (check the host, and the brackets around an IPv6 address)'],
    ['http://', 'not a valid URL (check the host, and the brackets around an IPv6 address)'],
    ['http://a b', 'contains whitespace or a control character'],
    // A URL parser drops the newline, which would make this port 8080.
    ['http://127.0.0.1:80\n80', 'contains whitespace or a control character'],
    [' http://h', 'contains whitespace or a control character'],
    ['http://user:secret@h', 'credentials (user:password@) are not supported in an upstream URL'],
    ['http://user@h', 'credentials (user:password@) are not supported in an upstream URL'],
    ['ftp://h', '"ftp:" is not supported: an upstream URL is http:// or https://'],
    ['http:h', 'expected "//" and a host after "http:"'],
    ['Users', 'expected a node id (lowercase letters, digits and dashes, starting with a letter) or an http:// or https:// URL'],
    [
      'http://h/api',
      "a path (/api) is not supported in an upstream: it is an origin (scheme, host, port), and each request's own path is sent to it unchanged",
    ],
    [
      'http://h?x=1',
      "a query or fragment has no place in an upstream: it is an origin, and each request's own path and query are sent to it",
    ],
    [
      'http://h/#top',
      "a query or fragment has no place in an upstream: it is an origin, and each request's own path and query are sent to it",
    ],
    [
      `http://h${'a'.repeat(2048)}`,
      'at most 2048 characters in a path or URL: longer request targets are refused by common browsers and proxies',
    ],
  ])('refuses %j: %s', (text, error) => {
    expect(checkUpstreamUrl(text)).toEqual({ error });
  });

  it('never throws; what it accepts is an origin that a pool takes and that checks to itself', async () => {
    const junk = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl().map((url) => url.replace(/^https?/, 'http')),
      fc
        .tuple(fc.constantFrom('http://', 'https://', 'HTTP://'), fc.string({ unit: 'binary-ascii', maxLength: 40 }))
        .map(([s, rest]) => s + rest),
      fc
        .tuple(fc.constantFrom('http://127.0.0.1:', 'http://[::1]:', 'http://h:'), fc.oneof(fc.nat(), fc.string()))
        .map(([s, port]) => `${s}${port}`),
      fc.string(),
    );
    const pools: Pool[] = [];
    fc.assert(
      fc.property(junk, (text) => {
        const checked = checkUpstreamUrl(text);
        if (checked.origin === undefined) return;
        expect(checkUpstreamUrl(checked.origin)).toEqual(checked);
        pools.push(new Pool(checked.origin));
      }),
      { numRuns: 500 },
    );
    expect(pools.length).toBeGreaterThan(0);
    await Promise.all(pools.map((pool) => pool.close()));
  });

  it('is what the schema keeps: a node id as written, a URL as its origin', () => {
    expect(Upstream.parse('users-1')).toBe('users-1');
    expect(Upstream.parse('HTTP://127.0.0.1:9001/')).toBe('http://127.0.0.1:9001');
    expect(Upstream.safeParse('http://127.0.0.1:99999').error?.issues[0].message).toBe('port 99999 is out of range: a port is 1 to 65535');
  });
});

describe('localPortOf', () => {
  it.each([
    ['http://127.0.0.1:8080', 8080],
    ['http://localhost:8080', 8080],
    ['http://[::1]:8080', 8080],
    ['http://0.0.0.0:8080', 8080],
    ['http://127.0.0.1', 80],
    ['https://localhost', 443],
    ['http://127.0.0.2:8080', undefined],
    ['http://example.com:8080', undefined],
    ['http://localhostx:8080', undefined],
    ['http://[::ffff:127.0.0.2]:8080', undefined],
  ])('%s reaches port %s on this host', (origin, port) => {
    expect(localPortOf(origin)).toBe(port);
  });
});

describe('localPortOf on a real socket', () => {
  // Why these spellings count as this host: a client connects through them to a listener on 127.0.0.1.
  it.each(['[::ffff:127.0.0.1]', '[::ffff:0.0.0.0]', '127.1', '0x7f.0.0.1', '2130706433', '0'])('http://%s:PORT reaches a node listening on 127.0.0.1', async (host) => {
    const server = await rawUpstream((_req, res) => res.end('here'));
    try {
      const origin = checkUpstreamUrl(`http://${host}:${server.port}`).origin!;
      expect(localPortOf(origin)).toBe(server.port);
      const answer = await request(origin);
      expect(await answer.body.text()).toBe('here');
    } finally {
      await server.close();
    }
  });
});

