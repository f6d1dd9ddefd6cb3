/**
 * Layer 4 in the page, in Chromium against the real engine: with the sandbox's balancer switched to
 * `mode: l4`, its box counts connections instead of requests, its inspector lists the open connections
 * with the requests each carried (counted by the engine), and a request's trace shows the balancer as a
 * relay hop whose only decision is its connection's pick. Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as { nodes: Array<Record<string, unknown>> };

function l4Sandbox() {
  const config = structuredClone(sandboxConfig);
  config.nodes.find((n) => n.id === 'users')!.mode = 'l4';
  return config;
}

test.afterEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: sandboxConfig });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
});

test('an l4 balancer shows one pick per connection, and the requests riding it', async ({ page, request }) => {
  const res = await request.put('/api/config', { data: l4Sandbox() });
  expect(res.ok(), await res.text()).toBe(true);
  await page.goto('/');
  await expect(page.getByTestId('node-users-algorithm')).toHaveText('round-robin · L4');

  // The box counts connections, as the engine does; it never counts requests.
  await expect(page.getByTestId('node-users-connections')).not.toHaveText('0', { timeout: 10_000 });
  await expect(page.getByTestId('node-users-requests')).toHaveCount(0);
  const engine = (await (await request.get('/api/metrics')).json()).nodes.users;
  expect(engine.requests).toBe(0);
  expect(engine.connections.opened).toBeGreaterThan(0);

  // The inspector lists the open connections; the requests they carried grow with the traffic.
  // From the keyboard: a click on the box can land on a request's dot, which opens its trace instead.
  await page.getByTestId('node-users').focus();
  await page.keyboard.press('Enter');
  const table = page.getByTestId('l4-connections');
  await expect(table).toContainText('never reads a request');
  const firstRow = table.locator('[data-testid$="-requests"]').first();
  await expect(firstRow).toHaveText(/^\d+$/, { timeout: 10_000 });
  const before = Number(await firstRow.textContent());
  await expect.poll(async () => Number(await firstRow.textContent()), { timeout: 10_000 }).toBeGreaterThan(before);

  // A request's trace: the balancer is a relay hop, its decision is the connection's.
  await page.getByTestId('inspector-close').click();
  await page.getByText(/GET \/users\/\d+ → 200 via edge→api→users→users-\d/).first().click();
  await expect(page.getByTestId('trace')).toContainText(/rode connection c\d+/);
  await expect(page.getByTestId('trace')).toContainText('never saw this request');
});
