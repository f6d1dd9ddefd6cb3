/**
 * The load balancer in the page, in Chromium against the real engine: switching the algorithm in
 * the inspector changes where the live traffic goes, as the page's own distribution shows; every
 * algorithm's view draws the engine's numbers; hovering or focusing a request shows its why.
 * Every test ends by putting e2e/sandbox.yaml back, so the order of tests and specs does not matter.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { PICKER_IDS } from '../engine/src/balancer/pickers/index.ts';
import { resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as { nodes: Array<Record<string, unknown>> };
/** Requests per second at the entry while a test measures shares: about 2/3 of them reach users. */
const BUSY_RATE = 45;

/** The sandbox with users weighted 5/1/1 and running `algorithm`. */
function weightedSandbox(algorithm: string) {
  const config = structuredClone(sandboxConfig);
  const users = config.nodes.find((n) => n.id === 'users')!;
  users.algorithm = algorithm;
  users.targets = [{ to: 'users-1', weight: 5 }, 'users-2', 'users-3'];
  return config;
}

async function putConfig(request: APIRequestContext, config: unknown) {
  const res = await request.put('/api/config', { data: config });
  expect(res.ok(), await res.text()).toBe(true);
}

async function openUsers(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  // From the keyboard: a click on the box can land on a request's dot, which opens its trace instead.
  await page.getByTestId('node-users').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toBeVisible();
  // The balancer's main job leads its inspector: the algorithm is seen without scrolling.
  await expect(page.getByTestId('algorithm-select')).toBeInViewport();
}

/** The page's shares per target for `algorithm`, read at one moment, once it has counted at least `atLeast` picks. */
async function shownShares(page: Page, algorithm: string, atLeast: number): Promise<Record<string, number>> {
  const read = () =>
    page.getByTestId('distribution').evaluate((el) => ({
      algorithm: el.getAttribute('data-algorithm'),
      total: Number(el.getAttribute('data-total')),
      shares: Object.fromEntries(
        [...el.querySelectorAll('[data-share]')].map((row) => [
          row.getAttribute('data-testid')!.replace('distribution-', ''),
          Number(row.getAttribute('data-share')),
        ]),
      ),
    }));
  await expect.poll(async () => (await read()).algorithm, { timeout: 10_000 }).toBe(algorithm);
  await expect.poll(async () => (await read()).total, { timeout: 20_000 }).toBeGreaterThanOrEqual(atLeast);
  const shown = await read();
  expect(shown.algorithm).toBe(algorithm);
  return shown.shares;
}

async function switchTo(page: Page, algorithm: string) {
  await page.getByTestId('algorithm-select').selectOption(algorithm);
  await expect(page.getByTestId('inspector-algorithm')).toHaveText(algorithm, { timeout: 10_000 });
}

test.afterEach(async ({ request }) => {
  await putConfig(request, sandboxConfig);
  await resetLab(request);
});

test('switching the algorithm in the page changes where the live traffic goes', async ({ page, request }) => {
  await putConfig(request, weightedSandbox('round-robin'));
  await request.post('/api/traffic', { data: { action: 'start', rate: BUSY_RATE } });
  await openUsers(page);
  await expect(page.getByTestId('inspector-algorithm')).toHaveText('round-robin');

  // Round robin ignores weights: thirds. Its rotation is exact, so the tolerance only covers a
  // window that starts or ends mid-rotation and a pick or two the page saw before the others.
  const rotation = await shownShares(page, 'round-robin', 60);
  for (const id of ['users-1', 'users-2', 'users-3']) expect(rotation[id], id).toBeCloseTo(1 / 3, 1);

  await switchTo(page, 'weighted-round-robin');
  await expect(page.getByTestId('algorithm-status')).toContainText('Applied: users now runs weighted-round-robin');
  // nginx's smooth weighted round robin over 5/1/1: exactly 5 of every 7 to users-1, so again a
  // tolerance only for the window's edges.
  const weighted = await shownShares(page, 'weighted-round-robin', 70);
  expect(weighted['users-1']).toBeGreaterThan(5 / 7 - 0.06);
  expect(weighted['users-1']).toBeLessThan(5 / 7 + 0.06);
  for (const id of ['users-2', 'users-3']) expect(Math.abs(weighted[id] - 1 / 7), id).toBeLessThan(0.05);

  // The last 14 picks in order: two turns of nginx's a a b a c a a, wherever the window starts.
  const sequence = await page.getByTestId('pick-token').evaluateAll((tokens) => tokens.map((t) => t.getAttribute('data-target')));
  expect(sequence).toHaveLength(14);
  expect(sequence.filter((t) => t === 'users-1')).toHaveLength(10);
});

test('each algorithm’s view draws the engine’s numbers', async ({ page, request }) => {
  test.setTimeout(120_000);
  await putConfig(request, weightedSandbox('round-robin'));
  await request.post('/api/traffic', { data: { action: 'start', rate: 30 } });
  await openUsers(page);

  /** What each view shows only once the engine has reported its numbers. */
  const engineData: Record<string, (view: ReturnType<Page['getByTestId']>) => Promise<void>> = {
    'round-robin': (view) => expect(view.getByTestId('rotation-last')).toHaveText(/users-[123]/),
    'weighted-round-robin': (view) => expect(view.getByTestId('weight-race-users-1')).toHaveAttribute('data-current', /^-?\d+$/),
    'least-connections': (view) => expect(view.getByTestId('inflight-users-1')).toHaveAttribute('data-inflight', /^\d+$/),
    random: (view) => expect(view.getByTestId('random-users-1')).toHaveAttribute('data-chance', '0.714'),
    p2c: (view) => expect(view.getByTestId('inflight-bars')).toContainText('chosen'),
    'ip-hash': (view) => expect(view.getByTestId('ring-key').first()).toHaveAttribute('data-target', /users-[123]/),
    'consistent-hash': (view) => expect(view.getByTestId('ring-key').first()).toHaveAttribute('data-target', /users-[123]/),
    maglev: async (view) => {
      await expect(view.getByTestId('maglev-key').first()).toHaveAttribute('data-target', /users-[123]/);
      await expect(view.getByTestId('maglev-hosts')).toContainText('users-1');
      await expect(view).toContainText('65,537 slots');
    },
    'peak-ewma': (view) => expect(view.getByTestId('ewma-costs')).toContainText(/\d+ ms/),
  };

  for (const algorithm of PICKER_IDS) {
    await test.step(algorithm, async () => {
      if (algorithm !== 'round-robin') await switchTo(page, algorithm);
      // A pick by the new algorithm has arrived: its reason opens with its id.
      await expect(page.getByTestId('latest-why')).toContainText(`: ${algorithm}`, { timeout: 10_000 });
      const view = page.getByTestId(`view-${algorithm}`);
      await expect(view).toBeVisible();
      await expect(view).toContainText(/users-[123]/);
      await engineData[algorithm](view);
    });
  }
});

test('hashing the path spreads the requests that the client address sticks together', async ({ page, request }) => {
  await request.post('/api/traffic', { data: { action: 'start', rate: BUSY_RATE } });
  await openUsers(page);
  await switchTo(page, 'consistent-hash');
  // Behind the gateway every request comes from the gateway's address: one key, one target.
  await expect(page.getByTestId('same-key-note')).toBeVisible({ timeout: 15_000 });
  const stuck = await shownShares(page, 'consistent-hash', 20);
  expect(Math.max(...Object.values(stuck))).toBe(1);

  await page.getByTestId('hash-key-select').selectOption('path');
  await expect(page.getByTestId('algorithm-status')).toContainText('hashing path');
  await expect.poll(() => page.getByTestId('ring-key').count(), { timeout: 15_000 }).toBeGreaterThan(5);
  const spread = await shownShares(page, 'consistent-hash', 40);
  expect(Math.max(...Object.values(spread))).toBeLessThan(0.9);
  const config = await (await request.get('/api/config')).json();
  expect(config.nodes.find((n: { id: string }) => n.id === 'users')).toMatchObject({ algorithm: 'consistent-hash', hashKey: 'path' });
});

test('a request’s why shows on hover and on keyboard focus', async ({ page }) => {
  await openUsers(page);
  const token = page.getByTestId('pick-token').last();
  await expect(token).toBeVisible({ timeout: 10_000 });
  await token.hover();
  await expect(page.getByTestId('why-text')).toHaveText(/^round-robin: users-[123] is next in rotation \(position [123] of 3\)/);

  const line = page.getByTestId('log-line').filter({ hasText: '/users/' }).first();
  await expect(line).toBeVisible({ timeout: 10_000 });
  await page.mouse.move(0, 0);
  await line.focus();
  const tip = page.locator('#log-why');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText(/users → users-[123]/);
  await expect(tip).toContainText(/round-robin: users-[123] is next in rotation/);
  await expect(line).toHaveAttribute('aria-describedby', 'log-why');

  // A dot on the canvas: the pointer over it, in the same task that read where it is drawn.
  await expect(async () => {
    const over = await page.evaluate(() => {
      const dot = window.__edgelab?.dots()[0];
      if (!dot) return false;
      const canvas = document.querySelector('[data-testid="dots"]')!;
      canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: dot.x, clientY: dot.y, bubbles: true }));
      return true;
    });
    expect(over).toBe(true);
    await expect(page.locator('#dot-why')).toContainText(/(→|answered by itself)/, { timeout: 500 });
  }).toPass({ timeout: 10_000 });
});

test('a refused switch shows the engine’s errors and keeps the running algorithm', async ({ page, request }) => {
  // maglev's table size must be a prime: the page's request is given one that is not, and the
  // engine refuses the whole config and keeps running round robin.
  await openUsers(page);
  await page.route('**/api/config', async (route) => {
    if (route.request().method() !== 'PUT') return route.fallback();
    const body = route.request().postDataJSON();
    body.nodes.find((n: { id: string }) => n.id === 'users').options = { tableSize: 100 };
    await route.fallback({ postData: JSON.stringify(body) });
  });
  await page.getByTestId('algorithm-select').selectOption('maglev');
  await expect(page.getByTestId('algorithm-errors')).toContainText('tableSize must be a prime');
  await expect(page.getByTestId('inspector-algorithm')).toHaveText('round-robin');
  const running = (await (await request.get('/api/config')).json()).nodes.find((n: { id: string }) => n.id === 'users');
  expect(running).toMatchObject({ algorithm: 'round-robin' });
  expect(running).not.toHaveProperty('options');
  expect((await (await request.get('/api/topology')).json()).nodes.find((n: { id: string }) => n.id === 'users').algorithm).toBe(
    'round-robin',
  );
});
