/**
 * The live charts in Chromium against the real engine (issue 13): on the default sandbox with one slow
 * service, switching the balancer from round robin to least connections visibly narrows the slow
 * target's band in the share chart within 30 s; the whole-edge chart under the diagram follows the
 * entry's metrics (a latency fault on the entry shows in its latency and in flight) and marks where
 * the fault began and ended, naming it; a lesson step marks the charts when it begins. The assertions
 * read the charts' data (their latest numbers, the engine's over the last 5 s, and their marks), not
 * their pixels; a screenshot at 1280x800 goes with the test's output. Each test ends by putting
 * e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { withEphemeralPorts } from '../lessons/ephemeral-ports.ts';
import { roundRobinBasics } from '../lessons/round-robin-basics.ts';
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

interface EdgeLatest {
  total: number;
  ok: number;
  p50: number;
  p95: number;
  p99: number;
  inFlight: number;
}

/** The whole-edge chart's latest point (its data-latest), or undefined before it has one. */
async function edgeLatest(page: Page): Promise<EdgeLatest | undefined> {
  const raw = await page.getByTestId('edge-chart').getAttribute('data-latest');
  return raw ? (JSON.parse(raw) as EdgeLatest) : undefined;
}

/** The words of the whole-edge chart's marks of `kind` (each is drawn once per panel: once each here). */
async function edgeMarks(page: Page, kind: string): Promise<string[]> {
  const labels = await page.locator(`[data-testid="edge-chart"] g.marker[data-marker="${kind}"]`).evaluateAll((marks) => marks.map((m) => m.getAttribute('aria-label') ?? ''));
  return [...new Set(labels)];
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

test("the whole-edge chart follows the entry's metrics, and marks a fault's beginning and end by its name", async ({ page, request }, testInfo) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  const chart = page.getByTestId('edge-chart');
  await expect(chart).toHaveAttribute('data-entries', 'edge');
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThanOrEqual(10);

  // Steady traffic: the chart's rate is the engine's at the entry over its last 5 s (the two are read a
  // tick apart, hence the tolerance), and its services answer in tens of ms.
  await expect
    .poll(async () => {
      const engine = (await (await request.get('/api/metrics')).json()).nodes.edge;
      const shown = await edgeLatest(page);
      return shown !== undefined && Math.abs(shown.total - engine.recent.requests / engine.recent.seconds) <= 0.25 * shown.total && shown.p50 < 300;
    }, { timeout: 15_000 })
    .toBe(true);

  // 400 ms more at the entry: the latency the clients see and the requests in flight rise on the chart.
  const fault = await (await request.post('/api/faults', { data: { target: 'edge', type: 'latency', ms: 400 } })).json();
  await expect.poll(async () => (await edgeMarks(page, 'fault')).join(' | '), { timeout: 5_000 }).toBe('fault began: latency on edge');
  await expect.poll(async () => (await edgeLatest(page))?.p50 ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(400);
  const engineP50 = (await (await request.get('/api/metrics')).json()).nodes.edge.recent.latency.p50;
  expect(engineP50).toBeGreaterThanOrEqual(400);
  await expect.poll(async () => (await edgeLatest(page))?.inFlight ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

  await request.delete(`/api/faults/${fault.id}`);
  await expect.poll(() => edgeMarks(page, 'fault'), { timeout: 5_000 }).toEqual(['fault began: latency on edge', 'fault ended: latency on edge']);
  // A mark says what it is when focused; the key under the chart names each kind of mark.
  await page.locator('[data-testid="edge-chart"] g.marker[data-marker="fault"]').first().focus();
  await expect(page.locator('[data-testid="edge-chart"] g.marker:focus .label')).toHaveText('fault began: latency on edge');
  await expect(chart.locator('[data-key-marker="fault"]')).toHaveText(/a fault began or ended/);
  await expect(chart.locator('[data-key-marker="lesson"]')).toHaveText(/a lesson step began or met its goal/);
  await page.screenshot({ path: testInfo.outputPath('edge-chart-1280x800.png') });
});

test('a lesson step that begins is marked on the whole-edge chart and on the node chart, by its name', async ({ page }) => {
  test.setTimeout(60_000);
  // The lesson's config listens on the default sandbox's fixed ports: the engine under test gets it
  // on free ports, as in lesson.spec.ts.
  await page.route('**/api/config', async (route) => {
    const req = route.request();
    if (req.method() !== 'PUT') return route.continue();
    await route.continue({ postData: JSON.stringify(withEphemeralPorts(req.postDataJSON())) });
  });
  await page.goto('/');
  await page.getByTestId(`lesson-open-${roundRobinBasics.id}`).click();
  await page.getByTestId('lesson-start').click();
  await expect(page.getByTestId('sandbox-name')).toHaveText(roundRobinBasics.startConfig.name!);
  await expect(page.getByTestId('lesson-next')).toHaveText('Begin step 1');
  expect(await edgeMarks(page, 'lesson')).toEqual([]);
  await page.getByTestId('lesson-next').click();

  const began = `lesson step 1 of ${roundRobinBasics.steps.length} (${roundRobinBasics.steps[0]!.title}) began`;
  await expect.poll(() => edgeMarks(page, 'lesson'), { timeout: 10_000 }).toEqual([began]);
  await page.getByTestId('node-users').focus();
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.locator('[data-testid="node-chart"] g.marker[data-marker="lesson"]').evaluateAll((marks) => marks.map((m) => m.getAttribute('aria-label'))), { timeout: 10_000 })
    .toEqual([began]);
});
