/**
 * The lab as a learner meets it, in Debian's Chromium against the production build served by the
 * real engine: topology, moving dots, honest counters, a service stopped and started, the inspector,
 * a request trace, and Export.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { badge, canvasPixels, engineMetrics, resetLab } from './helpers.ts';

const NODES = ['edge', 'api', 'users', 'users-1', 'users-2', 'users-3', 'orders-1'];

test.beforeEach(async ({ page, request }) => {
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
});

test('draws the topology with every node from the engine', async ({ page, request }) => {
  const topology = await (await request.get('/api/topology')).json();
  expect(topology.nodes.map((n: { id: string }) => n.id)).toEqual(NODES);
  for (const id of NODES) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await expect(page.getByTestId('node-client')).toBeVisible();
  await expect(page.getByTestId('node-users-algorithm')).toHaveText('round-robin');
});

test('dots move on the canvas while traffic flows', async ({ page }) => {
  await expect.poll(() => page.evaluate(() => (window as unknown as { __edgelab: { dotsInFlight(): number } }).__edgelab.dotsInFlight())).toBeGreaterThan(0);
  const before = await canvasPixels(page);
  await page.waitForTimeout(150);
  expect(await canvasPixels(page)).not.toBe(before);
});

test('the counters on screen are the engine\'s counters', async ({ page, request }) => {
  await expect.poll(() => badge(page, 'node-edge-requests')).toBeGreaterThan(0);
  await request.post('/api/traffic', { data: { action: 'stop' } });
  // Once traffic stops and the last requests finish, the next ticks carry the final counts.
  await expect.poll(async () => (await engineMetrics(request)).edge.inFlight).toBe(0);
  const engine = await engineMetrics(request);
  for (const id of NODES) {
    await expect.poll(() => badge(page, `node-${id}-requests`), { message: `${id} requests` }).toBe(engine[id].requests);
    expect(await badge(page, `node-${id}-errors`)).toBe(engine[id].errors);
    expect(await badge(page, `node-${id}-inflight`)).toBe(0);
  }
});

test('stopping a service shows the failures, starting it shows the recovery', async ({ page, request }) => {
  await request.post('/api/traffic', { data: { action: 'start', rate: 30 } });
  await page.getByTestId('service-users-2-toggle').click();
  await expect(page.getByTestId('node-users-2-state-tag')).toContainText(/stopped/i);
  await expect.poll(() => badge(page, 'node-users-errors'), { timeout: 10_000 }).toBeGreaterThan(0);
  // A stopped service refuses new connections; a request that raced the stop on a kept-alive one is reset.
  const codes = (await engineMetrics(request)).users.errorCodes;
  expect((codes.EDGE_UPSTREAM_REFUSED ?? 0) + (codes.EDGE_UPSTREAM_RESET ?? 0)).toBeGreaterThan(0);
  expect(Object.keys(codes).filter((code) => !['EDGE_UPSTREAM_REFUSED', 'EDGE_UPSTREAM_RESET'].includes(code))).toEqual([]);
  await expect(page.getByTestId('event-log')).toContainText('502');

  const servedBefore = (await engineMetrics(request))['users-2'].requests;
  await page.getByTestId('service-users-2-toggle').click();
  await expect(page.getByTestId('node-users-2-state-tag')).not.toContainText(/stopped/i);
  await expect.poll(async () => (await engineMetrics(request))['users-2'].requests, { timeout: 10_000 }).toBeGreaterThan(servedBefore + 3);
  await expect.poll(() => badge(page, 'node-users-2-requests')).toBeGreaterThan(servedBefore);
});

test('clicking a node opens its inspector with live engine state', async ({ page }) => {
  await page.getByTestId('node-users').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toBeVisible();
  await expect(page.getByTestId('inspector-algorithm')).toContainText('round-robin');
  await expect(page.getByTestId('inspector-targets')).toContainText('users-1');
  await expect(page.getByTestId('inspector-decisions')).toContainText('round-robin:');
  await page.keyboard.press('Escape');
  await expect(inspector).toBeHidden();
});

test('a line of the event log opens that request\'s trace, hop by hop', async ({ page }) => {
  const line = page.getByTestId('log-line').filter({ hasText: '/users/' }).first();
  await expect(line).toBeVisible({ timeout: 10_000 });
  await line.click();
  const trace = page.getByTestId('trace');
  await expect(trace).toBeVisible();
  await expect(page.getByTestId('trace-hop')).toHaveCount(4);
  await expect(trace).toContainText('edge');
  await expect(trace).toContainText(/users-[123]/);
  await expect(trace).toContainText('round-robin:');
  // Each forwarding hop lists the stages the request passed there, in order, with their times.
  const gatewayStages = page.getByTestId('trace-hop').nth(1).getByTestId('trace-stages');
  await expect(gatewayStages.locator('[data-stage]')).toHaveText([/route\s+\d+ (µs|ms)/, /forward\s+\d+ (µs|ms)/]);
  // Why the gateway forwarded where it did, said once: on the forward's line, not again as the route stage's reason.
  const gateway = page.getByTestId('trace-hop').nth(1);
  await expect(gateway).toContainText(/route\s*→ users:\s+route 1 .* matched \/users\//);
  expect(((await gateway.textContent()) ?? '').match(/route 1 \(\/users\/\*\) matched/g)).toHaveLength(1);
  await expect(gateway.getByTestId('trace-stage-reason')).toHaveCount(0);
});

test('Export downloads the running config; it validates and runs headless', async ({ page }) => {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-config').click();
  const dir = mkdtempSync(join(tmpdir(), 'edgelab-export-'));
  try {
    const file = join(dir, (await download).suggestedFilename());
    await (await download).saveAs(file);
    expect(file).toMatch(/\.ya?ml$/);
    const validate = spawnSync(process.execPath, ['engine/bin/edgelab.mjs', 'validate', file], { encoding: 'utf8' });
    expect(validate.status, validate.stderr).toBe(0);
    const report = `${file}.report.json`;
    const run = spawnSync(process.execPath, ['engine/bin/edgelab.mjs', 'run', file, '--duration', '2s', '--report', report], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^edge\s+proxy\s+[1-9]/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
