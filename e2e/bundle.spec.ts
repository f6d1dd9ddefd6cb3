/**
 * The page's weight as a learner's browser gets it (issue 13: "JS bundle under 150 KB gzip; the page
 * served compressed"), on the production build the engine serves. The first view is the lab with
 * nothing selected: every script the browser loaded until the diagram and the side panel (the lessons
 * list last, in a chunk of its own) are shown. Each script's gzip size is measured here, from its
 * decoded bytes (zlib at level 9, as the build's precompressed .gz files are), so the number does not
 * depend on which encoding the browser asked for. The inspectors, settings forms, the config's schema,
 * the lesson runner and the config editor load later, when first opened.
 */
import { gzipSync } from 'node:zlib';
import { expect, test, type Response } from '@playwright/test';

const INITIAL_JS_LIMIT = 150 * 1024;

test('the first view loads under 150 KB of JavaScript gzip, every script and the page served compressed', async ({ page }) => {
  const scripts: Response[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response);
  });
  const document = await page.goto('/');
  await expect(page.getByTestId('node-edge')).toBeVisible();
  await expect(page.getByTestId('lesson-panel')).toBeVisible();
  await expect(page.getByTestId('edge-chart')).toBeVisible();

  expect(scripts.length).toBeGreaterThan(0);
  let gzipBytes = 0;
  const sizes: string[] = [];
  for (const script of scripts) {
    const size = gzipSync(await script.body(), { level: 9 }).length;
    gzipBytes += size;
    sizes.push(`${new URL(script.url()).pathname} ${(size / 1024).toFixed(1)} KB`);
    // Chromium asks for br and gzip: the engine answers with the build's precompressed file.
    expect(['br', 'gzip'], `${script.url()} Content-Encoding`).toContain(await script.headerValue('content-encoding'));
  }
  expect(['br', 'gzip']).toContain(await document!.headerValue('content-encoding'));
  expect(gzipBytes, `initial JS, gzip:\n${sizes.join('\n')}`).toBeLessThan(INITIAL_JS_LIMIT);
  // The inspector is not part of it: it loads when a box is opened.
  expect(scripts.some((s) => /\/Inspector-[\w-]+\.js$/.test(new URL(s.url()).pathname))).toBe(false);
});
