/**
 * The config editor in Chromium against the real engine: it shows the running config, completes from
 * the schema, applies a change (the engine runs it: GET /api/config says so), refuses a bad one with
 * its error underlined while the engine's config stays exactly as it was, and a shared link opened in
 * a fresh page gives the same sandbox. Ends by putting e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { parse } from 'yaml';
import { pasteConfigText, restoreSandbox, SANDBOX_YAML } from './helpers.ts';


async function runningConfig(request: APIRequestContext): Promise<{ name: string; nodes: Array<Record<string, unknown>> }> {
  return (await request.get('/api/config')).json();
}


test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test.afterEach(({ request }) => restoreSandbox(request));

test('the editor applies a change the engine then runs, and refuses a bad one leaving the engine as it was', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.keyboard.press('c');
  const content = page.getByTestId('config-text');
  await expect(content).toContainText('kind: balancer');

  // Completion from the schema: a new key in the balancer offers its own settings.
  await content.getByText('algorithm: round-robin').click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('health');
  await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('healthCheck');
  await page.keyboard.press('Escape');

  // A bad change: the service's latency "fast" is refused; the error names the place, underlined in the text.
  const before = await runningConfig(request);
  await pasteConfigText(page, SANDBOX_YAML.replace('latency: 40ms', 'latency: fast'));
  await page.getByTestId('config-apply').click();
  await expect(page.getByTestId('config-status')).toContainText('Refused');
  await expect(page.getByTestId('config-problems')).toContainText('nodes[3]');
  await expect(page.locator('.cm-lintRange-error').first()).toBeVisible();
  expect(await runningConfig(request)).toEqual(before);

  // A good change applies: the engine runs it and the page says so.
  await pasteConfigText(page, SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: Edited in the editor'));
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('config-status')).toContainText('Applied');
  expect((await runningConfig(request)).name).toBe('Edited in the editor');
  await expect(page.getByTestId('sandbox-name')).toContainText('Edited in the editor');
});

test('a config file imported from the editor is applied', async ({ page, request }) => {
  await page.goto('/');
  await page.getByTestId('open-config-editor').click();
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
  const imported = SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: Imported from a file');
  await page.getByTestId('config-import').locator('xpath=following-sibling::input[@type="file"]').setInputFiles({
    name: 'imported.yaml',
    mimeType: 'text/yaml',
    buffer: Buffer.from(imported),
  });
  await expect(page.getByTestId('config-status')).toContainText('Applied');
  expect((await runningConfig(request)).name).toBe('Imported from a file');
});

test('a shared link opened in a fresh page gives the same sandbox', async ({ page, request, browser }) => {
  await page.goto('/');
  await page.getByTestId('open-config-editor').click();
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
  const shared = SANDBOX_YAML
    .replace('name: Classic edge (e2e)', 'name: Shared sandbox')
    .replace('latency: 25ms', 'latency: 5ms');
  await pasteConfigText(page, shared);
  await page.getByTestId('config-share').click();
  const link = await page.getByTestId('config-share-link').inputValue();
  expect(link).toMatch(/#config=[A-Za-z0-9_-]+$/);
  // Nothing was applied by making the link: the engine still runs the sandbox.
  expect((await runningConfig(request)).name).toBe('Classic edge (e2e)');

  const fresh = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await other.goto(link);
    await expect(other.getByTestId('config-status')).toContainText('Applied');
    await expect(other.getByTestId('sandbox-name')).toContainText('Shared sandbox');
    const running = await runningConfig(request);
    expect(running).toEqual(parse(shared));
    // The link is used once: the address no longer holds it, so a reload keeps what runs.
    expect(new URL(other.url()).hash).toBe('');
  } finally {
    await fresh.close();
  }
});

test('the editor reads YAML anchors and merge keys as the engine does, and refuses an alias bomb saying why', async ({ page, request }) => {
  await page.goto('/');
  await page.getByTestId('open-config-editor').click();
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
  const merged = SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: Merged\nx-service: &service { kind: service, latency: 15ms }').replace(
    '  - { id: users-1, kind: service, latency: 40ms }',
    '  - { <<: *service, id: users-1 }',
  );
  expect(merged).toContain('<<: *service');
  await pasteConfigText(page, merged);
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('config-status')).toContainText('Applied');
  const running = await runningConfig(request);
  expect(running.name).toBe('Merged');
  expect(running.nodes.find((n) => n.id === 'users-1')).toEqual({ kind: 'service', latency: '15ms', id: 'users-1' });
  expect(Object.keys(running)).not.toContain('x-service');

  const bomb = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]']
    .concat(['b', 'c', 'd', 'e', 'f', 'g'].map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`))
    .concat(['nodes: []'])
    .join('\n');
  await pasteConfigText(page, bomb);
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('config-status')).toContainText('Not applied: aliases (*name) expand to more than a config may hold');
  expect((await runningConfig(request)).name).toBe('Merged');
});

test('a Save does not undo a config applied meanwhile from another tab: refused saying so, and a second Save replaces it', async ({ page, request }) => {
  await page.goto('/');
  await page.getByTestId('open-config-editor').click();
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
  // Another tab applies a config while this text is open.
  const theirs = parse(SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: From another tab')) as unknown;
  expect((await request.put('/api/config', { data: theirs })).ok()).toBe(true);

  await pasteConfigText(page, SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: Mine'));
  await page.getByTestId('config-apply').click();
  await expect(page.getByTestId('config-status')).toContainText('another config was applied since this text was loaded');
  expect((await runningConfig(request)).name).toBe('From another tab');

  // The learner means it: Apply again replaces it, and Saves after that apply over the config this one made.
  await page.getByTestId('config-apply').click();
  await expect(page.getByTestId('config-status')).toContainText('Applied');
  expect((await runningConfig(request)).name).toBe('Mine');
  await pasteConfigText(page, SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: Mine, again'));
  await page.getByTestId('config-apply').click();
  await expect(page.getByTestId('config-status')).toContainText('Applied');
  expect((await runningConfig(request)).name).toBe('Mine, again');
});
