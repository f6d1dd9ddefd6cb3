/**
 * One lesson of each track completed on the page, in Chromium at 1280x800 against the real engine
 * (issue 14; the load-balancing track is lesson-journey.spec.ts's). Each is opened from the lesson index,
 * started, and every step solved with "Show me" as a learner would: at each step the diagram is wholly in
 * the window with every box the engine runs in view, the page not scrolled, the goal's readout shown
 * before it is met and "what just happened" once it is; a screenshot of each step goes with the test's
 * results. The lesson ends complete, the index says it is done, and still does after a reload. One of
 * them is done by keyboard alone. Every test ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { buildToSlo } from '../lessons/build-to-slo.ts';
import { cacheTheHotPath } from '../lessons/cache-the-hot-path.ts';
import type { Lesson } from '../lessons/format.ts';
import { oneDoor } from '../lessons/one-door.ts';
import { SOLVED_WITHIN_MS } from '../lessons/solved-within.ts';
import { theSaturatedHop } from '../lessons/the-saturated-hop.ts';
import { whatEachBoxIs } from '../lessons/what-each-box-is.ts';
import { configsOnFreePorts, expectDiagramInView, restoreSandbox, tabTo } from './helpers.ts';

/**
 * A short lesson per track: the index's tracks other than load-balancing, each with how it is worked and
 * a line its last step's "what just happened" must hold: the lesson's point, in the engine's numbers.
 */
const TRACK_LESSONS: Array<{ lesson: Lesson; by: 'mouse' | 'keyboard'; lastTells: RegExp }> = [
  { lesson: whatEachBoxIs, by: 'mouse', lastTells: /^api answered EDGE_UPSTREAM_REFUSED \d+ times\.$/ },
  { lesson: oneDoor, by: 'keyboard', lastTells: /^At the entry, api answered \d+ requests: 0 errors\.$/ },
  { lesson: cacheTheHotPath, by: 'mouse', lastTells: /^edge’s cache said .*\bHIT \d+ times?\b/ },
  { lesson: theSaturatedHop, by: 'mouse', lastTells: /^A config was applied at [\d:]+ \(“The saturated hop”\)\.$/ },
  { lesson: buildToSlo, by: 'mouse', lastTells: /^At lb, requests were answered by app-1 \d+ times?, app-2 \d+ times?, app-3 \d+ times?\.$/ },
];

/**
 * Presses a button as the test's way of working says: a click, or Tab to it (Shift+Tab with `back`, for
 * a button above the focus) and Enter.
 */
async function press(page: Page, testId: string, by: 'mouse' | 'keyboard', { back = false } = {}) {
  if (by === 'mouse') return page.getByTestId(testId).click();
  await tabTo(page, testId, { back });
  await page.keyboard.press('Enter');
}

/** Every box the engine runs is drawn, wholly in the window, beside the whole diagram; a screenshot of it is attached. */
async function diagramInView(page: Page, request: APIRequestContext, testInfo: TestInfo, name: string) {
  await expectDiagramInView(page);
  const running = ((await (await request.get('/api/topology')).json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
  await expect(page.locator('[data-node-id]')).toHaveCount(running.length);
  // Whole, but for the sub-pixel rounding of the diagram's scale (a box at the edge reads 0.9999998).
  for (const id of running) await expect(page.getByTestId(`node-${id}`), id).toBeInViewport({ ratio: 0.99 });
  await testInfo.attach(name, { body: await page.screenshot(), contentType: 'image/png' });
}

/** The lesson's texts say a goal's comparison as a learner reads it ("at least 20", "≥ 20"), never ">=" or "<=". */
async function expectLearnersWords(page: Page) {
  const text = (await page.locator('.side').innerText()).replace(/\s+/g, ' ');
  expect(text).not.toMatch(/[<>=]=/);
}

test.beforeEach(async ({ page }) => {
  await configsOnFreePorts(page);
  await page.setViewportSize({ width: 1280, height: 800 });
});

test.afterEach(({ request }) => restoreSandbox(request));

for (const { lesson, by, lastTells } of TRACK_LESSONS) {
  test(`${lesson.track}: “${lesson.title}” completed on the page${by === 'keyboard' ? ' by keyboard alone' : ''}, the diagram in view at every step, and kept done in the index`, async ({
    page,
    request,
  }, testInfo) => {
    test.setTimeout(60_000 + lesson.steps.length * SOLVED_WITHIN_MS);
    await page.goto('/');
    await expect(page.getByTestId('sandbox-name')).toHaveText('Classic edge (e2e)');

    await press(page, 'lessons-toggle', by);
    await expect(page.getByTestId(`lesson-track-${lesson.track}`).getByTestId(`lesson-open-${lesson.id}`)).toBeVisible();
    await expect(page.getByTestId(`lesson-progress-${lesson.id}`)).toHaveText('Not started');
    await press(page, `lesson-open-${lesson.id}`, by);
    await press(page, 'lesson-start', by);
    await expect(page.getByTestId('lesson-next')).toHaveText('Begin step 1');
    await expect(page.getByTestId('sandbox-name')).toHaveText(lesson.startConfig.name!);
    await press(page, 'lesson-next', by);

    // The step's own goal box (the readout's and why-not's test ids may show elsewhere too, in a summary).
    const goal = page.getByRole('region', { name: 'Goal', exact: true });
    for (const [index, step] of lesson.steps.entries()) {
      const name = `step-${index + 1}-${step.id}`;
      await expect(page.getByTestId('lesson-step-title')).toHaveText(step.title);
      // The problem first: the goal is not met, and the page says why.
      await expect(goal.getByTestId('lesson-why-not')).toBeVisible();
      await expect(page.getByTestId('lesson-what-happened')).toHaveCount(0);
      await diagramInView(page, request, testInfo, name);
      await expectLearnersWords(page);

      // The measured value against the target shows before the goal is met: at once, or (a share of
      // nothing counted yet has no value) once the traffic is counted; a goal of several parts drops
      // it when met, so it is watched for from before "Show me".
      const readoutSeen = goal
        .getByTestId('lesson-readout')
        .waitFor({ timeout: SOLVED_WITHIN_MS })
        .then(() => true, () => false);
      await press(page, 'lesson-show-me', by);
      await expect(page.getByTestId('lesson-status')).toContainText('Goal met', { timeout: SOLVED_WITHIN_MS });
      expect(await readoutSeen, 'the goal readout showed before the goal was met').toBe(true);
      await expect(page.getByTestId('lesson-what-happened')).toBeVisible();
      await expect(page.getByTestId('lesson-what-happened-line').first()).toBeVisible();
      if (index === lesson.steps.length - 1) {
        const told = await page.getByTestId('lesson-what-happened-line').allTextContents();
        expect(told.some((line) => lastTells.test(line)), told.join('\n')).toBe(true);
        expect(new Set(told).size, 'no line is told twice').toBe(told.length);
      }
      await diagramInView(page, request, testInfo, `${name}-met`);
      await expectLearnersWords(page);
      await press(page, 'lesson-next', by);
    }

    await expect(page.getByTestId('lesson-complete')).toContainText('Lesson complete');
    await diagramInView(page, request, testInfo, 'complete');

    // Leaving puts the learner's sandbox back, and the index says the lesson is done, through a reload too.
    await press(page, 'lesson-back', by, { back: true });
    await press(page, 'lesson-leave-restore', by);
    await expect(page.getByTestId('lesson-note')).toHaveText('Your sandbox “Classic edge (e2e)” is back.');
    await expect(page.getByTestId(`lesson-progress-${lesson.id}`)).toHaveText('✓Done');
    await page.reload();
    await press(page, 'lessons-toggle', by);
    await expect(page.getByTestId(`lesson-progress-${lesson.id}`)).toHaveText('✓Done');
    await diagramInView(page, request, testInfo, 'index-done');
  });
}
