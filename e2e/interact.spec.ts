/**
 * Reading the traffic at a glance (issue 13), in Debian's Chromium against the real engine: a selected
 * request's path highlighted and the other dots dimmed, a click on a box under a cloud of dots opens
 * the box, the dots thinned to a sample past what an eye can follow, one rate control whose number is
 * the engine's target after every change, and fault badges that name the fault (one injected while the
 * page was still connecting included).
 */
import { expect, test, type Page } from '@playwright/test';
import { engineTraffic, expectDiagramInView, resetLab } from './helpers.ts';

interface DebugDot {
  rid: string;
  nodes: string[];
  x: number;
  y: number;
}

const dotsOnScreen = (page: Page) => page.evaluate(() => (window as unknown as { __edgelab: { dots(): DebugDot[] } }).__edgelab.dots());

/** The rate control's number for a flow, and the engine's target for it (GET /api/traffic). */
const rateInput = (page: Page, flow: string) => page.locator(`[data-testid="traffic-rate-input"][data-flow="${flow}"]`);
async function engineTarget(request: Parameters<typeof engineTraffic>[0], flow: string): Promise<number | null | undefined> {
  return (await engineTraffic(request)).live.find((l) => l.name === flow)?.targetRate;
}

test.beforeEach(async ({ page, request }) => {
  await resetLab(request);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
});

test.afterAll(async ({ request }) => {
  await resetLab(request);
});

for (const [width, height] of [
  [1280, 800],
  [1440, 900],
] as const) {
  test(`a selected request at ${width}x${height}: its edges and boxes highlighted, the other dots dimmed, its trace beside the diagram, the diagram and the log in view without scrolling; Esc clears it`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height });
    const dots = page.getByTestId('dots');
    await expect(dots).toHaveAttribute('data-dimmed', 'false');
    await expect(page.locator('[data-on-path]')).toHaveCount(0);

    // A request to a users service, from the log: its line says the way it went. The newest, once the
    // page has seen a few: a request already under way when the page connected has no receipts to draw.
    await expect.poll(() => page.getByTestId('log-line').count()).toBeGreaterThan(20);
    const line = page
      .getByTestId('log-line')
      .filter({ hasText: /via edge→api→users→users-\d/ })
      .first();
    const [text, rid] = await line.evaluate((el) => [el.textContent ?? '', (el as HTMLElement).dataset.rid ?? '']);
    const service = /users-\d/.exec(text)![0];
    // The log moves on (newest first): that request's line, wherever it is now, is in the window with the
    // whole diagram, and a click on it scrolls nothing.
    const clicked = page.locator(`[data-testid="log-line"][data-rid="${rid}"]`);
    // (Lines still arrive above it until the pointer holds the log, so it may sit a pixel past the edge.)
    await clicked.evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
    await expect(clicked).toBeInViewport({ ratio: 0.9 });
    await expectDiagramInView(page);
    await clicked.click();

    await expect(dots).toHaveAttribute('data-dimmed', 'true');
    await expect(dots).toHaveAttribute('data-focus', rid);
    for (const key of ['client->edge', 'edge->api', 'api->users', `users->${service}`])
      await expect(page.getByTestId(`edge-${key}`), `${key} of ${text}`).toHaveAttribute('data-on-path', 'true');
    await expect(page.getByTestId('edge-api->orders-1')).toHaveAttribute('data-on-path', 'false');
    for (const id of ['client', 'edge', 'api', 'users', service])
      await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-on-path', 'true');
    await expect(page.getByTestId('node-orders-1')).toHaveAttribute('data-on-path', 'false');

    // The trace beside the diagram, its head and first hops in the window, and the diagram where it was:
    // the learner follows the dots while reading why the request went where it went.
    await expectDiagramInView(page);
    const trace = (await page.getByTestId('trace').boundingBox())!;
    const stage = (await page.getByTestId('stage').boundingBox())!;
    expect(trace.x).toBeGreaterThanOrEqual(stage.x + stage.width);
    expect(trace.y).toBeGreaterThanOrEqual(0);
    expect(trace.y).toBeLessThan(stage.y + stage.height / 2);
    expect(trace.y + Math.min(trace.height, 300)).toBeLessThanOrEqual(height);

    await page.keyboard.press('Escape');
    await expect(page.getByTestId('trace')).toHaveCount(0);
    await expect(dots).toHaveAttribute('data-dimmed', 'false');
    await expect(page.locator('[data-on-path]')).toHaveCount(0);
  });
}

test('a click on a dot between the boxes selects its request', async ({ page }) => {
  const dots = page.getByTestId('dots');
  // Dots move: try the next one on an edge (not over a box) until a click lands on it.
  await expect
    .poll(
      async () => {
        const dot = (await dotsOnScreen(page)).find((d) => d.nodes.length >= 2);
        if (dot === undefined) return null;
        const overBox = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('.node') !== null, dot);
        if (!overBox) await page.mouse.click(dot.x, dot.y);
        return dots.getAttribute('data-focus');
      },
      { timeout: 20_000, intervals: [50] },
    )
    .not.toBeNull();
  await expect(page.getByTestId('trace')).toBeVisible();
  await expect(page.getByTestId('edge-client->edge')).toHaveAttribute('data-on-path', 'true');
});

test('a click on a box under a cloud of dots opens the box, not a request', async ({ page, request }) => {
  // A slow users-1 at a high rate: its requests wait inside its box, a cloud of dots over it.
  await request.post('/api/faults', { data: { target: 'users-1', type: 'latency', ms: 3000 } });
  await rateInput(page, 'browse').fill('60');
  await rateInput(page, 'browse').press('Tab');
  const box = (await page.getByTestId('node-users-1').boundingBox())!;
  const inside = (d: DebugDot) => d.x > box.x && d.x < box.x + box.width && d.y > box.y && d.y < box.y + box.height;
  let dot: DebugDot | undefined;
  await expect
    .poll(
      async () => {
        dot = (await dotsOnScreen(page)).find((d) => d.nodes.at(-1) === 'users-1' && inside(d));
        return (await dotsOnScreen(page)).filter(inside).length;
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(3);
  // Exactly on a dot: without the rule, this click would open that dot's request.
  await page.mouse.click(dot!.x, dot!.y);
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect(page.getByTestId('inspector')).toContainText('users-1');
  await expect(page.getByTestId('trace')).toHaveCount(0);
  await expect(page.getByTestId('dots')).toHaveAttribute('data-dimmed', 'false');
});

test('past what an eye can follow the dots are a sample, said on the page; the route labels stay above them', async ({ page }) => {
  await expect(page.getByTestId('dots')).toHaveAttribute('data-sample-every', '1');
  await expect(page.getByTestId('dots-sample')).toHaveCount(0);
  await rateInput(page, 'browse').fill('60');
  await rateInput(page, 'browse').press('Tab');
  await expect(page.getByTestId('dots')).toHaveAttribute('data-sample-every', '3');
  await expect(page.getByTestId('dots-sample')).toContainText('Showing 1 in 3 requests');
  // A learner may ask for every request as a dot anyway, and go back to the sample.
  await page.getByTestId('dots-sample-toggle').click();
  await expect(page.getByTestId('dots')).toHaveAttribute('data-sample-every', '1');
  await expect(page.getByTestId('dots-sample')).toContainText('Showing every request as a dot');
  await page.getByTestId('dots-sample-toggle').click();
  await expect(page.getByTestId('dots')).toHaveAttribute('data-sample-every', '3');
  // The route labels are drawn over the dot canvas, on a backdrop (the stage makes room for them at this width).
  await page.setViewportSize({ width: 1920, height: 1080 });
  const label = page.getByTestId('edge-label-api->users');
  await expect(label).toHaveText('/users/*');
  expect(await label.evaluate((el) => el.closest('svg')?.classList.contains('fault-labels'))).toBe(true);
  await rateInput(page, 'browse').fill('12');
  await rateInput(page, 'browse').press('Tab');
  await expect(page.getByTestId('dots-sample')).toHaveCount(0);
});

test('one rate control, whose number is the engine’s target after every change: page, API, a second flow', async ({ page, request }) => {
  await expect(page.getByTestId('traffic-panel-rate')).toHaveCount(0);
  await expect(page.getByTestId('traffic-rate-input')).toHaveCount(1);
  await expect(rateInput(page, 'browse')).toHaveValue('12');
  expect(await engineTarget(request, 'browse')).toBe(12);

  // Changed on the page: the engine's target follows.
  await rateInput(page, 'browse').fill('30');
  await rateInput(page, 'browse').press('Tab');
  await expect.poll(() => engineTarget(request, 'browse')).toBe(30);
  await expect(rateInput(page, 'browse')).toHaveValue('30');

  // Changed over the API: the page's number follows.
  await request.post('/api/traffic', { data: { action: 'set', flow: 'browse', rate: 17 } });
  await expect(rateInput(page, 'browse')).toHaveValue('17');
  expect(await engineTarget(request, 'browse')).toBe(17);

  // A second flow: a row of its own in the same control, at its target; changed there, the engine follows.
  await request.post('/api/traffic', { data: { action: 'add', like: 'browse', name: 'client-1', clients: 1, rate: 5 } });
  await expect(page.getByTestId('traffic-rate-input')).toHaveCount(2);
  await expect(rateInput(page, 'client-1')).toHaveValue('5');
  await rateInput(page, 'client-1').fill('8');
  await rateInput(page, 'client-1').press('Tab');
  await expect.poll(() => engineTarget(request, 'client-1')).toBe(8);
  await expect(rateInput(page, 'client-1')).toHaveValue('8');
  await expect(rateInput(page, 'browse')).toHaveValue('17');
  expect(await engineTarget(request, 'browse')).toBe(17);
  // The traffic panel shows each flow's target and points to the control; it has no rate field of its own.
  await expect(page.getByTestId('flow-client-1-target')).toHaveText('8');
  await expect(page.getByTestId('traffic-rate-where')).toContainText('set in the header');
});

test('a fault badge names the fault', async ({ page, request }) => {
  await request.post('/api/faults', { data: { target: 'users-2', type: 'latency', ms: 300 } });
  await request.post('/api/faults', { data: { target: 'api->orders-1', type: 'errors', rate: 0.5, status: 503 } });
  await expect(page.getByTestId('node-users-2-fault')).toContainText('latency +300 ms');
  await expect(page.getByTestId('edge-api->orders-1-fault')).toContainText('errors 50%');
  const badges = page.locator('[data-testid^="fault-badge-"]');
  await expect(badges).toHaveText(['latency +300 ms', 'errors 50% → 503']);
});

test('a fault injected after the page read the faults, before its event stream started, still shows', async ({ page, request }) => {
  // A fresh page whose event stream is held back until the faults were read and one was injected: no event will tell of it.
  const fresh = await page.context().newPage();
  let releaseStream!: () => void;
  const streamHeld = new Promise<void>((resolve) => (releaseStream = resolve));
  await fresh.route('**/api/events*', async (route) => {
    await streamHeld;
    await route.continue();
  });
  const faultsRead = fresh.waitForResponse((r) => r.url().endsWith('/api/faults'));
  await fresh.goto('/');
  await faultsRead;
  await request.post('/api/faults', { data: { target: 'users-2', type: 'latency', ms: 300 } });
  releaseStream();
  await expect(fresh.getByTestId('node-users-2-fault')).toContainText('latency +300 ms');
  await fresh.close();
});
