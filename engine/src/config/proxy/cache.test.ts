/** The cache field of a proxy: the issue 11 sketch is accepted, defaults filled, every bad input names its field. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../validate.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, entrySizeLimit, lockTimeout, type CacheConfig } from './cache.ts';

const config = (cache: unknown) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's', cache },
    { id: 's', kind: 'service' },
  ],
  traffic: [{ to: 'edge', rate: 1 }],
});
const parsed = (cache: unknown): CacheConfig => {
  const result = validateConfig(config(cache));
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return (result.config.nodes[0] as { cache: CacheConfig }).cache;
};
const errorsOf = (cache: unknown) => {
  const result = validateConfig(config(cache));
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('cache', () => {
  it('takes the sketch from issue 11', () => {
    const cache = parsed({
      maxSize: '64mb',
      key: ['method', 'host', 'path', 'query'],
      staleWhileRevalidate: true,
      lock: { timeout: '2s' },
    });
    expect(cache).toEqual({
      maxSize: 64 * 1024 * 1024,
      key: ['method', 'host', 'path', 'query'],
      staleWhileRevalidate: true,
      staleIfError: true,
      lock: { timeout: 2000 },
      storeSetCookie: false,
    });
    expect(lockTimeout(cache)).toBe(2000);
  });

  it('fills every default from an empty object', () => {
    const cache = parsed({});
    expect(cache.maxSize).toBe(64 * 1024 * 1024);
    expect(cache.key).toEqual(['method', 'host', 'path', 'query']);
    expect(lockTimeout(cache)).toBe(DEFAULT_LOCK_TIMEOUT_MS);
    expect(entrySizeLimit(cache)).toBe(8 * 1024 * 1024);
    expect(entrySizeLimit(parsed({ maxSize: '1mb' }))).toBe(1024 * 1024);
    expect(lockTimeout(parsed({ lock: false }))).toBeUndefined();
  });

  it('takes header key parts and sizes in bytes', () => {
    const cache = parsed({ key: ['path', 'header:Accept-Language'], maxSize: 4096, maxEntrySize: '1kb', storeSetCookie: true });
    expect(cache.key).toEqual(['path', 'header:Accept-Language']);
    expect([cache.maxSize, cache.maxEntrySize, cache.storeSetCookie]).toEqual([4096, 1024, true]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown key part', { key: ['cookie'] }, 'nodes[0].cache.key[0]: expected method, host, path, query, header:NAME'],
    ['a header name that is no token', { key: ['header:a b'] }, 'nodes[0].cache.key[0]: expected'],
    ['a key part twice', { key: ['path', 'PATH'] }, 'nodes[0].cache.key[1]: PATH is already in the key'],
    ['an empty key', { key: [] }, 'nodes[0].cache.key: give at least one key part'],
    ['a size without a unit it knows', { maxSize: '64 gigs' }, 'nodes[0].cache.maxSize: expected a size like 512kb or 64mb'],
    ['a size past the limit', { maxSize: '2048mb' }, "nodes[0].cache.maxSize: at most 1073741824 bytes in a proxy's cache"],
    ['no size at all', { maxSize: '0b' }, 'nodes[0].cache.maxSize: must be at least 1 byte, got "0b"'],
    ['an entry larger than the cache', { maxSize: '1mb', maxEntrySize: '2mb' }, 'nodes[0].cache.maxEntrySize: larger than maxSize'],
    ['a zero lock timeout', { lock: { timeout: 0 } }, 'nodes[0].cache.lock'],
    ['a misspelt field', { maxsize: '1mb' }, 'nodes[0].cache'],
  ])('refuses %s', (_name, cache, error) => {
    const errors = errorsOf(cache);
    expect(
      errors.some((e) => e.startsWith(error)),
      errors.join('\n'),
    ).toBe(true);
  });
});

describe('a proxy cache', () => {
  it('is accepted without a warning now that it runs', () => {
    const result = validateConfig(config({ maxSize: '1mb' }));
    expect(result.ok && result.warnings).toEqual([]);
  });
});
