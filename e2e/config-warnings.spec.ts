/**
 * Config warnings in the page, in Chromium against the real engine: a gateway with a route that can
 * never match (the same match twice) runs, and when the learner applies a config from the page (a
 * limiter switched in the gateway's inspector) the engine's warning shows with its path, apart from
 * errors, until dismissed. Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as {
  nodes: Array<Record<string, unknown> & { id: string }>;
};

/** The sandbox with a limit on the gateway and its /orders route written twice: the second can never match. */
function shadowedSandbox() {
  const config = structuredClone(sandboxConfig);
  const api = config.nodes.find((n) => n.id === 'api')!;
  api.rateLimit = { algorithm: 'token-bucket', rate: 50, burst: 50, key: 'ip' };
  api.routes = [...(api.routes as unknown[]), { match: { path: '/orders/*' }, to: 'orders-1' }];
  return config;
}

test.afterEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: sandboxConfig });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
});

test('a config applied from the page shows its warnings by path, dismissible, apart from errors', async ({ page, request }) => {
  const put = await request.put('/api/config', { data: shadowedSandbox() });
  expect(put.ok(), await put.text()).toBe(true);
  const index = sandboxConfig.nodes.findIndex((n) => n.id === 'api');
  const path = `nodes[${index}].routes[2]`;
  expect((await put.json()).warnings).toEqual([{ path, node: 'api', message: expect.stringContaining('can never match') }]);
  // The page names the node by id as well as by position.
  const place = `nodes[${index}] (api).routes[2]`;
  await page.goto('/');
  await expect(page.getByTestId('config-warnings')).toHaveCount(0);

  await page.getByTestId('node-api').focus();
  await page.keyboard.press('Enter');
  const limit = page.getByTestId('gateway-limit');
  await limit.getByTestId('limit-algorithm').selectOption('fixed-window');
  await expect(limit).toHaveAttribute('data-algorithm', 'fixed-window', { timeout: 10_000 });

  const warnings = page.getByTestId('config-warnings');
  await expect(warnings.getByTestId('config-warning')).toHaveCount(1);
  await expect(warnings.getByTestId('config-warning')).toContainText(`${place}: can never match`);
  await expect(warnings).toHaveAttribute('role', 'status');
  await expect(page.getByTestId('notice')).toHaveCount(0);

  await page.getByTestId('config-warnings-dismiss').click();
  await expect(warnings).toHaveCount(0);

  // The next apply brings the running config's warning back: it still has the shadowed route.
  await page.getByTestId('gateway-limit').getByTestId('limit-algorithm').selectOption('gcra');
  await expect(page.getByTestId('config-warning')).toContainText(place);
});
