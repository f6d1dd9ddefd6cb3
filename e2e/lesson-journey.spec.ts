/**
 * A learner's journey through a lesson, in Chromium at 1280x800 against the real engine (issue 14):
 * the lessons opened from the header, one chosen from the index, every step solved with "Show me", all
 * by keyboard alone, with the diagram wholly in the window at every step's screenshot. A reload in the
 * middle goes on at the step reached without applying the lesson's config again; a reload at the end
 * shows the lesson finished, and leaving it puts the learner's sandbox back, after which the index says
 * it is done, through one more reload. Then: a reload after the engine came to run another config says
 * plainly that the lesson ended, and offers to start it again; before it, a box opened during the lesson
 * comes into view under the lesson, the diagram still whole in the window.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { parse } from 'yaml';
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { withEphemeralPorts } from '../lessons/ephemeral-ports.ts';
import { roundRobinBasics as lesson } from '../lessons/round-robin-basics.ts';
import { engineTraffic, expectDiagramInView, restoreSandbox, SANDBOX_YAML, tabTo } from './helpers.ts';

/** A goal is reached in a few seconds of sandbox traffic; generous for a loaded machine. */
const GOAL_TIMEOUT_MS = 20_000;

/** The diagram is wholly in the window, and a screenshot of the moment is kept with the test's results. */
async function diagramInView(page: Page, testInfo: TestInfo, name: string) {
  await expectDiagramInView(page);
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
}

/** The PUTs of a config the page makes from now on. */
function configPuts(page: Page): string[] {
  const puts: string[] = [];
  page.on('request', (req) => {
    if (req.method() === 'PUT' && new URL(req.url()).pathname === '/api/config') puts.push(req.postData() ?? '');
  });
  return puts;
}

test.beforeEach(async ({ page }) => {
  // The lesson's config listens on fixed ports (8080, 9001, ...) that a lab beside the tests may hold:
  // the engine under test gets it on free ports, as in lesson.spec.ts. Nothing else changes, and a
  // config on free ports already (the learner's sandbox put back) goes as it is.
  await page.route('**/api/config', async (route) => {
    const req = route.request();
    const body = req.method() === 'PUT' ? (req.postDataJSON() as EdgeConfigInput) : undefined;
    if (body === undefined || !body.nodes.some((node) => node.listen)) return route.continue();
    await route.continue({ postData: JSON.stringify(withEphemeralPorts(body)) });
  });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test.afterEach(({ request }) => restoreSandbox(request));

test('a lesson by keyboard alone, the diagram in view at every step; a reload resumes it at its step, and the index keeps it done', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toHaveText('Classic edge (e2e)');

  // The lessons, from the header: they lead the side column, the index by track.
  await tabTo(page, 'lessons-toggle');
  await page.keyboard.press('Enter');
  await expect(page.locator('#lessons-title')).toBeFocused();
  await expect(page.getByTestId(`lesson-progress-${lesson.id}`)).toHaveText('Not started');
  await diagramInView(page, testInfo, 'index');

  await tabTo(page, `lesson-open-${lesson.id}`);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lesson-warning')).toContainText('Yours is kept in this browser');
  await tabTo(page, 'lesson-start');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lesson-next')).toBeFocused();
  await expect(page.getByTestId('sandbox-name')).toHaveText(lesson.startConfig.name!);
  await page.keyboard.press('Enter');

  const solveStep = async (index: number) => {
    await expect(page.getByTestId('lesson-step-title')).toHaveText(lesson.steps[index].title);
    await expect(page.getByTestId('lesson-detail')).not.toContainText('Waiting');
    await diagramInView(page, testInfo, `step-${index + 1}`);
    await tabTo(page, 'lesson-show-me');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('lesson-status')).toContainText('Goal met', { timeout: GOAL_TIMEOUT_MS });
    await expect(page.getByTestId('lesson-next')).toBeFocused();
    await diagramInView(page, testInfo, `step-${index + 1}-met`);
    await page.keyboard.press('Enter');
  };

  await solveStep(0);
  await expect(page.getByTestId('lesson-step-title')).toHaveText(lesson.steps[1].title);

  // A reload in the middle: the lesson goes on at step 2, its config not applied again (the engine keeps
  // what the learner did: the traffic step 1 started is still running).
  const puts = configPuts(page);
  await page.reload();
  await expect(page.getByTestId('lesson-step-title')).toHaveText(lesson.steps[1].title);
  await expect(page.getByTestId('lesson-announce')).toContainText('goes on where you were');
  expect((await engineTraffic(request)).running).toBe(true);
  expect(puts).toEqual([]);

  await solveStep(1);
  await solveStep(2);
  await expect(page.getByTestId('lesson-complete')).toContainText('Lesson complete');
  await diagramInView(page, testInfo, 'complete');

  // A reload at the end shows it finished; leaving puts the learner's sandbox back, traffic and all.
  await page.reload();
  await expect(page.getByTestId('lesson-complete')).toContainText('Lesson complete');
  // The end of the lesson offers "Leave lesson" itself: the keyboard goes on to it, not back up.
  await tabTo(page, 'lesson-complete-leave');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lesson-leave-restore')).toBeFocused();
  await expect(page.getByTestId('lesson-leave-restore')).toContainText('“Classic edge (e2e)” comes back as you left it: its config, traffic running at 12 req/s, no faults');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lesson-note')).toHaveText('Your sandbox “Classic edge (e2e)” is back.');
  await expect(page.getByTestId('sandbox-name')).toHaveText('Classic edge (e2e)');
  expect(await (await request.get('/api/config')).json()).toEqual(parse(SANDBOX_YAML));
  const traffic = await engineTraffic(request);
  expect(traffic.running).toBe(true);
  expect(traffic.flows.map((f) => [f.name, f.rate])).toEqual([['browse', 12]]);

  await page.reload();
  await tabTo(page, 'lessons-toggle');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId(`lesson-progress-${lesson.id}`)).toHaveText('✓Done');
});

test('a box opened during a lesson comes into view beside the diagram; a reload after the engine came to run another config says the lesson ended, and offers to start it again', async ({
  page,
  request,
}) => {
  await page.goto('/');
  await page.getByTestId('lessons-toggle').click();
  await page.getByTestId(`lesson-open-${lesson.id}`).click();
  await page.getByTestId('lesson-start').click();
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('lesson-step-title')).toHaveText(lesson.steps[0].title);

  // A box opened during the lesson: its inspector comes into view under the lesson, the diagram stays.
  await page.getByTestId('node-users').click();
  await expect(page.getByTestId('inspector')).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('stage')).toBeInViewport({ ratio: 1 });

  // The engine runs another config while the page is away (as after a restart with another sandbox).
  await page.goto('about:blank');
  const res = await request.put('/api/config', { data: parse(SANDBOX_YAML) });
  expect(res.ok(), await res.text()).toBe(true);
  await page.goto('/');
  await expect(page.getByTestId('lesson-ended')).toContainText(`The lesson “${lesson.title}” ended: the engine now runs “Classic edge (e2e)”`);
  await expect(page.getByTestId('lesson-step-title')).toHaveCount(0);
  await expect(page.getByTestId('stage')).toBeInViewport({ ratio: 1 });

  await page.getByTestId('lesson-ended-restart').click();
  await expect(page.getByTestId('lesson-next')).toHaveText('Begin step 1');
  await expect(page.getByTestId('sandbox-name')).toHaveText(lesson.startConfig.name!);
});
