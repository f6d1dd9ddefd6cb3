/**
 * A node's settings form, generated from the config's schema, in Chromium against the real engine: a
 * service's latency changed on the page is applied (the engine's config says so) and its p50, as the
 * engine measures it and the inspector shows it, moves; a value the engine refuses is shown beside its
 * field and changes nothing. Ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { deleteNode, type Config } from '../web/src/lib/builder/graph-edits.ts';
import { engineMetrics, engineTraffic, resetLab, restoreSandbox, SANDBOX_YAML } from './helpers.ts';

/**
 * Node `id` counted from zero: taken out of the config and put back (the engine drops a removed
 * node's counts), so its percentiles are of this test's requests, not of every earlier spec's.
 */
async function freshCounts(request: APIRequestContext, id: string): Promise<void> {
  const sandbox = parse(SANDBOX_YAML) as Config;
  const without = deleteNode(sandbox, id);
  if (!without.ok) throw new Error(without.reason);
  for (const config of [without.config, sandbox]) {
    const res = await request.put('/api/config', { data: config });
    expect(res.ok(), await res.text()).toBe(true);
  }
}

async function serviceConfig(request: APIRequestContext, id: string): Promise<Record<string, unknown>> {
  const config = (await (await request.get('/api/config')).json()) as { nodes: Array<Record<string, unknown>> };
  return config.nodes.find((n) => n.id === id)!;
}

/** The lab reset and the Clients box's inspector opened from the keyboard. */
async function openClients(page: Page, request: APIRequestContext): Promise<Locator> {
  await resetLab(request);
  await page.goto('/');
  await page.getByTestId('node-client').focus();
  await page.keyboard.press('Enter');
  return page.getByTestId('clients-inspector');
}

test.afterEach(({ request }) => restoreSandbox(request));

test("a service's latency changed in its settings moves its p50; a refused value shows beside its field and changes nothing", async ({ page, request }) => {
  await resetLab(request);
  await freshCounts(request, 'users-1');
  await page.goto('/');
  await page.getByTestId('node-users-1').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('settings-toggle').locator('summary').click();
  const latency = page.locator('#setting-latency');
  await expect(latency).toHaveValue('40ms');

  // Refused: the engine keeps its config, the error sits beside the field.
  await latency.fill('fast');
  await latency.press('Enter');
  await expect(page.getByTestId('settings-status')).toContainText('Refused');
  await expect(page.getByTestId('setting-error').first()).toBeVisible();
  expect((await serviceConfig(request, 'users-1')).latency).toBe('40ms');

  // Applied: the engine runs the new latency and its p50 for users-1 moves; the inspector shows the engine's number.
  await latency.fill('400ms');
  await latency.press('Enter');
  await expect(page.getByTestId('settings-status')).toContainText('Applied');
  expect((await serviceConfig(request, 'users-1')).latency).toBe('400ms');
  await expect.poll(async () => ((await engineMetrics(request))['users-1'] as unknown as { latency: { p50: number } }).latency.p50, { timeout: 45_000 }).toBeGreaterThan(300);
  await expect(page.getByTestId('inspector-metrics')).toContainText(/p50\s*(3\d\d|4\d\d) ms/);
});

test("the clients' inspector edits the traffic flows from the schema: a refused rate shows beside its field, a good one runs; the rate control still sets the running flow", async ({ page, request }) => {
  const inspector = await openClients(page, request);
  await expect(inspector).toContainText('browse → edge');
  await inspector.locator('summary', { hasText: 'traffic[0]' }).click();
  const rate = page.locator('#setting-traffic-0-rate');
  await expect(rate).toHaveValue('12');
  await expect(page.locator('#setting-traffic-0-method')).toBeVisible();
  await expect(page.locator('#setting-traffic-0-headers')).toBeVisible();
  const flowRate = async () => ((await (await request.get('/api/config')).json()) as { traffic: Array<{ rate: number }> }).traffic[0].rate;

  // Refused: the error beside the field, the engine's config as it was.
  await rate.fill('-5');
  await rate.press('Tab');
  await expect(page.getByTestId('settings-status')).toContainText('Refused');
  await expect(rate.locator('xpath=..').getByTestId('setting-error')).toBeVisible();
  expect(await flowRate()).toBe(12);

  // Applied: the config's flow and the running generator both at the new rate.
  await rate.fill('20');
  await rate.press('Tab');
  await expect(page.getByTestId('settings-status')).toContainText('Applied: traffic.0.rate changed.');
  expect(await flowRate()).toBe(20);
  await expect.poll(async () => (await engineTraffic(request)).flows.find((f) => f.name === 'browse')?.rate).toBe(20);

  // The rate control changes the running flow only, as before.
  await page.getByTestId('traffic-rate-input').fill('7');
  await page.getByTestId('traffic-rate-input').press('Tab');
  await expect(page.getByTestId('flow-browse-target')).toHaveText('7');
  await expect.poll(async () => (await engineTraffic(request)).flows.find((f) => f.name === 'browse')?.rate).toBe(7);
});

test('a new flow waits in the Clients form, saying what it needs, until its Apply; a change elsewhere applies without it and leaves it waiting', async ({ page, request }) => {
  const inspector = await openClients(page, request);
  const status = page.getByTestId('settings-status');
  const flows = async () => ((await (await request.get('/api/config')).json()) as { traffic: Array<{ to: string; rate: number }> }).traffic;

  await inspector.getByRole('button', { name: 'Add to traffic' }).click();
  await expect(status).toContainText('Not applied yet: traffic[1] waits in the form');
  const waiting = inspector.getByTestId('not-applied');
  await expect(waiting).toHaveText('not applied yet: needs to');
  await expect(inspector.getByRole('button', { name: 'Apply traffic[1]' })).toBeDisabled();

  // The running flow's rate applies on its own; the new flow stays in the form, not in the config.
  await inspector.locator('summary', { hasText: 'traffic[0]' }).click();
  const rate = page.locator('#setting-traffic-0-rate');
  await rate.fill('20');
  await rate.press('Tab');
  await expect(status).toContainText('Applied: traffic.0.rate changed.');
  expect((await flows()).map((f) => f.rate)).toEqual([20]);
  await expect(waiting).toHaveText('not applied yet: needs to');

  // With `to` filled in, the engine says what the schema cannot: a flow needs a rate (or phases, or users).
  await page.locator('#setting-traffic-1-to').fill('edge');
  await page.locator('#setting-traffic-1-to').press('Tab');
  await expect(waiting).toHaveText(/^not applied yet: needs rate: required: requests per second/);
  await page.locator('#setting-traffic-1-rate').fill('3');
  await page.locator('#setting-traffic-1-rate').press('Tab');
  await expect(waiting).toHaveText('not applied yet: press Apply');
  expect(await flows()).toHaveLength(1);
  await inspector.getByRole('button', { name: 'Apply traffic[1]' }).click();
  await expect(status).toContainText('Applied: traffic[1] added.');
  await expect(waiting).toHaveCount(0);
  expect((await flows()).map((f) => [f.to, f.rate])).toEqual([
    ['edge', 20],
    ['edge', 3],
  ]);
});
