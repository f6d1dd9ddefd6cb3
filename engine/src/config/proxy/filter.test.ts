/** The proxy's filter field: the documented shape is accepted and parsed; every bad entry is an error naming its field. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../validate.ts';
import { cidrProblem, PARSER_HEADER_BYTES } from './filter.ts';

const config = (filter: unknown) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's', filter },
    { id: 's', kind: 'service' },
  ],
});
const errorsOf = (filter: unknown) => {
  const result = validateConfig(config(filter));
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
};
const F = 'nodes[0].filter';

describe('filter', () => {
  it('accepts the documented example and parses its sizes, durations and header names', () => {
    const result = validateConfig(
      config({
        deny: ['10.0.0.0/8', '2001:db8::/32'],
        allow: ['127.0.0.0/8', '::1', '::ffff:192.0.2.0/120'],
        methods: ['GET', 'HEAD', 'POST'],
        denyPaths: ['^/admin(/|$)', '\\.php$'],
        denyQuery: ['<script', 'union.+select'],
        headers: [
          { name: 'X-Api-Key', require: true },
          { name: 'user-agent', deny: 'sqlmap|nikto' },
        ],
        limits: { urlLength: 2048, headerBytes: '8kb', headerCount: 50, bodyBytes: '1.5mb' },
        timeouts: { headers: '10s', body: '30s' },
      }),
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
    const node = result.ok ? result.config.nodes[0] : undefined;
    const filter = node?.kind === 'proxy' ? node.filter : undefined;
    expect(filter?.limits).toEqual({ urlLength: 2048, headerBytes: 8192, headerCount: 50, bodyBytes: 1_572_864 });
    expect(filter?.timeouts).toEqual({ headers: 10_000, body: 30_000 });
    expect(filter?.headers?.[0]).toEqual({ name: 'x-api-key', require: true });
  });

  it('takes no filter, and an empty one', () => {
    expect(validateConfig({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', to: 'http://127.0.0.1:9' }] }).ok).toBe(true);
    expect(errorsOf({})).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['a CIDR past /32', { deny: ['10.0.0.0/33'] }, `${F}.deny[0]: bad prefix length /33: an IPv4 block takes /0 to /32`],
    ['an IPv6 CIDR past /128', { allow: ['::1', '::/129'] }, `${F}.allow[1]: bad prefix length /129: an IPv6 block takes /0 to /128`],
    ['a prefix that is not a number', { deny: ['10.0.0.0/8a'] }, `${F}.deny[0]: bad prefix length /8a: an IPv4 block takes /0 to /32`],
    [
      'a host name',
      { deny: ['example.test'] },
      `${F}.deny[0]: expected an IP address or a CIDR block (10.0.0.0/8, 2001:db8::/32), got "example.test"`,
    ],
    ['two slashes', { deny: ['10.0.0.0/8/8'] }, `${F}.deny[0]: expected an IP address or a CIDR block (10.0.0.0/8, 2001:db8::/32), got "10.0.0.0/8/8"`],
    ['a lower-case method', { methods: ['get'] }, `${F}.methods[0]: expected an upper-case HTTP method`],
    ['CONNECT', { methods: ['CONNECT'] }, `${F}.methods[0]: CONNECT is refused by every node already (no tunnels)`],
    ['no methods at all', { methods: [] }, `${F}.methods: give at least one method, or leave methods out`],
    [
      'an empty allow list (it let every address pass, where allow says only these pass)',
      { allow: [] },
      `${F}.allow: give at least one address or CIDR block, or leave allow out (an empty list let every address pass)`,
    ],
    ['a regex that does not compile', { denyPaths: ['^/(admin'] }, `${F}.denyPaths[0]: invalid regular expression: /^/(admin/: Unterminated group`],
    [
      'a regex that backtracks',
      { denyQuery: ['x', '(a+)+$'] },
      `${F}.denyQuery[1]: a repeated group that itself repeats or alternates (like (a+)+ or (a|b)*) can take exponential time; rewrite it`,
    ],
    ['an empty regex', { denyPaths: [''] }, `${F}.denyPaths[0]: an empty regular expression matches everything: leave the condition out instead`],
    ['a header rule with both require and deny', { headers: [{ name: 'x-a', require: true, deny: true }] }, `${F}.headers[0].require: give one of require and deny`],
    ['a header rule with neither', { headers: [{ name: 'x-a' }] }, `${F}.headers[0].require: give one of require and deny`],
    ['a header name with a space', { headers: [{ name: 'x a', deny: true }] }, `${F}.headers[0].name: expected a header field name (an RFC 9110 token)`],
    ['a header value regex that does not compile', { headers: [{ name: 'x-a', deny: '[' }] }, `${F}.headers[0].deny`],
    ['a URL length of 0', { limits: { urlLength: 0 } }, `${F}.limits.urlLength: must be at least 1 (the shortest target is /)`],
    [
      'a URL length the parser never lets through',
      { limits: { urlLength: PARSER_HEADER_BYTES + 1 } },
      `${F}.limits.urlLength: at most ${PARSER_HEADER_BYTES}: Node's parser refuses a longer request head with 431 first`,
    ],
    [
      'header bytes above the parser',
      { limits: { headerBytes: '17kb' } },
      `${F}.limits.headerBytes: at most ${PARSER_HEADER_BYTES} (16kb): Node's parser refuses larger request heads with 431 first`,
    ],
    ['no header bytes at all', { limits: { headerBytes: 0 } }, `${F}.limits.headerBytes: must be at least 1 (an HTTP/1.1 request carries Host)`],
    [
      'more header fields than Node keeps',
      { limits: { headerCount: 2001 } },
      `${F}.limits.headerCount: at most 2000: Node keeps no more header fields than that, so a filter never sees them`,
    ],
    ['a body size without a known unit', { limits: { bodyBytes: '1tb' } }, `${F}.limits.bodyBytes: expected a size like 512b, 8kb or 1.5mb (at most 64mb, as a body is held in memory until it is whole), got "1tb"`],
    ['a negative body size', { limits: { bodyBytes: -1 } }, `${F}.limits.bodyBytes: expected a size like 512b, 8kb or 1.5mb (at most 64mb, as a body is held in memory until it is whole), got -1`],
    ['a body size past what the proxy holds in memory', { limits: { bodyBytes: '65mb' } }, `${F}.limits.bodyBytes: at most 64mb, as a body is held in memory until it is whole, got "65mb"`],
    ['a misspelt limit', { limits: { bodySize: 10 } }, `${F}.limits.bodySize: unknown key`],
    ['a header timeout of 0', { timeouts: { headers: 0 } }, `${F}.timeouts.headers: must be longer than 0`],
    [
      'timeouts past what a timer holds',
      { timeouts: { headers: '2000000000ms', body: '2000000000ms' } },
      `${F}.timeouts.body: headers + body is at most 2147483647ms, the longest a timer can hold`,
    ],
    ['a misspelt field', { denyPath: ['x'] }, `${F}.denyPath: unknown key`],
  ])('refuses %s', (_what, filter, error) => {
    const errors = errorsOf(filter);
    expect(errors.some((e) => e.startsWith(error)), JSON.stringify(errors)).toBe(true);
  });

  it.each([
    ['10.0.0.0/8', undefined],
    ['10.1.2.3', undefined],
    ['::ffff:10.0.0.0/104', undefined],
    ['0.0.0.0/0', undefined],
    ['10.0.0.0/-1', 'bad prefix length /-1: an IPv4 block takes /0 to /32'],
    ['10.0.0.0/', 'bad prefix length /: an IPv4 block takes /0 to /32'],
  ])('cidrProblem(%s)', (entry, problem) => {
    expect(cidrProblem(entry)).toBe(problem);
  });
});
