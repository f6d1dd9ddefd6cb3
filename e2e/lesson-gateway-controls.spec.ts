/**
 * The gateway lessons solved with the page's own controls, the ones their hints name, in Chromium
 * against the real engine at 1280x800: no config editor, no API call but reads. A gateway refuses a
 * consumer, credentials or route until it is whole, so these walk the form through its refusals the way
 * a learner following the hint does. A new consumer or route waits in the form, saying what it still
 * needs, until its "Apply". Auth at the edge: `api`'s "Settings" list the consumer and set its
 * credentials, then open the `/status` route. Canary by header: "Add to routes" for the testers, applied
 * whole, "Remove" to roll back. Boundary burst: the route's `rateLimit` algorithm switched to a fixed window.
 * Every test ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type Page } from '@playwright/test';
import { authAtTheEdge } from '../lessons/auth-at-the-edge.ts';
import { boundaryBurst } from '../lessons/boundary-burst.ts';
import { canaryByHeader } from '../lessons/canary-by-header.ts';
import { SOLVED_WITHIN_MS } from '../lessons/solved-within.ts';
import { beginLesson, configsOnFreePorts, expectGoalMet, openSettings, restoreSandbox } from './helpers.ts';

test.use({ viewport: { width: 1280, height: 800 }, actionTimeout: 15_000 });
test.beforeEach(({ page }) => configsOnFreePorts(page));
test.afterEach(({ request }) => restoreSandbox(request));

type Gateway = { id: string; consumers?: unknown; credentials?: unknown; routes: Array<Record<string, unknown>> };

/** Node `id` of the running config, read over the API (a read: the test writes nothing through it). */
async function gateway(page: Page, id: string): Promise<Gateway> {
  const config = (await (await page.request.get('/api/config')).json()) as { nodes: Gateway[] };
  return config.nodes.find((n) => n.id === id)!;
}

/** Opens the first visible nested group or list of the settings whose summary starts `name`, as a learner clicks it. */
async function openGroup(page: Page, name: string | RegExp) {
  const summary = page.getByTestId('node-settings').locator('summary:visible', { hasText: name }).first();
  await summary.click();
}

/** Types `value` into field `id` and leaves it; the form then says `status` (applied, refused, or waiting). */
async function typeField(page: Page, id: string, value: string, status: string | RegExp) {
  const field = page.locator(`#setting-${id}`);
  await field.fill(value);
  await field.press('Tab');
  await expect(page.getByTestId('settings-status')).toContainText(status);
}

async function startTraffic(page: Page) {
  await page.getByTestId('traffic-toggle').click();
  await expect(page.getByTestId('traffic-toggle')).toHaveText('Pause traffic');
}

async function nextStep(page: Page, title: string) {
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('lesson-step-title')).toHaveText(title);
  await expect(page.getByTestId('goal-strip')).toHaveAttribute('data-met', 'false');
}

test('auth at the edge: a consumer and its credentials in api’s Settings, then the /status route opened', async ({ page }) => {
  test.setTimeout(4 * SOLVED_WITHIN_MS);
  await beginLesson(page, authAtTheEdge);
  await openSettings(page, 'api');

  // Step 1, as its last hint says: "Add to consumers", its name, "Apply"; its apiKeys, then credentials.apiKey.header.
  await openGroup(page, /^consumers/);
  await page.getByRole('button', { name: 'Add to consumers' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Not applied yet: consumers[0] waits in the form');
  const waiting = page.getByTestId('not-applied');
  await expect(waiting).toHaveText('not applied yet: needs name');
  await expect(page.getByRole('button', { name: 'Apply consumers[0]' })).toBeDisabled();
  await typeField(page, 'consumers-0-name', 'mobile', 'Not applied yet: consumers[0]');
  await expect(waiting).toHaveText('not applied yet: press Apply');
  expect((await gateway(page, 'api')).consumers).toBeUndefined();
  await page.getByRole('button', { name: 'Apply consumers[0]' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Applied: consumers[0] added.');
  await expect(waiting).toHaveCount(0);
  expect((await gateway(page, 'api')).consumers).toEqual([{ name: 'mobile' }]);
  await openGroup(page, /^apiKeys/);
  await page.getByRole('button', { name: 'Add to apiKeys' }).click();
  // A key the gateway does not read yet is refused until credentials say where keys are.
  await typeField(page, 'consumers-0-apiKeys-0', 'k-mobile', 'Refused');
  await expect(page.getByTestId('settings-problems')).toContainText('the gateway reads no API keys');
  await openGroup(page, /^credentials/);
  await page.getByRole('button', { name: 'Set credentials' }).click();
  await openGroup(page, /^apiKey\b/);
  await page.getByRole('button', { name: 'Set apiKey' }).click();
  await typeField(page, 'credentials-apiKey-header', 'x-api-key', 'Applied: credentials.apiKey.header changed.');
  await expect(page.getByTestId('settings-problems')).toHaveCount(0);
  await startTraffic(page);
  await expectGoalMet(page);
  const api = await gateway(page, 'api');
  expect(api.consumers).toEqual([{ name: 'mobile', apiKeys: ['k-mobile'] }]);
  expect(api.credentials).toEqual({ apiKey: { header: 'x-api-key' } });

  // Step 2: the /status route (routes[2]) gets auth: none.
  await nextStep(page, authAtTheEdge.steps[1]!.title);
  await openGroup(page, 'routes[2]');
  await page.locator('#setting-routes-2-auth').selectOption('none');
  await expect(page.getByTestId('settings-status')).toContainText('Applied: routes.2.auth changed.');
  await expectGoalMet(page);
  await expect(page.getByTestId('config-editor')).toHaveCount(0);
  expect((await gateway(page, 'api')).routes[2]).toMatchObject({ match: { path: '/status' }, to: 'status', auth: 'none' });
});

test('canary by header: Add to routes sends the testers to users-v2, Remove rolls it back', async ({ page }) => {
  test.setTimeout(4 * SOLVED_WITHIN_MS);
  await beginLesson(page, canaryByHeader);
  await openSettings(page, 'api');

  // The new route opens and waits in the form, saying what it needs: nothing of it runs while it is half-built.
  await page.getByRole('button', { name: 'Add to routes' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Not applied yet: routes[2] waits in the form');
  const waiting = page.getByTestId('not-applied');
  const apply = page.getByRole('button', { name: 'Apply routes[2]' });
  await expect(waiting).toHaveText('not applied yet: needs to (or aggregate); a match (path, host, method, headers or query)');
  await expect(apply).toBeDisabled();
  await typeField(page, 'routes-2-to', 'users-v2', 'Not applied yet: routes[2]');
  await openGroup(page, /^match/);
  // An empty match would catch every request: the route still waits for one.
  await page.getByRole('button', { name: 'Set match' }).click();
  await expect(waiting).toHaveText('not applied yet: needs a match (path, host, method, headers or query)');
  // A path alone would duplicate routes[0]: the engine's warning shows before anything runs.
  await typeField(page, 'routes-2-match-path', '/users/*', 'Not applied yet: routes[2]');
  await expect(waiting).toHaveText('not applied yet: press Apply');
  await expect(page.getByTestId('not-applied-warning')).toContainText('can never match');
  await typeField(page, 'routes-2-match-headers', 'x-canary: "true"', 'Not applied yet: routes[2]');
  await expect(page.getByTestId('not-applied-warning')).toHaveCount(0);
  expect((await gateway(page, 'api')).routes).toHaveLength(2);
  await apply.click();
  await expect(page.getByTestId('settings-status')).toContainText('Applied: routes[2] added.');
  await expect(waiting).toHaveCount(0);
  await expect(page.getByTestId('settings-problems')).toHaveCount(0);
  await startTraffic(page);
  await expectGoalMet(page);
  expect((await gateway(page, 'api')).routes[2]).toEqual({ match: { path: '/users/*', headers: { 'x-canary': 'true' } }, to: 'users-v2' });

  await nextStep(page, canaryByHeader.steps[1]!.title);
  await page.getByRole('button', { name: 'Remove routes[2]' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Applied: routes changed.');
  await expectGoalMet(page);
  await expect(page.getByTestId('config-editor')).toHaveCount(0);
  expect((await gateway(page, 'api')).routes).toHaveLength(2);
});

test('boundary burst: Resume traffic, then the route’s rateLimit form switched to a fixed window', async ({ page }) => {
  test.setTimeout(4 * SOLVED_WITHIN_MS);
  await beginLesson(page, boundaryBurst);
  await page.getByRole('button', { name: 'Resume traffic' }).click();
  await expect(page.getByTestId('traffic-toggle')).toHaveText('Pause traffic');
  await expectGoalMet(page);

  await nextStep(page, boundaryBurst.steps[1]!.title);
  await openSettings(page, 'api');
  await openGroup(page, 'routes[0]');
  await openGroup(page, /^rateLimit/);
  // One choice, named `algorithm`: the seven algorithms and a list of limits; the chosen one's fields right under it.
  const algorithm = page.locator('#setting-routes-0-rateLimit-form');
  await expect(algorithm.locator('xpath=..')).toContainText('algorithm');
  await expect(algorithm.locator('option:checked')).toHaveText('token-bucket');
  await algorithm.selectOption({ label: 'fixed-window' });
  await expect(page.getByTestId('settings-status')).toContainText('fill in its empty fields');
  await typeField(page, 'routes-0-rateLimit-limit', '10', 'fill in its empty fields');
  // The key means the same in both algorithms: it stays as it was.
  await expect(page.locator('#setting-routes-0-rateLimit-key')).toHaveValue('global');
  await typeField(page, 'routes-0-rateLimit-window', '1s', 'Applied: routes.0.rateLimit.window changed.');
  await expect(page.getByTestId('settings-problems')).toHaveCount(0);
  await expectGoalMet(page);
  await expect(page.getByTestId('config-editor')).toHaveCount(0);
  expect((await gateway(page, 'api')).routes[0]!.rateLimit).toEqual({ algorithm: 'fixed-window', limit: 10, window: '1s', key: 'global' });
});
