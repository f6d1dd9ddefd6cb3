/** RFC 9111 sections 4.2.1-4.2.3 and 5.2: freshness lifetime, age and the Cache-Control parse, exact. */
import { describe, expect, it } from 'vitest';
import { deltaSeconds, parseDirectives } from './directives.ts';
import { currentAge, freshnessLifetime, initialAge } from './freshness.ts';
import type { Headers } from './types.ts';

const DATE = 'Sun, 06 Dec 2026 12:00:00 GMT';
const T = Date.parse(DATE);
const lifetime = (headers: Headers, status = 200) =>
  freshnessLifetime(status, { date: DATE, ...headers }, parseDirectives(headers['cache-control']));

describe('parseDirectives', () => {
  it.each<[string, Record<string, string | true>]>([
    ['public, max-age=60', { public: true, 'max-age': '60' }],
    ['Max-Age=10, max-age=99', { 'max-age': '10' }],
    ['no-cache="set-cookie, x-a", s-maxage=5', { 'no-cache': 'set-cookie, x-a', 's-maxage': '5' }],
    ['private="a\\"b"', { private: 'a"b' }],
    [',,, no-store ,', { 'no-store': true }],
    ['max-age=60 junk, public', { public: true }],
    ['"unparseable", max-age=3', { 'max-age': '3' }],
  ])('%s', (value, expected) => {
    expect(Object.fromEntries(parseDirectives(value))).toEqual(expected);
  });

  it('reads delta-seconds, counting an unreadable one as 0 and capping at 2^31', () => {
    const cc = parseDirectives('max-age=abc, s-maxage=99999999999, stale-if-error=7');
    expect([
      deltaSeconds(cc, 'max-age'),
      deltaSeconds(cc, 's-maxage'),
      deltaSeconds(cc, 'stale-if-error'),
      deltaSeconds(cc, 'min-fresh'),
    ]).toEqual([0, 2_147_483_648, 7, undefined]);
  });
});

describe('freshnessLifetime (RFC 9111 section 4.2.1)', () => {
  it.each<[string, Headers, number, string]>([
    ['s-maxage wins over max-age in a shared cache', { 'cache-control': 'max-age=10, s-maxage=60' }, 60, 's-maxage=60'],
    ['max-age wins over Expires', { 'cache-control': 'max-age=10', expires: 'Sun, 06 Dec 2026 13:00:00 GMT' }, 10, 'max-age=10'],
    ['Expires - Date', { expires: 'Sun, 06 Dec 2026 12:05:00 GMT' }, 300, 'Expires - Date = 300 s'],
    ['an invalid Expires is already expired', { expires: '0' }, 0, 'Expires - Date = 0 s'],
    ['an Expires before Date is already expired', { expires: 'Sun, 06 Dec 2026 11:00:00 GMT' }, 0, 'Expires - Date = 0 s'],
    [
      'heuristic: 10% since Last-Modified',
      { 'last-modified': 'Sun, 06 Dec 2026 11:00:00 GMT' },
      360,
      'heuristic: 10% of 3600 s since Last-Modified',
    ],
    ['nothing', {}, 0, 'no explicit freshness'],
  ])('%s', (_name, headers, seconds, source) => {
    expect(lifetime(headers)).toEqual({ seconds, source });
  });

  it('gives no heuristic lifetime to a status that is not heuristically cacheable, unless public', () => {
    const lastModified = { 'last-modified': 'Sun, 06 Dec 2026 11:00:00 GMT' };
    expect(lifetime(lastModified, 302).seconds).toBe(0);
    expect(lifetime({ ...lastModified, 'cache-control': 'public' }, 302).seconds).toBe(360);
  });
});

describe('age (RFC 9111 section 4.2.3)', () => {
  it('takes the apparent age when Date is older than the response delay says', () => {
    // Date 12:00:00, arrived 12:00:10 after a 1 s exchange: apparent 10 s, corrected 0 + 1 s.
    expect(initialAge({ date: DATE }, T + 9_000, T + 10_000)).toBe(10);
  });

  it('takes Age plus the response delay when larger', () => {
    expect(initialAge({ date: DATE, age: '30' }, T, T + 2_000)).toBe(32);
  });

  it('ignores an Age that is not a number, and a Date from the future', () => {
    expect(initialAge({ date: 'Sun, 06 Dec 2026 12:10:00 GMT', age: 'soon' }, T, T + 500)).toBe(0.5);
  });

  it('adds the time resident in the cache', () => {
    expect(currentAge(10, T, T + 18_000)).toBe(28);
  });
});
