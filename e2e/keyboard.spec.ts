/**
 * The lab by keyboard alone, on the sandbox's own traffic: the event log, up to two hundred request
 * lines, is one Tab stop, not two hundred; the arrow keys, Home and End move within it, and Enter opens
 * the focused request's trace.
 */
import { expect, test, type Page } from '@playwright/test';
import { tabTo } from './helpers.ts';

function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { testid: el?.dataset.testid ?? null, rid: el?.dataset.rid ?? null };
  });
}

test('the event log is one Tab stop; the arrow keys move within it and Enter opens a request', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect.poll(() => page.getByTestId('log-line').count()).toBeGreaterThan(10);

  await tabTo(page, 'timeline-speed');
  await page.keyboard.press('Tab');
  const first = await focused(page);
  expect(first.testid).toBe('log-line');
  // One more Tab leaves the log, for the side panels.
  await page.keyboard.press('Tab');
  expect((await focused(page)).testid).not.toBe('log-line');
  expect(await page.evaluate(() => document.activeElement?.closest('.side') !== null)).toBe(true);

  // Back in, at the same line (the log holds still while focus is in it).
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toEqual(first);
  await page.keyboard.press('ArrowDown');
  const second = await focused(page);
  expect(second.testid).toBe('log-line');
  expect(second.rid).not.toBe(first.rid);
  await page.keyboard.press('ArrowUp');
  expect(await focused(page)).toEqual(first);
  await page.keyboard.press('End');
  const last = await focused(page);
  expect(last.rid).toBe(await page.getByTestId('log-line').last().getAttribute('data-rid'));

  // Leaving and coming back returns to the line focused last; Enter opens its trace.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toEqual(last);
  await page.keyboard.press('Home');
  const top = await focused(page);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('dots')).toHaveAttribute('data-focus', top.rid!);
});
