/** Cache rules, validators and the RFC 9110 section 13 evaluation of If-None-Match and If-Modified-Since. */
import { describe, expect, it } from 'vitest';
import { compileCacheRules, entityTag, httpDate, isNotModified, parseHttpDate } from './service-cache.ts';
import { padJson } from './service-body.ts';

const LM = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('HTTP-dates', () => {
  it('formats IMF-fixdate', () => {
    expect(httpDate(LM)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', LM],
    ['Sunday, 06-Nov-94 08:49:37 GMT', LM],
    ['Sun Nov  6 08:49:37 1994', LM],
    ['Sun, 06 Nov 1994 08:49:37 UTC', undefined],
    ['Sun, 31 Feb 1994 08:49:37 GMT', undefined],
    ['Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT', undefined],
    ['yesterday', undefined],
  ])('parses %j (all three forms, as UTC)', (value, ms) => {
    expect(parseHttpDate(value, Date.UTC(2026, 0, 1))).toBe(ms);
  });
});

describe('compileCacheRules', () => {
  it('the first rule whose path matches wins (exact, or a prefix ending in /*)', () => {
    const rule = compileCacheRules([
      { path: '/static/app.js', cacheControl: 'no-store', etag: false, lastModified: false },
      { path: '/static/*', cacheControl: 'public, max-age=60', etag: true, lastModified: true },
    ]);
    expect(rule?.('/static/app.js')?.cacheControl).toBe('no-store');
    expect(rule?.('/static/img/a.png')?.cacheControl).toBe('public, max-age=60');
    expect(rule?.('/static')?.cacheControl).toBe('public, max-age=60');
    expect(rule?.('/staticky')).toBeUndefined();
    expect(compileCacheRules(undefined)).toBeUndefined();
    expect(compileCacheRules([])).toBeUndefined();
  });
});

describe('entityTag', () => {
  it('is strong, the same for the same content, and changes with it', () => {
    const a = entityTag(padJson('{"node":"s1","path":"/a"}', 100));
    expect(a).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(entityTag(padJson('{"node":"s1","path":"/a"}', 100))).toBe(a);
    expect(entityTag(padJson('{"node":"s1","path":"/b"}', 100))).not.toBe(a);
    expect(entityTag(padJson('{"node":"s1","path":"/a"}', 101))).not.toBe(a);
  });
});

describe('isNotModified', () => {
  const both = { etag: '"v1"', lastModified: LM };
  const after = httpDate(LM + 5_000);
  const before = httpDate(LM - 5_000);

  it.each<[string, Record<string, string>, typeof both | { etag?: string; lastModified?: number }, boolean]>([
    ['no condition', {}, both, false],
    ['If-None-Match with the tag', { 'if-none-match': '"v1"' }, both, true],
    ['If-None-Match with another tag', { 'if-none-match': '"v0"' }, both, false],
    ['If-None-Match weak form of the tag (weak comparison)', { 'if-none-match': 'W/"v1"' }, both, true],
    ['If-None-Match list containing the tag', { 'if-none-match': '"a", W/"b,c", "v1"' }, both, true],
    ['If-None-Match list whose quoted comma is not a separator', { 'if-none-match': '"v0,v1"' }, both, false],
    ['If-None-Match *', { 'if-none-match': '*' }, both, true],
    ['If-None-Match * without an ETag', { 'if-none-match': '*' }, { lastModified: LM }, true],
    ['If-None-Match with a tag, no ETag to compare', { 'if-none-match': '"v1"' }, { lastModified: LM }, false],
    ['If-Modified-Since at Last-Modified', { 'if-modified-since': httpDate(LM) }, both, true],
    ['If-Modified-Since after Last-Modified', { 'if-modified-since': after }, both, true],
    ['If-Modified-Since before Last-Modified (modified since)', { 'if-modified-since': before }, both, false],
    ['If-Modified-Since that is not a date', { 'if-modified-since': 'yesterday' }, both, false],
    ['If-Modified-Since without a Last-Modified', { 'if-modified-since': after }, { etag: '"v1"' }, false],
    [
      'a mismatching If-None-Match overrides a matching If-Modified-Since',
      { 'if-none-match': '"v0"', 'if-modified-since': after },
      both,
      false,
    ],
    ['a matching If-None-Match wins over an old If-Modified-Since', { 'if-none-match': '"v1"', 'if-modified-since': before }, both, true],
  ])('%s', (_what, headers, validators, expected) => {
    expect(isNotModified(headers, validators)).toBe(expected);
  });
});
