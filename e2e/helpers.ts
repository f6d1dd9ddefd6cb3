/** Shared steps for the browser tests: the engine's own view, read over its API, to compare with the page. */
import { readFileSync } from 'node:fs';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { withEphemeralPorts } from '../lessons/ephemeral-ports.ts';
import type { Lesson } from '../lessons/format.ts';
import { SOLVED_WITHIN_MS } from '../lessons/solved-within.ts';

export interface NodeMetrics {
  requests: number;
  inFlight: number;
  errors: number;
  errorCodes: Record<string, number>;
}

export async function engineMetrics(request: APIRequestContext): Promise<Record<string, NodeMetrics>> {
  const res = await request.get('/api/metrics');
  expect(res.ok()).toBe(true);
  return (await res.json()).nodes;
}

/** Back to the sandbox as configured: no faults, traffic flowing at the config's rate. */
export async function resetLab(request: APIRequestContext): Promise<void> {
  const faults = (await (await request.get('/api/faults')).json()) as Array<{ id: string }>;
  for (const fault of faults) await request.delete(`/api/faults/${fault.id}`);
  const res = await request.post('/api/traffic', { data: { action: 'start' } });
  expect(res.ok()).toBe(true);
}

/** Build mode: drag with the mouse from the port of `from` onto the box of `to` (the dragged line shows on the way). */
export async function dragConnect(page: Page, from: string, to: string): Promise<void> {
  const port = (await page.getByTestId(`port-${from}`).boundingBox())!;
  const box = (await page.getByTestId(`node-${to}`).boundingBox())!;
  await page.mouse.move(port.x + port.width / 2, port.y + port.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
  await expect(page.locator('.drag-link')).toBeVisible();
  await page.mouse.up();
}

/** The config editor's whole text replaced by a paste of `text` through the real clipboard (the spec grants clipboard permissions). */
export async function pasteConfigText(page: Page, text: string): Promise<void> {
  await page.getByTestId('config-text').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('ControlOrMeta+v');
}

/** Presses Tab (or Shift+Tab, back) until the element with `testId` has the focus, as a keyboard user reaches it. */
export async function tabTo(page: Page, testId: string, { back = false, most = 80 } = {}): Promise<void> {
  const key = back ? 'Shift+Tab' : 'Tab';
  for (let i = 0; i < most; i++) {
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? null);
    if (focused === testId) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${testId} was not reached in ${most} presses of ${key}`);
}

/** The diagram is wholly in the window and the page is not scrolled: nothing had to move it out of sight. */
export async function expectDiagramInView(page: Page): Promise<void> {
  await expect(page.getByTestId('stage')).toBeInViewport({ ratio: 1 });
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
}

/** A badge's number as the page shows it ("1,234" -> 1234). */
export async function badge(page: Page, testId: string): Promise<number> {
  const cell = page.getByTestId(testId);
  // A box's count keeps its exact value beside the text, which may be rounded to fit (1.3k).
  const exact = await cell.getAttribute('data-value');
  if (exact) return Number(exact);
  const text = (await cell.textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}

/** The canvas pixels, to tell whether anything moved between two moments. */
export async function canvasPixels(page: Page): Promise<string> {
  return page.getByTestId('dots').evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
}

export interface EngineTraffic {
  running: boolean;
  flows: Array<{ name: string; rate: number; loop?: string; shape?: string; users?: number }>;
  live: Array<{ name: string; sent: number; ratePerSecond: number; achievedRate: number; targetRate: number | null }>;
}

/** The generator's report (`GET /api/traffic`): what each flow is set to do and what it achieved. */
export async function engineTraffic(request: APIRequestContext): Promise<EngineTraffic> {
  const res = await request.get('/api/traffic');
  expect(res.ok()).toBe(true);
  return res.json();
}

/** e2e/sandbox.yaml as the engine's config, as the lab started. */
export const SANDBOX_YAML = readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8');

/** The lab back as it started: the sandbox's config, no faults, its traffic flowing (each spec's afterEach). */
/**
 * A gateway `api` that knows two consumers by their API keys (`mobile`, `scraper`), with a token bucket
 * per consumer on its one route, /users/* to `to`.
 */
export function twoConsumersGateway(to: string, bucket: { rate: number; burst: number }) {
  return {
    id: 'api',
    kind: 'gateway',
    consumers: [
      { name: 'mobile', apiKeys: ['k-mobile'] },
      { name: 'scraper', apiKeys: ['k-scraper'] },
    ],
    credentials: { apiKey: { header: 'x-api-key' } },
    routes: [{ match: { path: '/users/*' }, to, rateLimit: { algorithm: 'token-bucket', ...bucket, key: 'consumer' } }],
  };
}

export async function restoreSandbox(request: APIRequestContext): Promise<void> {
  const res = await request.put('/api/config', { data: parse(SANDBOX_YAML) });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
}

/**
 * Every config the page applies goes to the engine on free ports: a lesson's config listens on the
 * sandbox's fixed ports (8080, 9001, ...), which a lab running beside the tests may hold. Nothing else
 * in the request changes (lessons/ephemeral-ports.ts, as the lesson proof test does).
 */
export async function configsOnFreePorts(page: Page): Promise<void> {
  await page.route('**/api/config', async (route) => {
    const req = route.request();
    if (req.method() !== 'PUT') return route.continue();
    await route.continue({ postData: JSON.stringify(withEphemeralPorts(req.postDataJSON())) });
  });
}

/** A lesson begun as a learner does: opened from the lesson index, started, then its first step begun. */
export async function beginLesson(page: Page, lesson: Lesson): Promise<void> {
  await page.goto('/');
  await page.getByTestId(`lesson-open-${lesson.id}`).click();
  await page.getByTestId('lesson-start').click();
  await expect(page.getByTestId('lesson-next')).toHaveText('Begin step 1');
  await expect(page.getByTestId('sandbox-name')).toHaveText(lesson.startConfig.name!);
  await page.getByTestId('lesson-next').click();
}

/** Opens node `id`'s inspector and its settings form (the diagram box, then "Settings"). */
export async function openSettings(page: Page, id: string): Promise<void> {
  await page.getByTestId(`node-${id}`).click();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await page.getByTestId('settings-toggle').locator('summary').first().click();
  await expect(page.getByTestId('node-settings')).toBeVisible();
}

/** A settings field set as a learner does: typed, then left (the change applies as the field is left). */
export async function setField(page: Page, id: string, value: string): Promise<void> {
  const field = page.locator(`#setting-${id}`);
  await field.fill(value);
  await field.press('Tab');
  await expect(page.getByTestId('settings-status')).toContainText(`Applied: ${id.replace(/-/g, '.')} changed.`);
}

/**
 * "Add to" a list (`list` is its field id, `traffic-0-paths`): the new, empty item waits in the form,
 * then typed in and Enter applies it as item `index`.
 */
export async function addToList(page: Page, list: string, index: number, value: string): Promise<void> {
  await page.getByRole('button', { name: `Add to ${list.split('-').at(-1)}` }).click();
  await expect(page.getByTestId('settings-status')).toContainText('fill in its empty fields');
  const item = page.locator(`#setting-${list}-${index}`);
  await item.fill(value);
  await item.press('Enter');
  await expect(page.getByTestId('settings-status')).toContainText(`Applied: ${list.replace(/-/g, '.')}.${index} changed.`);
}

/** The step's goal met, as the lesson panel and the goal strip say, within the lessons' own time (solved-within.ts). */
export async function expectGoalMet(page: Page, timeout = SOLVED_WITHIN_MS): Promise<void> {
  await expect(page.getByTestId('lesson-status')).toContainText('Goal met', { timeout });
  await expect(page.getByTestId('goal-strip')).toHaveAttribute('data-met', 'true');
}
