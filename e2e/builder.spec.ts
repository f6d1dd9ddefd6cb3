/**
 * The topology editor in Chromium against the real engine: in build mode a learner adds a service from
 * the palette, connects the load balancer to it by dragging from the balancer's port onto it, adds a
 * balancer in front of it by keyboard only, undoes and redoes, removes an edge with a click and a box
 * with Delete, and traffic reaches the new service. Every step is checked in the engine's own config
 * (GET /api/config) and metrics. Ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { dragConnect, engineMetrics, resetLab, restoreSandbox } from './helpers.ts';

type Node = { id: string; kind: string; targets?: unknown[] };
async function nodes(request: APIRequestContext): Promise<Node[]> {
  return ((await (await request.get('/api/config')).json()) as { nodes: Node[] }).nodes;
}

test.afterEach(({ request }) => restoreSandbox(request));

test('build on the diagram: add, connect by dragging, add by keyboard, undo, redo, remove, and traffic reaches the new node', async ({ page, request }) => {
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.getByTestId('build-toggle').click();
  const status = page.getByTestId('build-status');

  // A service from the palette: it stands alone (a warning, not an error) until something leads to it.
  await page.getByTestId('add-service').click();
  await expect(status).toContainText('Done: added service service-1');
  await expect(page.getByTestId('node-service-1')).toBeVisible();
  expect((await nodes(request)).map((n) => n.id)).toContain('service-1');

  // Connected by dragging from the load balancer's port: it becomes one more target.
  await dragConnect(page, 'users', 'service-1');
  await expect(status).toContainText('service-1 is now a target of users');
  expect((await nodes(request)).find((n) => n.id === 'users')?.targets).toContain('service-1');
  await expect.poll(async () => (await engineMetrics(request))['service-1']?.requests ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);

  // By keyboard only: the palette's balancer, then Enter on the box it forwards to.
  await page.getByTestId('add-balancer').focus();
  await page.keyboard.press('Enter');
  await expect(status).toContainText('forwards to');
  await page.getByTestId('node-service-1').focus();
  await page.keyboard.press('Enter');
  await expect(status).toContainText('Done: added balancer pool-1 in front of service-1');
  expect((await nodes(request)).find((n) => n.id === 'pool-1')).toMatchObject({ kind: 'balancer', targets: ['service-1'] });

  // Undo takes it back, redo makes it again; both in the engine.
  await page.getByTestId('build-undo').click();
  await expect(status).toContainText('Undone: added balancer pool-1');
  expect((await nodes(request)).map((n) => n.id)).not.toContain('pool-1');
  await page.keyboard.press('Control+Shift+Z');
  await expect(status).toContainText('Redone');
  expect((await nodes(request)).map((n) => n.id)).toContain('pool-1');

  // A click on an edge removes it; Delete on a focused box removes the box and what pointed at it.
  await page.getByTestId('edge-target-users->service-1').click();
  await expect(status).toContainText('users no longer forwards to service-1');
  await page.getByTestId('node-pool-1').focus();
  await page.keyboard.press('Delete');
  await expect(status).toContainText('Done: deleted pool-1');
  // By keyboard, `l` on a box starts a connection: one a service cannot make is refused, saying why.
  await page.getByTestId('node-users-1').focus();
  await page.keyboard.press('l');
  await page.getByTestId('node-users-2').focus();
  await page.keyboard.press('Enter');
  await expect(status).toContainText('users-1 is a service');
  const after = await nodes(request);
  expect(after.map((n) => n.id)).not.toContain('pool-1');
  expect(after.find((n) => n.id === 'users')?.targets).toEqual(['users-1', 'users-2', 'users-3']);
});

test('undo takes back only the build edit: a setting changed since is kept, and one that touched the edit stops the undo, saying so', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.getByTestId('build-toggle').click();
  const status = page.getByTestId('build-status');
  const running = async () => (await request.get('/api/config')).json() as Promise<{ nodes: Array<Record<string, unknown>> }>;
  const putNode = async (id: string, fields: Record<string, unknown>) => {
    const config = await running();
    config.nodes = config.nodes.map((n) => (n.id === id ? { ...n, ...fields } : n));
    expect((await request.put('/api/config', { data: config })).ok()).toBe(true);
  };

  // A build edit, then a latency changed elsewhere (as the settings form or the editor would): undo keeps the latency.
  await page.getByTestId('add-service').click();
  await expect(status).toContainText('Done: added service service-1');
  await putNode('users-1', { latency: '300ms' });
  await page.getByTestId('build-undo').click();
  await expect(status).toContainText('Undone: added service service-1 (the changes made since elsewhere are kept).');
  let config = await running();
  expect(config.nodes.map((n) => n.id)).not.toContain('service-1');
  expect(config.nodes.find((n) => n.id === 'users-1')?.latency).toBe('300ms');

  // Redo, then a change to the very node the edit added: undo would lose it, so it says so and changes nothing.
  await page.getByTestId('build-redo').click();
  await expect(status).toContainText('Redone: added service service-1');
  await putNode('service-1', { latency: '5ms' });
  const before = await running();
  await page.getByTestId('build-undo').click();
  await expect(status).toContainText('Not undone: nodes["service-1"] was changed since "added service service-1"');
  config = await running();
  expect(config).toEqual(before);
  await expect(page.getByTestId('build-undo')).toBeEnabled();
});

test('deleting a box a running flow enters at stops that flow, and the log says why', async ({ page, request }) => {
  await resetLab(request);
  // A client calling users-3 directly, beside the config's own traffic (added through the API, not in the config).
  const added = await request.post('/api/traffic', { data: { action: 'add', name: 'direct', to: 'users-3', rate: 5, clients: 1 } });
  expect(added.ok()).toBe(true);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.getByTestId('build-toggle').click();
  await page.getByTestId('node-users-3').focus();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('build-status')).toContainText('Done: deleted users-3');
  await expect(page.getByTestId('event-log')).toContainText('flow "direct" stopped: it enters at "users-3", which the config applied removed');
  const traffic = (await (await request.get('/api/traffic')).json()) as { running: boolean; flows: Array<{ name: string }> };
  expect(traffic).toMatchObject({ running: true, flows: [{ name: 'browse' }] });
});
