/**
 * Issue 12's build from nothing, in Chromium against the real engine: New empty sandbox (asked, then
 * the engine runs `nodes: []` and the page shows the clients box alone), then the classic edge
 * (clients -> proxy -> gateway -> balancer -> 2 services) built with the mouse from the palette and by
 * dragging from the ports, the balancer added by keyboard only; traffic started from the page reaches
 * every node, as the engine counts it and as the boxes' counters and the dots show. Undo of the emptying
 * is checked too. Ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { badge, canvasPixels, dragConnect, engineMetrics, restoreSandbox, resetLab } from './helpers.ts';

interface Config {
  nodes: Array<{ id: string; kind: string; to?: string; targets?: unknown[]; routes?: Array<{ to: string }> }>;
  traffic?: Array<{ to: string }>;
}
async function config(request: APIRequestContext): Promise<Config> {
  return (await request.get('/api/config')).json();
}

test.afterEach(({ request }) => restoreSandbox(request));

test('from an empty sandbox, build the classic edge with the mouse (one node by keyboard) and see traffic flow through every node', async ({ page, request }) => {
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  const status = page.getByTestId('build-status');

  // Asked first; "Keep" changes nothing.
  await page.getByTestId('new-empty').click();
  await page.getByTestId('empty-no').click();
  expect((await config(request)).nodes.length).toBeGreaterThan(0);
  await page.getByTestId('new-empty').click();
  await page.getByTestId('empty-yes').click();
  await expect(status).toContainText('Done: emptied the sandbox');
  expect(await config(request)).toMatchObject({ nodes: [], traffic: [] });
  await expect(page.getByTestId('empty-sandbox')).toContainText('Empty sandbox: add a service from the palette');
  await expect(page.getByTestId('node-client')).toBeVisible();
  await expect(page.locator('[data-testid^="node-"][data-node-id]')).toHaveCount(0);

  // Undo brings the whole sandbox back, redo empties it again.
  await page.getByTestId('build-undo').click();
  await expect(status).toContainText('Undone: emptied the sandbox');
  await expect(page.getByTestId('node-users-1')).toBeVisible();
  await page.getByTestId('build-redo').click();
  await expect(status).toContainText('Redone');
  await expect(page.getByTestId('empty-sandbox')).toBeVisible();

  // Two services from the palette: the first node needs nothing chosen.
  await page.getByTestId('add-service').click();
  await expect(status).toContainText('Done: added service service-1');
  await expect(page.getByTestId('empty-sandbox')).toHaveCount(0);
  await page.getByTestId('add-service').click();
  await expect(status).toContainText('Done: added service service-2');

  // The balancer by keyboard only: the palette's button, then Enter on the box it forwards to.
  await page.getByTestId('add-balancer').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('node-service-1').focus();
  await page.keyboard.press('Enter');
  await expect(status).toContainText('Done: added balancer pool-1 in front of service-1');
  // Its second target by dragging from its port.
  await dragConnect(page, 'pool-1', 'service-2');
  await expect(status).toContainText('service-2 is now a target of pool-1');

  // A gateway in front of the balancer, a proxy in front of the gateway: palette, then a click on the box.
  await page.getByTestId('add-gateway').click();
  await page.getByTestId('node-pool-1').click();
  await expect(status).toContainText('Done: added gateway gateway-1 in front of pool-1');
  await page.getByTestId('add-proxy').click();
  await page.getByTestId('node-gateway-1').click();
  await expect(status).toContainText('Done: added proxy proxy-1 in front of gateway-1');

  // The clients send to the proxy: a drag from the clients' port makes the traffic flow.
  await dragConnect(page, 'client', 'proxy-1');
  await expect(status).toContainText('clients now send to proxy-1');
  const built = await config(request);
  expect(built.nodes.map((n) => `${n.kind}:${n.id}`)).toEqual(['service:service-1', 'service:service-2', 'balancer:pool-1', 'gateway:gateway-1', 'proxy:proxy-1']);
  expect(built.nodes.find((n) => n.id === 'pool-1')?.targets).toEqual(['service-1', 'service-2']);
  expect(built.nodes.find((n) => n.id === 'gateway-1')?.routes?.map((r) => r.to)).toEqual(['pool-1']);
  expect(built.nodes.find((n) => n.id === 'proxy-1')?.to).toBe('gateway-1');
  expect(built.traffic?.map((f) => f.to)).toEqual(['proxy-1']);

  // Traffic started from the page (whatever state the emptying left it in) reaches every node.
  const toggle = page.getByTestId('traffic-panel-toggle');
  if ((await page.getByTestId('traffic-panel-state').textContent()) !== 'sending') await toggle.click();
  await expect(page.getByTestId('traffic-panel-state')).toHaveText('sending');
  await page.getByTestId('build-toggle').click();
  const before = await canvasPixels(page);
  const chain = ['proxy-1', 'gateway-1', 'pool-1', 'service-1', 'service-2'];
  await expect
    .poll(async () => {
      const metrics = await engineMetrics(request);
      return chain.filter((id) => (metrics[id]?.requests ?? 0) === 0);
    }, { timeout: 30_000, message: 'nodes the engine has not counted a request at' })
    .toEqual([]);
  for (const id of chain) await expect.poll(() => badge(page, `node-${id}-requests`), { message: `${id}'s counter` }).toBeGreaterThan(0);
  await expect.poll(() => canvasPixels(page), { message: 'dots moving on the canvas' }).not.toBe(before);
});
