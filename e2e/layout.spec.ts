/**
 * The topology stays readable as it grows (issue 12): examples/fifteen-nodes.yaml in Chromium at
 * 1280x800 and 1440x900, read from the DOM: every text of the diagram is at least 11 px on screen (its
 * computed font size times the scale the SVG is drawn at) and no two boxes overlap. Then, in build
 * mode, a box dragged by its body stays where it was left, through a reload, because the engine's
 * config holds its position (GET /api/config `layout.positions`); the arrow keys move a focused box a
 * grid step. Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { restoreSandbox } from './helpers.ts';

const FIFTEEN = parse(readFileSync(new URL('../examples/fifteen-nodes.yaml', import.meta.url), 'utf8'));

async function positions(request: APIRequestContext): Promise<Record<string, { x: number; y: number }>> {
  const config = (await (await request.get('/api/config')).json()) as { layout?: { positions: Record<string, { x: number; y: number }> } };
  return config.layout?.positions ?? {};
}

/** The diagram as drawn: the smallest text on screen, and the boxes' rectangles on screen. */
function readDiagram(page: Page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.topology') as SVGSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim() !== '');
    const sizes = texts.map((t) => ({ text: (t.textContent ?? '').trim(), px: parseFloat(getComputedStyle(t).fontSize) * scale }));
    const boxes = [...svg.querySelectorAll('.node')].map((g) => {
      const r = (g.querySelector('.frame') as SVGRectElement).getBoundingClientRect();
      return { id: (g as SVGGElement).dataset.nodeId ?? 'client', left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    });
    return { scale, smallest: sizes.reduce((a, b) => (b.px < a.px ? b : a)), boxes };
  });
}

/** A box's top-left corner in diagram units, from its transform. */
async function boxAt(page: Page, id: string): Promise<{ x: number; y: number }> {
  const transform = (await page.getByTestId(`node-${id}`).getAttribute('transform')) ?? '';
  const [, x, y] = /translate\(([-\d.]+),([-\d.]+)\)/.exec(transform) ?? [];
  return { x: Number(x), y: Number(y) };
}

test.beforeEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: FIFTEEN });
  expect(res.ok(), await res.text()).toBe(true);
});
test.afterEach(({ request }) => restoreSandbox(request));

for (const [width, height] of [
  [1280, 800],
  [1440, 900],
]) {
  test(`fifteen nodes at ${width}x${height}: no text under 11 px on screen, no two boxes overlapping`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto('/');
    await expect(page.getByTestId('sandbox-name')).toContainText('Fifteen nodes');
    await expect(page.locator('svg.topology .node')).toHaveCount(16);
    const { scale, smallest, boxes } = await readDiagram(page);
    expect(scale).toBeGreaterThanOrEqual(1);
    expect(smallest.px, `"${smallest.text}" is ${smallest.px.toFixed(2)} px`).toBeGreaterThanOrEqual(11);
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
  });
}

test('a box dragged by its body stays where it was left, through a reload; the arrow keys move it a grid step', async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(page.locator('svg.topology .node')).toHaveCount(16);
  await page.getByTestId('build-toggle').click();
  expect(await positions(request)).toEqual({});

  const before = await boxAt(page, 'api');
  const frame = (await page.getByTestId('node-api').locator('.frame').boundingBox())!;
  const { scale } = await readDiagram(page);
  // Grab the body (the title, left of the out port), move down and left: a move, not a connection.
  await page.mouse.move(frame.x + 40, frame.y + 20);
  await page.mouse.down();
  await page.mouse.move(frame.x + 20, frame.y + 60, { steps: 6 });
  await page.mouse.move(frame.x, frame.y + 100, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('build-status')).toContainText('Done: moved api');
  await expect(page.locator('.drag-link')).toHaveCount(0);

  const kept = (await positions(request)).api;
  expect(kept.x).toBeCloseTo(before.x - 40 / scale, 0);
  expect(kept.y).toBeCloseTo(before.y + 80 / scale, 0);
  await expect.poll(() => boxAt(page, 'api')).toEqual(kept);
  // Its edges follow it.
  const edgeIn = (await page.getByTestId('edge-edge->api').getAttribute('d')) ?? '';
  expect(edgeIn.endsWith(` ${kept.x},${kept.y + 48}`)).toBe(true);

  await page.reload();
  await expect(page.locator('svg.topology .node')).toHaveCount(16);
  expect(await boxAt(page, 'api')).toEqual(kept);

  // The keyboard: one press of an arrow key, one grid step, one config change when the key is released.
  await page.getByTestId('build-toggle').click();
  await page.getByTestId('node-api').focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await positions(request)).api).toEqual({ x: kept.x + 16, y: kept.y });
  await expect.poll(() => boxAt(page, 'api')).toEqual({ x: kept.x + 16, y: kept.y });

  // Undo puts the box back where the drag left it.
  await page.getByTestId('build-undo').click();
  await expect.poll(async () => (await positions(request)).api).toEqual(kept);
  await expect.poll(() => boxAt(page, 'api')).toEqual(kept);
});
