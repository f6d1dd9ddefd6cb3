/**
 * The timeline (issue 13): the view pauses while the engine runs on, scrubbing back shows the requests
 * from before the pause and none after it, a 4x replay moves on, and Live (the `l` key) returns to now.
 */
import { expect, test, type Page } from '@playwright/test';
import { engineMetrics, resetLab } from './helpers.ts';

test.beforeEach(async ({ page, request }) => {
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
});

/** The request ids in the event log, newest first. */
function logRequests(page: Page): Promise<string[]> {
  return page
    .getByTestId('event-log')
    .getByTestId('log-line')
    .evaluateAll((lines) => lines.map((l) => l.getAttribute('data-rid') ?? ''));
}

/** A key pressed on the page itself, not on the button that had focus. */
async function pressOnPage(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

test('scrubbing the timeline shows events from before the pause, a 4x replay moves on, and Live returns', async ({ page, request }) => {
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-live', 'true');
  await expect(page.getByTestId('timeline-badge')).toHaveText('Live');
  // A few seconds of requests recorded (12 req/s).
  await expect.poll(async () => (await logRequests(page)).length, { timeout: 20_000 }).toBeGreaterThan(50);

  await pressOnPage(page, ' ');
  await expect(timeline).toHaveAttribute('data-live', 'false');
  await expect(timeline).toHaveAttribute('data-playing', 'false');
  await expect(page.getByTestId('timeline-note')).toContainText('Still live');
  const paused = await logRequests(page);
  // A request that ended a few seconds before the pause.
  const noted = paused[40];
  const engineBefore = (await engineMetrics(request)).edge.requests;

  await page.waitForTimeout(2500);
  // The engine went on; the view held still, and says how far behind live it is.
  expect((await engineMetrics(request)).edge.requests).toBeGreaterThan(engineBefore);
  expect(await logRequests(page)).toEqual(paused);
  await expect(page.getByTestId('timeline-badge')).toContainText(/Paused: \d+(\.\d)? s behind live/);
  const behindMs = Number(await timeline.getAttribute('data-behind-ms'));
  expect(behindMs).toBeGreaterThan(2000);

  // Back to a second before the pause.
  await page.getByTestId('timeline-scrub').evaluate(
    (input: HTMLInputElement, seconds) => {
      input.value = String(-seconds);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    behindMs / 1000 + 1,
  );
  await expect.poll(async () => (await logRequests(page))[0]).not.toBe(paused[0]);
  const scrubbed = await logRequests(page);
  expect(scrubbed).toContain(noted);
  expect(paused).toEqual(expect.arrayContaining(scrubbed.slice(0, 10)));

  // Replay at 4x: the view moves on from there.
  await page.getByTestId('timeline-speed').selectOption('4');
  await page.getByTestId('timeline-play').click();
  await expect(timeline).toHaveAttribute('data-speed', '4');
  await expect.poll(async () => scrubbed.includes((await logRequests(page))[0])).toBe(false);

  // Live: requests newer than the pause appear, and none of them was in the scrubbed view.
  await pressOnPage(page, 'l');
  await expect(timeline).toHaveAttribute('data-live', 'true');
  await expect(page.getByTestId('timeline-badge')).toHaveText('Live');
  await expect.poll(async () => (await logRequests(page)).filter((rid) => !paused.includes(rid)).length).toBeGreaterThan(5);
  const newer = (await logRequests(page)).filter((rid) => !paused.includes(rid));
  expect(scrubbed.filter((rid) => newer.includes(rid))).toEqual([]);
});
