/**
 * TLS from the page, in Chromium against the real engine: the learner turns TLS on in the proxy's
 * inspector; the clients' edge is then drawn encrypted, the traffic panel says the flow speaks https,
 * and the engine counts the requests arriving over TLS (the generator followed the proxy, nothing
 * failed). Then the flow's HTTP/2 switch makes them h2. Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { parse } from 'yaml';
import { resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;

interface EdgeTls {
  failed: number;
  requests: { h2: number; 'http/1.1': number };
}

async function edgeTls(request: APIRequestContext): Promise<EdgeTls | undefined> {
  const metrics = (await (await request.get('/api/metrics')).json()) as { nodes: Record<string, { tls?: EdgeTls }> };
  return metrics.nodes.edge?.tls;
}

test.afterEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: sandboxConfig });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
});

test('turning TLS on in the proxy inspector draws the client edge encrypted, and the traffic follows to https, then h2', async ({ page, request }) => {
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await expect(page.getByTestId('edge-client->edge')).not.toHaveClass(/encrypted/);
  await expect(page.getByTestId('flow-browse-scheme')).toHaveText('http');
  await expect(page.getByTestId('flow-browse-http2')).toBeDisabled();

  await page.getByTestId('node-edge').focus();
  await page.keyboard.press('Enter');
  const toggle = page.getByTestId('tls-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true', { timeout: 10_000 });
  await expect(page.getByTestId('edge-client->edge')).toHaveClass(/encrypted/);
  await expect(page.getByTestId('flow-browse-scheme')).toHaveText('https');
  await expect.poll(async () => (await edgeTls(request))?.requests['http/1.1'] ?? 0, { timeout: 10_000 }).toBeGreaterThan(5);

  await page.getByTestId('flow-browse-http2').click();
  await expect(page.getByTestId('flow-browse-http2')).toHaveAttribute('aria-pressed', 'true', { timeout: 10_000 });
  await expect.poll(async () => (await edgeTls(request))?.requests.h2 ?? 0, { timeout: 10_000 }).toBeGreaterThan(5);
  expect((await edgeTls(request))?.failed).toBe(0);
});
