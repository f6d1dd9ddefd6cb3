/**
 * The proxy's cache in the page, in Chromium against the real engine. The sandbox's orders-1 answers
 * cacheable (public, max-age=20, an ETag) and its proxy caches nothing until the learner turns the cache
 * on in the proxy's inspector: then the hit ratio the panel shows rises, and is the engine's; the dots
 * of requests answered from the cache are ringed and turn back at the proxy, never reaching a node
 * behind it; the log says X-Cache per request and a HIT's trace says why; a counts reset zeroes the
 * panel's counts and keeps what is stored; a purge empties the panel. Ends by putting
 * e2e/sandbox.yaml back.
 *
 * "A deny rule makes requests bounce" is e2e/filter.spec.ts (the rule applied as a config: the page has no filter editor yet).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as { nodes: Array<Record<string, unknown>> };

interface EngineCache {
  entries: number;
  hitRatio: number;
  words: Record<'HIT' | 'MISS' | 'STALE' | 'REVALIDATED' | 'BYPASS' | 'COLLAPSED', number>;
}

/** The proxy's cache as GET /api/topology reports it (undefined when it does not cache). */
async function engineCache(request: APIRequestContext): Promise<EngineCache | undefined> {
  const topology = (await (await request.get('/api/topology')).json()) as { nodes: Array<{ id: string; cache?: EngineCache }> };
  return topology.nodes.find((n) => n.id === 'edge')?.cache;
}

interface SeenDot {
  rid: string;
  cached: boolean;
  nodes: string[];
}

/** The dots on the canvas now, with the nodes each one's path goes through (the page's debug hook). */
function dotsNow(page: Page): Promise<SeenDot[]> {
  return page.evaluate(() => window.__edgelab?.dots().map((d) => ({ rid: d.rid, cached: d.cached, nodes: d.nodes })) ?? []);
}

test.afterEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: sandboxConfig });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
});

test('turning the cache on raises the hit ratio the page shows, HIT dots turn back at the proxy, and a purge empties the panel', async ({ page, request }) => {
  await resetLab(request);
  expect(await engineCache(request)).toBeUndefined();
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  // From the keyboard: a click on the box can land on a request's dot, which opens its trace instead.
  await page.getByTestId('node-edge').focus();
  await page.keyboard.press('Enter');
  const toggle = page.getByTestId('cache-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('cache-off')).toBeVisible();

  // The learner turns the cache on: the running config's proxy gets `cache: {}`, and the engine caches.
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true', { timeout: 10_000 });
  const config = (await (await request.get('/api/config')).json()) as typeof sandboxConfig;
  expect(config.nodes.find((n) => n.id === 'edge')!.cache).toEqual({});

  // The ratio the panel shows rises from nothing as /orders/ answers come from the store.
  const ratio = page.getByTestId('cache-hit-ratio');
  await expect.poll(async () => Number(await ratio.getAttribute('data-ratio')), { timeout: 20_000 }).toBeGreaterThan(0.1);
  // On one line, its % beside it (side panels break long words anywhere; a number is not one of them).
  const lineHeight = await ratio.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 40);
  for (const size of [{ width: 1280, height: 800 }, { width: 1440, height: 900 }]) {
    await page.setViewportSize(size);
    expect((await ratio.boundingBox())!.height, `at ${size.width}x${size.height}`).toBeLessThan(lineHeight * 1.5);
    // The % sits on the number's line, beside it, not under it.
    const [number, sign] = await ratio.evaluate((el) => {
      const range = document.createRange();
      const text = el.firstChild as Text;
      range.setStart(text, 0);
      range.setEnd(text, 1);
      const first = range.getBoundingClientRect();
      range.setStart(text, text.length - 1);
      range.setEnd(text, text.length);
      return [first.toJSON(), range.getBoundingClientRect().toJSON()] as DOMRect[];
    });
    expect(Math.abs(sign.top - number.top), `at ${size.width}x${size.height}`).toBeLessThan(2);
    expect(sign.left).toBeGreaterThan(number.left);
  }

  // Requests answered from the cache: ringed dots whose path ends at the proxy. Sampled while traffic flows.
  const cached = new Map<string, SeenDot>();
  const forwarded = new Map<string, SeenDot>();
  await expect
    .poll(
      async () => {
        for (const dot of await dotsNow(page)) (dot.cached ? cached : forwarded).set(dot.rid, dot);
        return cached.size >= 3 && [...forwarded.values()].some((d) => d.nodes.includes('orders-1'));
      },
      { timeout: 20_000, intervals: [100] },
    )
    .toBe(true);
  for (const dot of cached.values()) expect(dot.nodes, `dot ${dot.rid}`).toEqual(['client', 'edge']);
  await expect(page.getByTestId('event-log')).toContainText('X-Cache HIT');
  await expect(page.getByTestId('event-log')).toContainText('X-Cache MISS');
  // Its trace says what the cache did, in the engine's sentence: answered from the store.
  await page.getByTestId('log-line').filter({ hasText: 'X-Cache HIT' }).first().dispatchEvent('click');
  await expect(page.getByTestId('trace-cache')).toHaveAttribute('data-x-cache', 'HIT');
  await expect(page.getByTestId('trace-cache')).toContainText(/answered from the store, nothing went upstream.*-> HIT/);
  await expect(page.getByTestId('trace-hop')).toHaveCount(1);
  await page.getByTestId('trace-close').click();

  // Traffic stops: once the panel has polled again, its numbers are the engine's, exactly.
  await request.post('/api/traffic', { data: { action: 'stop' } });
  await page.waitForTimeout(1500);
  const engine = (await engineCache(request))!;
  const hits = engine.words.HIT + engine.words.STALE + engine.words.COLLAPSED;
  const lookups = hits + engine.words.MISS + engine.words.REVALIDATED;
  expect(hits).toBeGreaterThan(0);
  await expect(page.getByTestId('cache-hits')).toHaveText(String(hits), { timeout: 5000 });
  await expect(page.getByTestId('cache-lookups')).toHaveText(String(lookups));
  await expect(page.getByTestId('cache-word-HIT')).toHaveText(String(engine.words.HIT));
  await expect(ratio).toHaveText(`${Math.round(engine.hitRatio * 100)}%`);
  await expect(page.getByTestId('cache-entry-count')).toHaveText(String(engine.entries));
  await expect(page.getByTestId('cache-entry')).toHaveCount(engine.entries);
  await expect(page.getByTestId('cache-entry').first()).toHaveAttribute('data-url', /^\/orders\//);

  // A counts reset (as a lesson starts): the panel's counts go back to zero, its stored responses stay.
  expect((await request.post('/api/metrics/reset')).ok()).toBe(true);
  await expect(page.getByTestId('cache-hits')).toHaveText('0', { timeout: 5000 });
  await expect(page.getByTestId('cache-lookups')).toHaveText('0');
  await expect(page.getByTestId('cache-word-HIT')).toHaveText('0');
  await expect(page.getByTestId('cache-entry-count')).toHaveText(String(engine.entries));
  expect((await engineCache(request))!.words).toEqual({ HIT: 0, MISS: 0, STALE: 0, REVALIDATED: 0, BYPASS: 0, COLLAPSED: 0 });

  // Purge everything: the engine holds nothing, and the panel says so.
  await page.getByTestId('cache-purge-all').click();
  await expect(page.getByTestId('cache-message')).toHaveText(`purged ${engine.entries} entries (everything)`);
  await expect(page.getByTestId('cache-empty')).toBeVisible();
  await expect(page.getByTestId('cache-entry')).toHaveCount(0);
  expect((await engineCache(request))!.entries).toBe(0);
  await expect(page.getByTestId('event-log')).toContainText(`cache of edge purged: ${engine.entries} stored responses dropped (everything)`);

  // And off again: the config's proxy has no cache, and the panel says what that means.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false', { timeout: 10_000 });
  expect(await engineCache(request)).toBeUndefined();
});
