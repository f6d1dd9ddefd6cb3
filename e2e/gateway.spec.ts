/**
 * Throttling in the page, in Chromium against the real engine: the sandbox's gateway gets a per-client
 * token bucket, and the learner adds one abusive client in the traffic panel; only its requests are refused, the
 * page's counts agree with the engine's, and the gateway's inspector draws the limit from the engine's
 * decisions (the abusive client is the key it watches), the limiter itself as its algorithm sees that key
 * (the bucket, then after a switch the fixed window), and the top keys. Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { badge, engineMetrics, resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as {
  nodes: Array<Record<string, unknown>>;
  traffic: Array<Record<string, unknown>>;
};

/** The sandbox with a token bucket per client on the gateway; its clients send 1 req/s each, well under it. */
function throttledSandbox() {
  const config = structuredClone(sandboxConfig);
  const api = config.nodes.find((n) => n.id === 'api')!;
  api.rateLimit = { algorithm: 'token-bucket', rate: 3, burst: 5, key: 'ip' };
  config.traffic = [{ ...config.traffic[0], name: 'browse', rate: 4, clients: 4 }];
  return config;
}

test.afterEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: sandboxConfig });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
});

test('only the abusive client is throttled; the page shows its 429s as the engine counts them, and the inspector draws the limit', async ({ page, request }) => {
  const res = await request.put('/api/config', { data: throttledSandbox() });
  expect(res.ok(), await res.text()).toBe(true);
  await request.post('/api/traffic', { data: { action: 'start' } });
  await page.goto('/');

  // The learner makes an abusive client in the traffic panel: one more client, at 12 req/s, from its own address.
  await page.getByTestId('add-client-rate').fill('12');
  await page.getByTestId('add-client').click();
  await expect(page.getByTestId('flow-client-1')).toBeVisible();

  // The gateway refuses, and the log names the refusals.
  await expect.poll(async () => (await engineMetrics(request)).api.errorCodes.EDGE_RATE_LIMITED ?? 0, { timeout: 10_000 }).toBeGreaterThan(5);
  await expect(page.getByTestId('event-log')).toContainText('429 EDGE_RATE_LIMITED');

  // The inspector draws the limit, watching the abusive client (the second flow sends from 127.1.1.1).
  // From the keyboard: a click could land on a dot passing over the box, which opens that request's trace.
  await page.getByTestId('node-api').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gateway-stages')).toContainText('rate-limit');
  const limit = page.getByTestId('gateway-limit');
  // The gateway's main job leads its inspector: its stages and its limit are seen without scrolling.
  await expect(page.getByTestId('gateway-stages')).toBeInViewport();
  await expect(limit.getByTestId('limit-algorithm')).toBeInViewport();
  await expect(limit).toHaveAttribute('data-algorithm', 'token-bucket');
  await expect(limit.getByTestId('limit-key')).toHaveText('ip 127.1.1.1', { timeout: 10_000 });
  await expect(limit.getByTestId('limit-chart').locator('[data-mark="refused"]').first()).toBeAttached();
  await expect(limit.getByTestId('limit-chart').locator('[data-mark="allowed"]').first()).toBeAttached();
  await expect(limit.getByTestId('limit-totals')).toContainText(/refused/);
  // The bucket itself, drawn for the watched key: its tokens out of the burst (5), never more.
  const drawing = limit.getByTestId('limit-drawing');
  await expect(drawing).toHaveAttribute('data-algorithm', 'token-bucket');
  await expect(drawing).toContainText('of 5 tokens');
  expect(Number(await drawing.getByTestId('drawing-level').textContent())).toBeLessThanOrEqual(5);
  await expect(limit.getByTestId('limit-top-refused')).toContainText('127.1.1.1');

  // Switching the algorithm on live traffic: the engine runs the new one, and the page draws it.
  await limit.getByTestId('limit-algorithm').selectOption('fixed-window');
  await expect(page.getByTestId('gateway-limit')).toHaveAttribute('data-algorithm', 'fixed-window', { timeout: 10_000 });
  const config = (await (await request.get('/api/config')).json()) as typeof sandboxConfig;
  expect(config.nodes.find((n) => n.id === 'api')!.rateLimit).toEqual({ algorithm: 'fixed-window', limit: 6, window: '2s', key: 'ip' });
  const refusedBefore = (await engineMetrics(request)).api.errorCodes.EDGE_RATE_LIMITED ?? 0;
  await expect.poll(async () => (await engineMetrics(request)).api.errorCodes.EDGE_RATE_LIMITED ?? 0, { timeout: 10_000 }).toBeGreaterThan(refusedBefore);
  await expect(page.getByTestId('gateway-limit').getByTestId('limit-key')).toHaveText('ip 127.1.1.1', { timeout: 10_000 });
  // The window drawn now: the abuser's count in the current 2 s window, out of 6.
  const windowDrawing = page.getByTestId('gateway-limit').getByTestId('limit-drawing');
  await expect(windowDrawing).toHaveAttribute('data-algorithm', 'fixed-window', { timeout: 10_000 });
  await expect(windowDrawing).toContainText(/of 6 requests in this 2\.00\s+s window/);

  // Stop, let the last answers land, and compare: the page's counts are the engine's, and only the abuser was refused.
  await request.post('/api/traffic', { data: { action: 'stop' } });
  await expect.poll(async () => (await engineMetrics(request)).edge.inFlight).toBe(0);
  const engine = await engineMetrics(request);
  await expect.poll(() => badge(page, 'node-api-errors')).toBe(engine.api.errors);
  expect(engine.api.errorCodes.EDGE_RATE_LIMITED).toBeGreaterThan(0);
  const traffic = (await (await request.get('/api/traffic')).json()) as {
    stats: { flows: Array<{ name: string; statusClasses: Record<string, number> }> };
  };
  const byFlow = Object.fromEntries(traffic.stats.flows.map((f) => [f.name, f.statusClasses]));
  expect(byFlow['client-1']['4xx']).toBeGreaterThan(0);
  expect(byFlow.browse['4xx'] ?? 0).toBe(0);
  // The limit's own totals (since its config was applied, at the algorithm switch) are the engine's.
  const topology = (await (await request.get('/api/topology')).json()) as {
    nodes: Array<{ id: string; gateway?: { limits: Array<{ inspection: { allowed: number; rejected: number } }> } }>;
  };
  const { allowed, rejected } = topology.nodes.find((n) => n.id === 'api')!.gateway!.limits[0].inspection;
  expect(rejected).toBeGreaterThan(0);
  await expect(page.getByTestId('limit-totals')).toContainText(`${allowed} allowed · ${rejected} refused`);
});
