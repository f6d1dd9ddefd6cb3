/**
 * The live charts in Chromium against the real engine (issue 13): on the default sandbox with one slow
 * service, switching the balancer from round robin to least connections visibly narrows the slow
 * target's band in the share chart within 30 s. The assertion reads the chart's data (its latest
 * shares, the engine's counts over the last 5 s), not its pixels; a screenshot at 1280x800 goes with
 * the test's output. Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as { nodes: Array<Record<string, unknown>> };

/** The sandbox with users-2 answering in 600 ms: under round robin it still gets a third. */
function withSlowUsers2() {
  const config = structuredClone(sandboxConfig);
  const users2 = config.nodes.find((n) => n.id === 'users-2')!;
  users2.latency = '600ms';
  return config;
}

async function putConfig(request: APIRequestContext, config: unknown) {
  const res = await request.put('/api/config', { data: config });
  expect(res.ok(), await res.text()).toBe(true);
}

/** The share chart's latest shares ({} until it has two ticks of a balancer that answered). */
async function shares(page: Page): Promise<Record<string, number>> {
  const raw = await page.getByTestId('share-chart').getAttribute('data-shares');
  return raw ? (JSON.parse(raw) as Record<string, number>) : {};
}

test.afterEach(async ({ request }) => {
  await putConfig(request, sandboxConfig);
  await resetLab(request);
});

test("switching round robin to least connections narrows a slow target's band in the share chart within 30 s", async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await putConfig(request, withSlowUsers2());
  await request.post('/api/traffic', { data: { action: 'start', rate: 45 } });
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.getByTestId('node-users').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector-algorithm')).toHaveText('round-robin');

  // Round robin: a third each, the slow one included, once the chart's 5 s window is full (its first
  // seconds hold a handful of requests, whose shares say little).
  const chart = page.getByTestId('share-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThanOrEqual(12);
  await expect.poll(async () => Math.abs(((await shares(page))['users-2'] ?? 0) - 1 / 3), { timeout: 10_000 }).toBeLessThan(0.08);

  await page.getByTestId('algorithm-select').selectOption('least-connections');
  await expect(page.getByTestId('inspector-algorithm')).toHaveText('least-connections', { timeout: 10_000 });
  const switched = Date.now();
  // Least connections sees users-2's requests pile up in flight and sends it few new ones.
  await expect.poll(async () => (await shares(page))['users-2'] ?? 1, { timeout: 30_000 }).toBeLessThan(0.15);
  expect(Date.now() - switched).toBeLessThan(30_000);
  await page.getByTestId('share-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('share-chart-1280x800.png') });
  // The band is drawn for each target, in the algorithm view's colours.
  for (const id of ['users-1', 'users-2', 'users-3']) await expect(page.locator(`[data-testid="share-chart"] path[data-target="${id}"]`)).toHaveCount(1);
});
