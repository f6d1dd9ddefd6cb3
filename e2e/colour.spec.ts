/**
 * One colour per target in Chromium against the real engine (issue 13): each service's box carries its
 * colour, and the share chart, the event log, the dots and the legend use that same colour for it; it
 * is the same after a reload. One colour per consumer, on a gateway with two: the legend's key, the
 * dots' tags, the log lines, the trace and the gateway inspector's consumer and limiter views agree.
 * The legend keys every outcome shape, and shows whole with the diagram at 1280x800 and 1440x900.
 * Reads data-* attributes, not pixels.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { NEUTRAL_COLOUR } from '../web/src/lib/colour/target-colours.ts';
import { resetLab, twoConsumersGateway } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as unknown;

/** A gateway that knows two consumers by their API keys, with a token bucket each: the scraper sends far more than its bucket holds. */
const CONSUMERS_SANDBOX = {
  version: 1,
  name: 'Two consumers (e2e)',
  nodes: [
    twoConsumersGateway('users', { rate: 4, burst: 4 }),
    { id: 'users', kind: 'balancer', algorithm: 'round-robin', targets: ['users-1', 'users-2'] },
    { id: 'users-1', kind: 'service', latency: '40ms' },
    { id: 'users-2', kind: 'service', latency: '40ms' },
  ],
  traffic: [
    { name: 'app', to: 'api', rate: 2, clients: 2, paths: ['/users/{1..50}'], auth: { consumers: ['mobile'] } },
    { name: 'scraper', to: 'api', rate: 10, clients: 1, paths: ['/users/{1..50}'], auth: { consumers: ['scraper'] } },
  ],
};

const SERVICES = ['users-1', 'users-2', 'users-3', 'orders-1'];

async function boxColours(page: Page): Promise<Record<string, string>> {
  const colours: Record<string, string> = {};
  for (const id of SERVICES) colours[id] = (await page.getByTestId(`node-${id}`).getAttribute('data-colour')) ?? '';
  return colours;
}

test.afterEach(async ({ request }) => {
  await resetLab(request);
});

test("a service's box, its share-chart band, its log lines, its dots and its legend entry wear one colour, across a reload", async ({ page }) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  const colours = await boxColours(page);
  for (const id of SERVICES) expect(colours[id], id).toMatch(/^#[0-9a-f]{6}$/);
  expect(new Set(Object.values(colours)).size).toBe(SERVICES.length);
  await expect(page.getByTestId('node-users')).not.toHaveAttribute('data-colour');

  // The legend's colour key: every target on the diagram, in its box's colour.
  for (const id of SERVICES) await expect(page.locator(`[data-testid="legend-target"][data-target="${id}"]`)).toHaveAttribute('data-colour', colours[id]);

  // The log: a line that reached a service wears that service's colour.
  const line = page.locator('[data-testid="log-line"][data-target^="users-"]').first();
  await expect(line).toBeVisible({ timeout: 15_000 });
  const target = (await line.getAttribute('data-target'))!;
  await expect(line.locator('svg.glyph')).toHaveAttribute('data-colour', colours[target]);

  // A dot on its way to or back from a service wears that service's colour (grey before the pick).
  const colouredDots = () =>
    page.evaluate(
      ([services, grey]) =>
        (window.__edgelab?.dots() ?? []).filter((d) => d.colour !== grey).map((d) => ({ service: services.find((s) => d.nodes.includes(s)) ?? '', colour: d.colour })),
      [SERVICES, NEUTRAL_COLOUR] as const,
    );
  await expect.poll(async () => (await colouredDots()).length, { timeout: 10_000 }).toBeGreaterThan(0);
  for (const dot of await colouredDots()) expect(dot.colour, `a dot of ${dot.service}`).toBe(colours[dot.service]);

  // The balancer's share chart: each target's band in its box's colour.
  await page.getByTestId('node-users').focus();
  await page.keyboard.press('Enter');
  const bands = page.locator('[data-testid="share-chart"] path[data-target]');
  await expect(bands).toHaveCount(3, { timeout: 20_000 });
  for (const id of ['users-1', 'users-2', 'users-3']) await expect(bands.and(page.locator(`[data-target="${id}"]`))).toHaveAttribute('data-colour', colours[id]);

  await page.reload();
  await expect(page.getByTestId('node-users-1')).toHaveAttribute('data-colour', colours['users-1']);
  expect(await boxColours(page)).toEqual(colours);
});

test('the legend is a key: each outcome shape, distinct, with its word', async ({ page }) => {
  await page.goto('/');
  const items = page.getByTestId('legend-outcome');
  const outcomes = ['pending', 'ok', 'redirect', 'client-error', 'denied', 'throttled', 'server-error', 'edge-error'];
  await expect(items).toHaveCount(outcomes.length);
  const shapes: string[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    await expect(items.nth(i)).toHaveAttribute('data-outcome', outcome);
    await expect(items.nth(i)).toHaveText(/\S/);
    shapes.push((await items.nth(i).getAttribute('data-shape')) ?? '');
  }
  expect(new Set(shapes).size).toBe(outcomes.length);
  await expect(page.getByTestId('legend-cached')).toHaveText(/cached/);
});

test.describe('consumers', () => {
  test.afterEach(async ({ request }) => {
    const res = await request.put('/api/config', { data: sandboxConfig });
    expect(res.ok(), await res.text()).toBe(true);
  });

  test("each consumer wears one colour: the legend's key, its dots' tags, its log lines, its trace and the gateway's consumer and limiter views, across a reload", async ({
    page,
    request,
  }) => {
    test.setTimeout(60_000);
    const res = await request.put('/api/config', { data: CONSUMERS_SANDBOX });
    expect(res.ok(), await res.text()).toBe(true);
    await request.post('/api/traffic', { data: { action: 'start' } });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/');
    await expect(page.getByTestId('sandbox-name')).toContainText('Two consumers (e2e)');

    // The legend keys both consumers, each in a colour of its own, apart from the servers'.
    const keyed = page.locator('[data-testid="legend-consumer"] [data-testid="consumer-tag"]');
    await expect(keyed).toHaveCount(2);
    const colours: Record<string, string> = {};
    for (const name of ['mobile', 'scraper']) colours[name] = (await page.locator(`[data-testid="legend-consumer"][data-consumer="${name}"] [data-testid="consumer-tag"]`).getAttribute('data-colour')) ?? '';
    expect(colours.mobile).toMatch(/^#[0-9a-f]{6}$/);
    expect(colours.scraper).toMatch(/^#[0-9a-f]{6}$/);
    expect(colours.mobile).not.toBe(colours.scraper);
    const serverColours = await page.locator('[data-testid="legend-target"]').evaluateAll((items) => items.map((li) => li.getAttribute('data-colour')));
    expect(serverColours).not.toContain(colours.mobile);
    expect(serverColours).not.toContain(colours.scraper);
    await expect(page.getByTestId('legend-colours')).toBeInViewport({ ratio: 1 });

    // The dots: one that passed the gateway wears its consumer's tag; its fill stays its server's (grey before the pick).
    const tagged = () => page.evaluate(() => (window.__edgelab?.dots() ?? []).filter((d) => d.tag !== null).map((d) => ({ consumer: d.consumer, tag: d.tag })));
    await expect.poll(async () => new Set((await tagged()).map((d) => d.consumer)).size, { timeout: 15_000 }).toBe(2);
    for (const dot of await tagged()) expect(dot.tag, `a dot of ${dot.consumer}`).toBe(colours[dot.consumer!]);

    // The log: a line names its consumer in that consumer's colour, for both of them (the scraper's 429s too).
    for (const name of ['mobile', 'scraper']) {
      const line = page.locator(`[data-testid="log-line"][data-consumer="${name}"]`).first();
      await expect(line).toBeVisible({ timeout: 15_000 });
      await expect(line.getByTestId('consumer-tag')).toHaveAttribute('data-colour', colours[name]);
    }
    await expect(page.locator('[data-testid="log-line"][data-consumer="scraper"] svg.glyph[data-outcome="throttled"]').first()).toBeVisible({ timeout: 15_000 });

    // The trace of a request: its consumer, in its colour.
    await page.locator('[data-testid="log-line"][data-consumer="mobile"]').first().click();
    await expect(page.locator('[data-testid="trace-consumer"] [data-testid="consumer-tag"]')).toHaveAttribute('data-colour', colours.mobile);
    await page.keyboard.press('Escape');

    // The gateway's inspector: its consumers with the engine's counts, and the limit's keys, in their colours.
    await page.getByTestId('node-api').focus();
    await page.keyboard.press('Enter');
    for (const name of ['mobile', 'scraper']) await expect(page.locator(`[data-testid="gateway-consumer"][data-consumer="${name}"]`)).toHaveAttribute('data-colour', colours[name]);
    await expect(page.locator('[data-testid="limit-key"] [data-testid="consumer-tag"]')).toHaveAttribute('data-colour', colours.scraper, { timeout: 15_000 });
    await expect(page.locator('[data-testid="limit-top-refused"] [data-testid="consumer-tag"][data-consumer="scraper"]')).toHaveAttribute('data-colour', colours.scraper);

    await page.reload();
    await expect(page.locator('[data-testid="legend-consumer"][data-consumer="scraper"] [data-testid="consumer-tag"]')).toHaveAttribute('data-colour', colours.scraper);
    await expect(page.locator('[data-testid="legend-consumer"][data-consumer="mobile"] [data-testid="consumer-tag"]')).toHaveAttribute('data-colour', colours.mobile);
  });
});

for (const [width, height] of [
  [1280, 800],
  [1440, 900],
] as const) {
  test(`the whole legend, its colour key with it, shows with the diagram at ${width}x${height}`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto('/');
    await expect(page.getByTestId('legend-target')).toHaveCount(4);
    await expect(page.getByTestId('legend-colours')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('legend')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('stage')).toBeInViewport({ ratio: 1 });
  });
}
