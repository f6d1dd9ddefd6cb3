/**
 * Faults and traffic in the page, in Debian's Chromium against the real engine: a fault injected from
 * a node's context menu (right click, or Shift+F10 from the keyboard) shows on the node and in the
 * outcomes, with counts that agree with /api/metrics, and clearing it (from the menu or the faults
 * panel) recovers; a partition injected from an edge's menu shows on that edge and fails only the
 * requests that cross it; the traffic panel changes the rate live and the engine's measured rate
 * follows. Every test puts the sandbox back (no faults, the config's traffic).
 * With SHOTS_DIR set, the fault tests also save screenshots of the lab there.
 */
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { badge, engineMetrics, engineTraffic, resetLab } from './helpers.ts';

const shotsDir = process.env.SHOTS_DIR;

async function screenshot(page: Page, name: string): Promise<void> {
  if (shotsDir) await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}

test.beforeEach(async ({ page, request }) => {
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await expect(page.getByTestId('node-users-1')).toBeVisible();
});

test.afterEach(async ({ request }) => {
  await resetLab(request);
});

test('an errors fault from a node’s context menu shows on the node and in the outcomes; clearing it recovers', async ({
  page,
  request,
}) => {
  await page.getByTestId('node-users-1').click({ button: 'right' });
  const menu = page.getByTestId('fault-menu');
  await expect(menu).toBeVisible();
  await expect(menu).toContainText('Faults on users-1');
  // A service takes every node fault, and no edge-only one.
  await expect(menu.getByTestId('menu-type-overload')).toBeVisible();
  await expect(menu.getByTestId('menu-type-partition')).toHaveCount(0);
  await menu.getByTestId('menu-type-errors').check();
  await expect(menu.getByTestId('menu-param-status')).toHaveValue('503');
  await menu.getByTestId('menu-param-rate').fill('1');
  await menu.getByTestId('menu-inject').click();

  await expect(page.getByTestId('node-users-1-fault')).toContainText('errors 100% → 503');
  await expect(menu.getByTestId('fault-menu-fault')).toContainText('100% of requests answered 503');
  await expect(page.getByTestId('fault-row')).toContainText('users-1');
  await expect.poll(() => badge(page, 'node-users-1-errors'), { timeout: 10_000 }).toBeGreaterThan(2);
  // Red dots: requests that users-1 answered with its injected 503.
  await expect
    .poll(() => page.evaluate(() => window.__edgelab?.dots().some((d) => d.outcome === 'server-error') ?? false), { timeout: 10_000 })
    .toBe(true);
  await screenshot(page, 'node-fault-menu');

  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(page.getByTestId('node-users-1')).toBeFocused();
  await expect(page.getByTestId('event-log')).toContainText('users-1 errors: a share of requests is answered at once with a 5xx');
  await screenshot(page, 'node-fault');

  // With the traffic paused and every request finished, the page's counts are the engine's.
  await page.getByTestId('traffic-toggle').click();
  await expect(page.getByTestId('traffic-panel-state')).toHaveText('paused');
  await expect.poll(async () => (await engineMetrics(request)).edge.inFlight).toBe(0);
  const engine = await engineMetrics(request);
  expect(engine['users-1'].errorCodes.FAULT_INJECTED_ERROR).toBe(engine['users-1'].errors);
  for (const id of ['edge', 'api', 'users', 'users-1', 'users-2']) {
    await expect.poll(() => badge(page, `node-${id}-errors`), { message: `${id} errors` }).toBe(engine[id].errors);
  }

  // Cleared from the faults panel, users-1 serves again without a single new error.
  await page.getByTestId('faults-panel').getByRole('button', { name: 'Clear the errors fault on users-1' }).click();
  await expect(page.getByTestId('node-users-1-fault')).toHaveCount(0);
  await expect(page.getByTestId('faults-none')).toBeVisible();
  await page.getByTestId('traffic-toggle').click();
  const before = (await engineMetrics(request))['users-1'];
  await expect
    .poll(async () => (await engineMetrics(request))['users-1'].requests, { timeout: 10_000 })
    .toBeGreaterThan(before.requests + 3);
  expect((await engineMetrics(request))['users-1'].errors).toBe(before.errors);
  await expect(page.getByTestId('event-log')).toContainText('users-1 errors: requests are handled normally again');
});

test('from the keyboard: Shift+F10 on a node opens its menu, down stops it, Clear in the menu starts it again', async ({
  page,
  request,
}) => {
  await page.getByTestId('node-users-2').focus();
  await page.keyboard.press('Shift+F10');
  const menu = page.getByTestId('fault-menu');
  await expect(menu).toBeVisible();
  await expect(menu.getByTestId('menu-type-down')).toBeFocused();
  await expect(menu.getByTestId('menu-type-down')).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(menu.getByTestId('menu-inject')).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('node-users-2-fault')).toContainText('down');
  await expect(page.getByTestId('node-users-2-state-tag')).toContainText(/stopped/i);
  await expect
    .poll(async () => (await engineMetrics(request)).users.errorCodes.EDGE_UPSTREAM_REFUSED ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(0);

  // A bad parameter is refused by the engine and said in words, in the menu.
  await menu.getByTestId('menu-type-latency').check();
  await menu.getByTestId('menu-param-ms').fill('-5');
  await menu.getByTestId('menu-inject').click();
  await expect(menu.getByTestId('menu-fault-errors')).toContainText('Added delay (ms):');

  await menu.getByTestId('fault-menu-clear-down').click();
  await expect(page.getByTestId('node-users-2-fault')).toHaveCount(0);
  await expect(menu.getByTestId('fault-menu-none')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(page.getByTestId('node-users-2')).toBeFocused();
  await expect(page.getByTestId('node-users-2-state-tag')).not.toContainText(/stopped/i);
  const served = (await engineMetrics(request))['users-2'].requests;
  await expect.poll(async () => (await engineMetrics(request))['users-2'].requests, { timeout: 10_000 }).toBeGreaterThan(served + 2);
});

test('a partition from an edge’s menu shows on that edge and fails only the requests crossing it', async ({ page, request }) => {
  const edge = page.getByTestId('edge-target-api->users');
  await edge.click({ button: 'right' });
  const menu = page.getByTestId('fault-menu');
  await expect(menu).toContainText('Faults on the edge api → users');
  await expect(menu.getByTestId('menu-type-down')).toHaveCount(0);
  await menu.getByTestId('menu-type-partition').check();
  await menu.getByTestId('menu-param-mode').selectOption('reject');
  await menu.getByTestId('menu-inject').click();

  await expect(page.getByTestId('edge-api->users')).toHaveAttribute('data-faults', 'partition');
  await expect(page.getByTestId('edge-api->users-fault')).toHaveText('partition');
  await expect(page.getByTestId('edge-api->orders-1')).toHaveAttribute('data-faults', '');
  await expect
    .poll(async () => (await engineMetrics(request)).api.errorCodes.EDGE_UPSTREAM_REFUSED ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(2);
  await screenshot(page, 'edge-fault-menu');
  await page.keyboard.press('Escape');
  await expect(edge).toBeFocused();

  // The other edge out of the gateway is untouched: orders-1 keeps answering, without errors.
  const orders = (await engineMetrics(request))['orders-1'];
  await expect
    .poll(async () => (await engineMetrics(request))['orders-1'].requests, { timeout: 10_000 })
    .toBeGreaterThan(orders.requests + 1);
  expect((await engineMetrics(request))['orders-1'].errors).toBe(0);
  await screenshot(page, 'edge-fault');

  await page.getByTestId('faults-clear-all').click();
  await expect(page.getByTestId('edge-api->users')).toHaveAttribute('data-faults', '');
  await expect(page.getByTestId('edge-api->users-fault')).toHaveCount(0);
  const users = (await engineMetrics(request)).users.requests;
  await expect.poll(async () => (await engineMetrics(request)).users.requests, { timeout: 10_000 }).toBeGreaterThan(users + 2);
});

test('the rate control changes the rate live, and the engine’s measured rate follows', async ({ page, request }) => {
  const panel = page.getByTestId('traffic-panel');
  await expect(panel.getByTestId('flow-browse-target')).toHaveText('12');
  const sentBefore = (await engineTraffic(request)).live[0].sent;
  await page.getByTestId('traffic-rate-input').fill('30');
  await page.getByTestId('traffic-rate-input').press('Tab');

  await expect(panel.getByTestId('flow-browse-target')).toHaveText('30');
  await expect(page.getByTestId('traffic-rate-input')).toHaveValue('30');
  // Changed live: the same flow goes on counting (a restart would start from 0).
  expect((await engineTraffic(request)).live[0].sent).toBeGreaterThanOrEqual(sentBefore);
  // The last second's completions settle near the new rate (±20%: the first second after the
  // change still holds some requests sent at the old rate, and the sandbox's latencies vary).
  await expect.poll(async () => (await engineTraffic(request)).live[0].ratePerSecond, { timeout: 10_000 }).toBeGreaterThan(24);
  expect((await engineTraffic(request)).live[0].ratePerSecond).toBeLessThan(36);
  await expect
    .poll(async () => Number(await panel.getByTestId('flow-browse-last-second').textContent()), { timeout: 5_000 })
    .toBeGreaterThan(24);

  // Another shape restarts the flow with it: closed loop, 3 users.
  await panel.getByTestId('traffic-shape').selectOption('closed');
  await panel.getByTestId('traffic-param-users').fill('3');
  await panel.getByTestId('traffic-apply-shape').click();
  await expect(panel.getByTestId('flow-browse-shape')).toHaveText('closed');
  const traffic = await engineTraffic(request);
  expect(traffic.flows[0]).toMatchObject({ loop: 'closed', users: 3 });
  await expect(panel.getByTestId('flow-browse-target')).toHaveText('closed loop');

  // Pause from the panel; the header says the same.
  await panel.getByTestId('traffic-panel-toggle').click();
  await expect(page.getByTestId('traffic-toggle')).toHaveText('Resume traffic');
  expect((await engineTraffic(request)).running).toBe(false);
});

test('an overload added from the faults panel shows in the service inspector as capacity cut, and rejections', async ({
  page,
  request,
}) => {
  await request.post('/api/traffic', { data: { action: 'start', rate: 60 } });
  await page.getByTestId('faults-add').click();
  await page.getByTestId('fault-add-target').selectOption('users-1');
  await page.getByTestId('add-type-overload').check();
  await expect(page.getByTestId('add-param-capacity')).toHaveValue('1');
  // Capacity 0 (and the sandbox's queue of 0) turns every request away, so rejections come at once
  // whatever the timing; with 1, they need two requests at users-1 at the same moment.
  await page.getByTestId('add-param-capacity').fill('0');
  await page.getByTestId('add-inject').click();
  await expect(page.getByTestId('node-users-1-fault')).toContainText('overload: 0 at once');

  // From the keyboard: at 60 req/s a click on the box can land on a request's dot, which opens that request's trace.
  await page.getByTestId('node-users-1').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('capacity-words')).toContainText('It processes 0 at once (cut from unlimited by an overload fault)');
  await expect.poll(() => badge(page, 'capacity-rejected'), { timeout: 10_000 }).toBeGreaterThan(0);
  const topology = await (await request.get('/api/topology')).json();
  const service = topology.nodes.find((n: { id: string }) => n.id === 'users-1').service;
  expect(service.concurrency).toBe(0);
  expect(await badge(page, 'capacity-rejected')).toBeLessThanOrEqual(service.rejected);
  await screenshot(page, 'overload-inspector');
});
