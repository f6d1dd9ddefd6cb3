/**
 * An inspector holds still while traffic flows: its numbers change, its blocks keep their height, so
 * what a learner is reading does not jump a line at every request. Watched at 1280x800 and 1440x900 in
 * the balancer's, the caching proxy's and the rate-limiting gateway's inspector: every block of the
 * panel, sampled while a dozen requests or more pass. Ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { engineMetrics, restoreSandbox, SANDBOX_YAML, twoConsumersGateway } from './helpers.ts';

const SANDBOX = parse(SANDBOX_YAML) as { name: string; nodes: Array<Record<string, unknown>> };

const CACHING = { ...SANDBOX, nodes: SANDBOX.nodes.map((n) => (n.id === 'edge' ? { ...n, cache: {} } : n)) };

const THROTTLING = {
  version: 1,
  name: 'Throttle the abusive client (e2e)',
  nodes: [
    twoConsumersGateway('users', { rate: 10, burst: 10 }),
    { id: 'users', kind: 'service', latency: '20ms' },
  ],
  traffic: [
    { name: 'app', to: 'api', rate: 3, clients: 3, paths: ['/users/{1..50}'], auth: { consumers: ['mobile'] } },
    { name: 'scraper', to: 'api', rate: 40, clients: 1, paths: ['/users/{1..50}'], auth: { consumers: ['scraper'] } },
  ],
};

test.afterEach(({ request }) => restoreSandbox(request));

/**
 * The blocks of the open inspector whose height changed while `node` answered more than `requests`
 * more requests, as "block: from px to px". A block is any element of the panel that is not inline (a
 * sentence's words rewrap inside their block), nor inside a list of past decisions (which scroll by
 * design) or an SVG drawing.
 */
async function jumpsWhileTrafficFlows(page: Page, request: APIRequestContext, node: string, requests = 12): Promise<string[]> {
  await page.evaluate(() => {
    const panel = document.querySelector('[data-testid="inspector"]')!;
    const blocks = [...panel.querySelectorAll<HTMLElement>('*')].filter(
      (el) => !(el instanceof SVGElement) && !el.closest('svg, ol, ul, table') && getComputedStyle(el).display !== 'inline',
    );
    const first = new Map(blocks.map((el) => [el, el.getBoundingClientRect().height]));
    const jumps = new Map<HTMLElement, string>();
    const watch = () => {
      for (const el of blocks) {
        const h = el.getBoundingClientRect().height;
        if (el.isConnected && Math.abs(h - first.get(el)!) > 1) jumps.set(el, `${el.className || el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}": ${first.get(el)} px to ${h} px`);
      }
      (window as unknown as { __raf: number }).__raf = requestAnimationFrame(watch);
    };
    watch();
    (window as unknown as { __jumps: () => string[] }).__jumps = () => [...jumps.values()];
  });
  const before = (await engineMetrics(request))[node].requests;
  // A wait for the engine's counts, not a timer: the page's reports come about once a second.
  await expect.poll(async () => (await engineMetrics(request))[node].requests, { timeout: 20_000 }).toBeGreaterThan(before + requests);
  return page.evaluate(() => {
    cancelAnimationFrame((window as unknown as { __raf: number }).__raf);
    return (window as unknown as { __jumps: () => string[] }).__jumps();
  });
}

async function openInspector(page: Page, request: APIRequestContext, config: { name: string }, node: string, size: { width: number; height: number }) {
  const res = await request.put('/api/config', { data: config });
  expect(res.ok(), await res.text()).toBe(true);
  await page.setViewportSize(size);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText(config.name);
  // From the keyboard: a click on the box can land on a request's dot, which opens its trace instead.
  await page.getByTestId(`node-${node}`).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect(page.getByTestId('node-chart-now')).toBeVisible({ timeout: 10_000 });
}

for (const size of [{ width: 1280, height: 800 }, { width: 1440, height: 900 }]) {
  const at = `${size.width}x${size.height}`;

  test(`the round-robin balancer's inspector keeps its lines while it picks (${at})`, async ({ page, request }) => {
    await openInspector(page, request, SANDBOX, 'users', size);
    await expect(page.getByTestId('wheel-legend')).toContainText(/next up: (users-\d|–)/);
    
    await expect(page.getByTestId('share-chart-now')).toBeVisible({ timeout: 10_000 });
    // Filled in: the strip of last picks shows its fourteen (it grows until then, as it should).
    await expect(page.getByTestId('pick-token')).toHaveCount(14, { timeout: 20_000 });
    expect(await jumpsWhileTrafficFlows(page, request, 'users')).toEqual([]);
  });

  test(`the caching proxy's inspector keeps its lines as HITs and MISSes alternate (${at})`, async ({ page, request }) => {
    await openInspector(page, request, CACHING, 'edge', size);
    await expect(page.getByTestId('cache-example')).toBeVisible({ timeout: 10_000 });
    // Filled in: every /orders/ answer stored (the list grows until then, as it should).
    await expect(page.getByTestId('cache-entry')).toHaveCount(10, { timeout: 20_000 });
    expect(await jumpsWhileTrafficFlows(page, request, 'edge')).toEqual([]);
  });

  test(`the gateway's inspector keeps its lines as the bucket empties and refills (${at})`, async ({ page, request }) => {
    await openInspector(page, request, THROTTLING, 'api', size);
    await expect(page.getByTestId('drawing-next')).toBeVisible({ timeout: 10_000 });
    await expect(page.getByTestId('limit-chart')).toBeVisible();
    await expect(page.getByTestId('inspector').getByRole('table').first()).toContainText('mobile');
    // The scraper's 40 a second keep the bucket about empty: three seconds of them see it refill a token and lose it again.
    expect(await jumpsWhileTrafficFlows(page, request, 'api', 130)).toEqual([]);
  });
}
