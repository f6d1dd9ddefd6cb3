/**
 * What a lesson needs live, in Chromium against the real engine: a lesson starts from fresh counts after
 * a busy sandbox (the boxes read 0 and the charts say the counts were reset), a step's goal shows its
 * measured value against its target and why it is not met yet, a met goal tells what just happened from
 * the engine's own numbers and events, and the two controls lessons asked for and the page lacked are
 * there and work: a forwarding node's capacity (in its inspector) and a flow's failover entries (in the
 * traffic panel), each checked against the engine's running config and metrics. Every test ends by
 * putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { Lesson, MetricsByNode } from '../lessons/format.ts';
import { redundantPair } from '../lessons/redundant-pair.ts';
import { roundRobinBasics } from '../lessons/round-robin-basics.ts';
import { theSaturatedHop } from '../lessons/the-saturated-hop.ts';
import { badge, configsOnFreePorts, restoreSandbox } from './helpers.ts';

/** A goal is reached in seconds of sandbox traffic; generous for a loaded machine. */
const GOAL_TIMEOUT_MS = 30_000;

async function engineNodes(request: APIRequestContext): Promise<MetricsByNode> {
  const res = await request.get('/api/metrics');
  expect(res.ok()).toBe(true);
  return (await res.json()).nodes;
}

async function engineConfig(request: APIRequestContext): Promise<{ nodes: Array<Record<string, unknown>>; traffic: Array<Record<string, unknown>> }> {
  return (await request.get('/api/config')).json();
}

/** Opens `lesson`, starts it and begins its first step. */
async function beginLesson(page: Page, lesson: Lesson) {
  await page.getByTestId(`lesson-open-${lesson.id}`).click();
  await page.getByTestId('lesson-start').click();
  await expect(page.getByTestId('lesson-next')).toHaveText('Begin step 1');
  await expect(page.getByTestId('sandbox-name')).toHaveText(lesson.startConfig.name!);
}

async function expectGoalMet(page: Page) {
  await expect(page.getByTestId('lesson-status')).toContainText('Goal met', { timeout: GOAL_TIMEOUT_MS });
}

test.beforeEach(({ page }) => configsOnFreePorts(page));
test.afterEach(({ request }) => restoreSandbox(request));

test('a lesson starts from fresh counts after a busy sandbox, shows its goal against its target, and tells what just happened', async ({ page, request }) => {
  test.setTimeout(90_000);
  await page.goto('/');
  // The sandbox has been busy: its boxes count in the hundreds soon.
  await expect.poll(() => badge(page, 'node-users-1-requests'), { timeout: 20_000 }).toBeGreaterThan(5);

  await beginLesson(page, roundRobinBasics);
  // Every node the lesson keeps (the same ids and kinds as the sandbox's) counts from zero, on the
  // engine and on the boxes, and the charts mark where the counts went back.
  const after = await engineNodes(request);
  for (const id of ['edge', 'api', 'users', 'users-1', 'users-2', 'users-3']) {
    expect(after[id]!.requests, id).toBe(0);
    await expect.poll(() => badge(page, `node-${id}-requests`), { message: id }).toBe(0);
  }
  await expect
    .poll(() => page.locator('[data-testid="edge-chart"] g.marker[data-marker="reset"]').evaluateAll((marks) => marks.map((m) => m.getAttribute('aria-label'))))
    .toContain('counts reset');

  // The goal: its readout and why it is not met yet, before anything runs.
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('lesson-readout-now')).toHaveAttribute('aria-label', /^now 0, goal at least 20$/);
  await expect(page.getByTestId('lesson-why-not')).toContainText('Why not yet: users-1 has answered 0 requests with 2xx since the step began: 20 more to go.');

  await page.getByTestId('lesson-show-me').click();
  await expectGoalMet(page);
  await expect(page.getByTestId('lesson-why-not')).toHaveCount(0);
  const account = page.getByTestId('lesson-what-happened');
  await expect(account).toBeVisible();
  const lines = await page.getByTestId('lesson-what-happened-line').allTextContents();
  // Where the balancer's requests went, by the engine's own per-target counts: each of the three took its turns.
  const shares = /^At users, requests were answered by users-1 (\d+) times?, users-2 (\d+) times?, users-3 (\d+) times?\.$/.exec(lines[0] ?? '');
  expect(shares, lines.join('\n')).not.toBeNull();
  const engine = await engineNodes(request);
  shares!.slice(1).forEach((n, i) => {
    expect(Number(n)).toBeGreaterThanOrEqual(20);
    expect(Number(n)).toBeLessThanOrEqual(engine.users!.targets![`users-${i + 1}`]!);
  });
  expect(lines.some((line) => /^At the entry, edge answered \d+ requests: 0 errors\.$/.test(line)), lines.join('\n')).toBe(true);
  await page.screenshot({ path: test.info().outputPath('what-happened-1280x800.png') });
});

test('a gateway’s capacity is read and set in its inspector: the saturated hop is found and given room', async ({ page, request }) => {
  test.setTimeout(90_000);
  await page.goto('/');
  await beginLesson(page, theSaturatedHop);
  await page.getByTestId('lesson-next').click();
  await page.getByTestId('lesson-show-me').click();
  await expectGoalMet(page);
  await expect(page.getByTestId('lesson-what-happened-line').filter({ hasText: /^api answered EDGE_OVERLOADED \d+ times?/ })).toHaveCount(1);
  await page.getByTestId('lesson-next').click();

  // The inspector of api shows its capacity, saturated, and takes a new one.
  await page.getByTestId('node-api').click();
  const capacity = page.getByTestId('node-capacity');
  await expect(capacity).toContainText('of 2 at once');
  await expect.poll(() => badge(page, 'node-api-errors'), { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('lesson-why-not')).toBeVisible();
  await page.getByTestId('node-capacity-concurrency').fill('0');
  await page.getByTestId('node-capacity-apply').click();
  await expect(page.getByTestId('node-capacity-error')).toHaveText('Concurrency: expected a whole number of requests, 1 or more (got "0")');
  expect((await engineConfig(request)).nodes.find((n) => n.id === 'api')!.capacity).toEqual({ concurrency: 2, queue: 2 });

  await page.getByTestId('node-capacity-concurrency').fill('32');
  await page.getByTestId('node-capacity-queue').fill('16');
  await page.getByTestId('node-capacity-apply').click();
  await expect.poll(async () => (await engineConfig(request)).nodes.find((n) => n.id === 'api')!.capacity).toEqual({ concurrency: 32, queue: 16 });
  await expect(capacity).toContainText('of 32 at once', { timeout: 10_000 });
  await expect(page.getByTestId('lesson-readout-now')).toBeVisible();
  await expectGoalMet(page);
  await expect(page.getByTestId('lesson-what-happened')).toContainText('Since your last config change');

  await page.getByTestId('node-capacity-remove').click();
  await expect.poll(async () => (await engineConfig(request)).nodes.find((n) => n.id === 'api')).not.toHaveProperty('capacity');
  await expect(page.getByTestId('node-capacity-words')).toHaveText('No limit: api works on every request it receives at once.');
});

test('a flow’s failover entries are set in the traffic panel: with edge-a down, its clients go on at edge-b', async ({ page, request }) => {
  test.setTimeout(90_000);
  await page.goto('/');
  await beginLesson(page, redundantPair);
  await page.getByTestId('lesson-next').click();
  await page.getByTestId('lesson-show-me').click();
  await expectGoalMet(page);
  await page.getByTestId('lesson-next').click();

  // A second proxy, added as the config editor would (the builder's way is its own test); no failover yet.
  const config = await engineConfig(request);
  const withEdgeB = { ...config, nodes: [...config.nodes, { id: 'edge-b', kind: 'proxy', listen: 0, to: 'lb', label: 'Reverse proxy B' }] };
  expect((await request.put('/api/config', { data: withEdgeB })).ok()).toBe(true);

  const flow = page.getByTestId('flow-site-failover');
  await expect(page.getByTestId('flow-site-failover-state')).toHaveText('Its clients know one address, edge-a: when it is down, every request is lost.');
  await expect(page.getByTestId('flow-site-failover-apply')).toBeDisabled();
  await flow.getByTestId('flow-site-failover-edge-b').check();
  await page.getByTestId('flow-site-failover-apply').click();
  await expect.poll(async () => (await engineConfig(request)).traffic[0]!.failover).toEqual(['edge-b']);
  await expect(page.getByTestId('flow-site-failover-state')).toContainText('Its clients try edge-a, then edge-b');
  await expect(page.getByTestId('flow-site-failover-state')).toContainText('in use: edge-b', { timeout: 15_000 });
  // edge-a is still down: the goal counts the clients' 2xx share, which failing over keeps whole.
  expect((await (await request.get('/api/faults')).json()).map((f: { target: string }) => f.target)).toEqual(['edge-a']);
  await expectGoalMet(page);
  await page.screenshot({ path: test.info().outputPath('failover-1280x800.png') });
});
