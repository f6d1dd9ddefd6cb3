/** The store's bound and indexes: bytes never above maxSize under a flood of distinct keys, indexes following evictions. */
import CachePolicy from 'http-cache-semantics';
import { describe, expect, it } from 'vitest';
import { parseDirectives } from './directives.ts';
import { ENTRY_OVERHEAD_BYTES, ResponseStore, type StoredResponse } from './store.ts';
import type { CacheRequest } from './types.ts';

const request = (url: string, headers: Record<string, string> = {}): CacheRequest => ({
  method: 'GET',
  url,
  headers: { host: 'h', ...headers },
});
const entry = (url: string, bodyBytes: number, vary: string[] = []): StoredResponse => {
  const headers = { 'cache-control': 'max-age=60' };
  return {
    key: url,
    host: 'h',
    url,
    status: 200,
    headers,
    body: Buffer.alloc(bodyBytes),
    policy: new CachePolicy(request(url), { status: 200, headers }, { shared: true }),
    directives: parseDirectives(headers['cache-control']),
    lifetime: { seconds: 60, source: 'max-age=60' },
    initialAge: 0,
    storedAt: 0,
    vary,
    size: bodyBytes + ENTRY_OVERHEAD_BYTES,
  };
};

describe('ResponseStore', () => {
  it('stays within maxSize under a flood of distinct keys, keeping the most recent', () => {
    const maxSize = 1024 * 1024;
    const store = new ResponseStore(maxSize);
    for (let i = 0; i < 20_000; i++) store.set(entry(`/k${i}`, 1000), request(`/k${i}`));
    expect(store.bytes).toBeLessThanOrEqual(maxSize);
    expect(store.count).toBe(Math.floor(maxSize / (1000 + ENTRY_OVERHEAD_BYTES)));
    expect(store.indexSizes).toEqual({ keys: store.count, uris: store.count });
    expect(store.get('/k19999', request('/k19999'))).toBeDefined();
    expect(store.get('/k0', request('/k0'))).toBeUndefined();
  });

  it('refuses an entry larger than the whole store and leaves no index behind', () => {
    const store = new ResponseStore(10_000);
    expect(store.set(entry('/big', 20_000), request('/big'))).toBe(false);
    expect([store.count, store.indexSizes]).toEqual([0, { keys: 0, uris: 0 }]);
  });

  it('keeps a variant per selecting value, normalising whitespace, and drops them all when Vary changes', () => {
    const store = new ResponseStore(1_000_000);
    store.set(entry('/a', 10, ['accept-language']), request('/a', { 'accept-language': 'fr,  de' }));
    store.set(entry('/a', 10, ['accept-language']), request('/a', { 'accept-language': 'en' }));
    expect(store.get('/a', request('/a', { 'accept-language': ' fr , de' }))).toBeDefined();
    expect(store.count).toBe(2);
    store.set(entry('/a', 10, ['accept']), request('/a', { accept: 'text/html' }));
    expect([store.count, store.get('/a', request('/a', { 'accept-language': 'en' }))]).toEqual([1, undefined]);
    expect(store.deleteKey('/a')).toBe(1);
    expect(store.indexSizes).toEqual({ keys: 0, uris: 0 });
  });
});
