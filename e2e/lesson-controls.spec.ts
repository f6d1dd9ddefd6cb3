/**
 * Lessons solved with the page's own controls, the ones their hints name, in Chromium against the real
 * engine at 1280x800: no config editor, no API call but reads. Retry storms: `lb`'s "Settings" give its
 * retries a budget. Who moves: "Remove" takes `app-4` out of `lb`'s targets, the "Algorithm" switcher
 * and "Add to targets" put it back on a consistent hash, and "Remove" again. What each box is: the
 * "Clients" box's settings give a flow a second path ("Add to paths"). On the way, the balancer
 * inspector's key affinity readout and the goal strip kept in sight over an opened inspector. Every
 * test ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type Page } from '@playwright/test';
import { retryStormsAndBudgets } from '../lessons/retry-storms-and-budgets.ts';
import { whatEachBoxIs } from '../lessons/what-each-box-is.ts';
import { whoMovesWhenAServerLeaves } from '../lessons/who-moves-when-a-server-leaves.ts';
import { addToList, beginLesson, configsOnFreePorts, expectGoalMet, openSettings, restoreSandbox, setField } from './helpers.ts';

/** A goal is reached in seconds of sandbox traffic; generous for a loaded machine. */
const GOAL_TIMEOUT_MS = 45_000;

test.use({ viewport: { width: 1280, height: 800 } });
test.beforeEach(({ page }) => configsOnFreePorts(page));
test.afterEach(({ request }) => restoreSandbox(request));

/** The goal strip stays in the window while the side column is scrolled to the bottom of the inspector. */
async function expectGoalStripInSight(page: Page) {
  await page.getByTestId('inspector').evaluate((el) => el.scrollIntoView({ block: 'end' }));
  await expect(page.getByTestId('goal-strip')).toBeInViewport();
  await expect(page.getByTestId('lesson-step-title')).not.toBeInViewport();
}

async function keyCount(page: Page, outcome: 'stayed' | 'moved' | 'rehomed'): Promise<number> {
  const text = await page.getByTestId(`key-affinity-${outcome}`).textContent();
  return Number((text ?? '').replace(/[^\d]/g, ''));
}

test('retry storms and budgets: solved in lb’s Settings, by its retry budget', async ({ page, request }) => {
  test.setTimeout(120_000);
  await beginLesson(page, retryStormsAndBudgets);
  await page.getByTestId('traffic-toggle').click();
  await expect(page.getByTestId('traffic-toggle')).toHaveText('Pause traffic');

  await openSettings(page, 'lb');
  // `retries` is set, so it is open; its `budget` is a group inside it.
  await page.getByTestId('node-settings').locator('summary', { hasText: /^budget/ }).click();
  await setField(page, 'retries-budget-percent', '20');
  await setField(page, 'retries-budget-minConcurrent', '3');

  await expectGoalStripInSight(page);
  await expectGoalMet(page, GOAL_TIMEOUT_MS);
  await expect(page.getByTestId('config-editor')).toHaveCount(0);
  const lb = ((await (await request.get('/api/config')).json()) as { nodes: Array<{ id: string; retries?: unknown }> }).nodes.find((n) => n.id === 'lb');
  expect(lb?.retries).toEqual({ tries: 5, budget: { percent: 20, minConcurrent: 3 } });
});

test('who moves when a server leaves: Remove and Add to targets in lb’s Settings, and its Algorithm, solve both steps', async ({ page, request }) => {
  test.setTimeout(180_000);
  await beginLesson(page, whoMovesWhenAServerLeaves);
  await page.getByTestId('traffic-toggle').click();
  await openSettings(page, 'lb');
  // Every client seen and back at least once: the readout counts them as they return.
  await expect.poll(() => keyCount(page, 'stayed'), { timeout: GOAL_TIMEOUT_MS }).toBeGreaterThanOrEqual(30);
  await expect(page.getByTestId('key-affinity-explain')).toContainText('returning clients');

  // Step 1: app-4 out of the pool on ip-hash.
  await page.getByRole('button', { name: 'Remove targets[3]' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Applied: targets changed.');
  await expectGoalMet(page, GOAL_TIMEOUT_MS);
  await expect.poll(() => keyCount(page, 'moved')).toBeGreaterThanOrEqual(5);

  // Step 2: a consistent hash, app-4 back in, every client seen, then app-4 out again.
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('goal-strip')).toHaveAttribute('data-met', 'false');
  await page.getByTestId('algorithm-select').selectOption('consistent-hash');
  await expect(page.getByTestId('algorithm-status')).toHaveAttribute('data-state', 'applied');
  // The form reads the running config again after the switch, before anything else is changed in it.
  await expect(page.locator('#setting-algorithm')).toHaveValue('consistent-hash');
  await addToList(page, 'targets', 3, 'app-4');
  const before = await keyCount(page, 'stayed');
  await expect.poll(() => keyCount(page, 'stayed'), { timeout: GOAL_TIMEOUT_MS }).toBeGreaterThanOrEqual(before + 60);
  await page.getByRole('button', { name: 'Remove targets[3]' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Applied: targets changed.');

  await expectGoalStripInSight(page);
  await expectGoalMet(page, GOAL_TIMEOUT_MS);
  await expect(page.getByTestId('config-editor')).toHaveCount(0);
  const lb = ((await (await request.get('/api/config')).json()) as { nodes: Array<{ id: string; algorithm?: string; targets?: unknown }> }).nodes.find((n) => n.id === 'lb');
  expect(lb).toMatchObject({ algorithm: 'consistent-hash', targets: ['app-1', 'app-2', 'app-3'] });
});

test('what each box is: a flow’s second path added in the Clients box’s settings', async ({ page, request }) => {
  test.setTimeout(120_000);
  await beginLesson(page, whatEachBoxIs);
  await page.getByTestId('traffic-toggle').click();
  await expectGoalMet(page, GOAL_TIMEOUT_MS);
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('lesson-step-title')).toHaveText(whatEachBoxIs.steps[1]!.title);

  await page.getByTestId('node-client').click();
  const inspector = page.getByTestId('clients-inspector');
  await inspector.locator('summary', { hasText: 'traffic[0]' }).click();
  await inspector.locator('summary', { hasText: /^paths/ }).click();
  await addToList(page, 'traffic-0-paths', 1, '/reports/{1..5}');

  await expectGoalMet(page, GOAL_TIMEOUT_MS);
  await expect(page.getByTestId('config-editor')).toHaveCount(0);
  const flows = ((await (await request.get('/api/config')).json()) as { traffic: Array<{ name: string; paths?: string[] }> }).traffic;
  expect(flows.find((f) => f.name === 'shoppers')?.paths).toEqual(['/shop/{1..20}', '/reports/{1..5}']);
});
