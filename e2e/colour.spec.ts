/**
 * One colour per target in Chromium against the real engine (issue 13): each service's box carries its
 * colour, and the share chart, the event log, the dots and the legend use that same colour for it; it
 * is the same after a reload. The legend keys every outcome shape. Reads data-* attributes, not pixels.
 */
import { expect, test, type Page } from '@playwright/test';
import { NEUTRAL_COLOUR } from '../web/src/lib/colour/target-colours.ts';
import { resetLab } from './helpers.ts';

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
