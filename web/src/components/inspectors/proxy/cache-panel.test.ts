import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProxyCache } from '../../../lib/api-types.ts';
import { LabState } from '../../../state/lab-state.svelte.ts';
import { wallNow } from '../../../state/stream-ingest.svelte.ts';
import { renderWithLab } from '../../../test/render.ts';
import CachePanel from './CachePanel.svelte';

const edge = { id: 'edge', kind: 'proxy' as const, port: 8080, state: 'up' as const, upstreams: [{ to: 'api' }] };

function cacheOf(fields: Partial<ProxyCache> = {}): ProxyCache {
  return {
    entries: 2,
    bytes: 2048,
    maxBytes: 64 * 1024 * 1024,
    locked: 0,
    words: { HIT: 30, MISS: 8, STALE: 1, REVALIDATED: 1, BYPASS: 2, COLLAPSED: 0 },
    hitRatio: 31 / 40,
    history: [],
    items: [
      { host: '127.0.0.1:8080', url: '/orders/10', status: 200, size: 1024, ttl: 15, lifetime: 20, age: 5 },
      { host: '127.0.0.1:8080', url: '/orders/2', status: 200, size: 1024, ttl: -3, lifetime: 20, age: 23 },
    ],
    ...fields,
  };
}

function labWith(cache: ProxyCache | undefined): LabState {
  const lab = new LabState();
  lab.topology = { name: 'Classic edge', nodes: [{ ...edge, ...(cache ? { cache } : {}) }], traffic: { running: true, sent: 0, flows: [] } };
  lab.caches = cache ? { edge: { cache, askedAt: wallNow() } } : {};
  return lab;
}

describe('CachePanel', () => {
  const requests: Array<{ method: string; url: string; body?: string }> = [];

  beforeEach(() => {
    requests.length = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        requests.push({ method: init?.method ?? 'GET', url, body: init?.body as string | undefined });
        if (url === '/api/config' && (init?.method ?? 'GET') === 'GET')
          return new Response(JSON.stringify({ version: 1, name: 'x', nodes: [{ id: 'edge', kind: 'proxy', to: 'api' }] }));
        if (url.startsWith('/api/cache/')) return new Response(JSON.stringify({ purged: 2 }));
        if (url === '/api/topology')
          return new Response(JSON.stringify({ name: 'x', nodes: [{ ...edge, cache: cacheOf({ entries: 0, items: [] }) }], traffic: { running: true, sent: 0, flows: [] } }));
        return new Response('{}');
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows the engine’s hit ratio, X-Cache counts and bytes against the limit', () => {
    const view = renderWithLab(CachePanel, labWith(cacheOf()), { node: edge });
    expect(view.byTestId('cache-toggle')?.getAttribute('aria-pressed')).toBe('true');
    expect(view.byTestId('cache-hit-ratio')?.textContent).toBe('78%');
    expect(view.byTestId('cache-hits')?.textContent).toBe('31');
    expect(view.byTestId('cache-lookups')?.textContent).toBe('40');
    expect(view.byTestId('cache-word-BYPASS')?.textContent).toBe('2');
    expect(view.byTestId('cache-bytes')?.textContent?.replace(/\s+/g, ' ')).toContain('stored 2.0 kB of 64.0 MB · 2 responses');
  });

  it('lists entries in URL order with their freshness, the stale one marked', () => {
    const view = renderWithLab(CachePanel, labWith(cacheOf()), { node: edge });
    const rows = [...view.target.querySelectorAll('[data-testid="cache-entry"]')];
    expect(rows.map((r) => r.getAttribute('data-url'))).toEqual(['/orders/2', '/orders/10']);
    expect(rows.map((r) => r.getAttribute('data-stale'))).toEqual(['true', 'false']);
    expect(rows[0].querySelector('[data-testid="cache-entry-left"]')?.textContent).toBe('stale 3 s');
    expect(rows[1].querySelector('[data-testid="cache-entry-left"]')?.textContent).toMatch(/^fresh 1[45](\.\d)? s$/);
    expect(rows[1].querySelector('[role="meter"]')?.getAttribute('aria-valuemax')).toBe('20');
  });

  it('purges one entry, a prefix, or everything through DELETE /api/cache/:node', async () => {
    const view = renderWithLab(CachePanel, labWith(cacheOf()), { node: edge });
    (view.target.querySelector('[data-testid="cache-purge-entry"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(view.byTestId('cache-message')?.textContent).toBe('purged 2 entries (/orders/2)'));
    // The panel reads the cache again at once: what the engine holds now.
    expect(view.byTestId('cache-empty')).not.toBeNull();
    const prefix = view.byTestId('cache-purge-prefix') as HTMLInputElement;
    prefix.value = '/orders/';
    prefix.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    view.byTestId('cache-purge-prefix-apply')!.click();
    view.byTestId('cache-purge-all')!.click();
    await vi.waitFor(() => expect(requests.filter((r) => r.method === 'DELETE')).toHaveLength(3));
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.url)).toEqual([
      '/api/cache/edge?url=%2Forders%2F2&host=127.0.0.1%3A8080',
      '/api/cache/edge?prefix=%2Forders%2F',
      '/api/cache/edge?prefix=%2F',
    ]);
  });

  it('says what it means to have no cache, and turns it on by putting the config back with cache: {}', async () => {
    const view = renderWithLab(CachePanel, labWith(undefined), { node: edge });
    expect(view.byTestId('cache-toggle')?.getAttribute('aria-pressed')).toBe('false');
    expect(view.byTestId('cache-off')?.textContent).toContain('every request goes on to api');
    view.byTestId('cache-toggle')!.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    const put = requests.find((r) => r.method === 'PUT')!;
    expect(put.url).toBe('/api/config');
    expect(JSON.parse(put.body!).nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'api', cache: {} });
  });
});
