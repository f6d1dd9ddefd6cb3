/** The configured key: each part read from the request, HEAD looking up GET, the target URI for invalidation. */
import { describe, expect, it } from 'vitest';
import { compileCacheKey, targetUri } from './cache-key.ts';
import type { CacheRequest } from './types.ts';

const request = (method: string, url: string, headers: Record<string, string> = {}): CacheRequest => ({
  method,
  url,
  headers: { host: 'Example.COM:8080', ...headers },
});

describe('compileCacheKey', () => {
  it.each<[string[], CacheRequest, string]>([
    [['method', 'host', 'path', 'query'], request('GET', '/a/b?x=1&y=2'), 'GET\u0000example.com:8080\u0000/a/b\u0000?x=1&y=2'],
    [['method', 'host', 'path', 'query'], request('HEAD', '/a'), 'GET\u0000example.com:8080\u0000/a\u0000'],
    [['path'], request('GET', '/a?x=1'), '/a'],
    [['path', 'query'], request('GET', '/a?'), '/a\u0000?'],
    [['path', 'header:X-Tenant'], request('GET', '/a', { 'x-tenant': 'blue' }), '/a\u0000blue'],
    [['path', 'header:X-Tenant'], request('GET', '/a'), '/a\u0000'],
  ])('%j of %j', (parts, req, key) => {
    expect(compileCacheKey(parts)(req)).toBe(key);
  });

  it('gives the target URI without the scheme, host lower-cased', () => {
    expect(targetUri(request('POST', '/items?x=1'))).toBe('example.com:8080/items?x=1');
  });
});
