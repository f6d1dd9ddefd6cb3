/**
 * Issue 12's bad input, in Chromium against the real engine, each case ending with the engine's config
 * exactly as before (GET /api/config) and the learner's work still there: a paste that is not YAML, and
 * prose that parses as YAML but is no config; YAML whose aliases expand without bound; a 10 MB paste and
 * a 10 MB file, and a paste and a file nested 100,000 brackets deep (refused before parsing); shared
 * links tampered with (damaged, cut short, holding no config); a node id that collides on rename (and a
 * palette add next to it); a cycle made by dragging. Ends by putting e2e/sandbox.yaml back.
 */
import { deflateRawSync } from 'node:zlib';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { dragConnect, pasteConfigText, restoreSandbox, SANDBOX_YAML } from './helpers.ts';

const TEN_MB = 10 * 1024 * 1024;

async function runningConfig(request: APIRequestContext): Promise<unknown> {
  return (await request.get('/api/config')).json();
}

async function openEditor(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.getByTestId('open-config-editor').click();
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
}

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });
test.afterEach(({ request }) => restoreSandbox(request));

test('a paste that is not YAML, or is YAML but no config, is refused with its reason; the text stays for fixing', async ({ page, request }) => {
  await openEditor(page);
  const before = await runningConfig(request);
  const status = page.getByTestId('config-status');

  await pasteConfigText(page, 'version: 1\nnodes: [ { id: edge, kind: proxy\n  to: : api\n');
  await page.getByTestId('config-apply').click();
  await expect(status).toContainText('Not applied: the YAML does not parse');
  await expect(page.getByTestId('config-problems')).toContainText('line');
  await expect(page.getByTestId('config-text')).toContainText('to: : api');

  await pasteConfigText(page, 'Please make me a load balancer with three servers.');
  await page.getByTestId('config-apply').click();
  await expect(status).toContainText('Refused');
  await expect(page.getByTestId('config-problems')).toContainText('expected a mapping with version, nodes and traffic');
  await expect(page.getByTestId('config-text')).toContainText('Please make me a load balancer');
  expect(await runningConfig(request)).toEqual(before);
});

test('YAML whose aliases would expand past any config (a billion laughs) is refused with its reason, and the editor is not left applying', async ({ page, request }) => {
  await openEditor(page);
  const before = await runningConfig(request);
  const status = page.getByTestId('config-status');
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)].join('\n');

  await pasteConfigText(page, laughs);
  await page.getByTestId('config-apply').click();
  await expect(status).toContainText('Not applied');
  await expect(page.getByTestId('config-problems')).toContainText(/alias/i);
  expect(await runningConfig(request)).toEqual(before);

  // Not stuck: the next text applies.
  await pasteConfigText(page, SANDBOX_YAML.replace('Classic edge (e2e)', 'Classic edge (e2e, again)'));
  await page.getByTestId('config-apply').click();
  await expect(status).toContainText('Applied');
  await expect(page.getByTestId('sandbox-name')).toContainText('again');
});

test('a 10 MB paste and a 10 MB file are refused before parsing; the editor keeps its text', async ({ page, request }) => {
  await openEditor(page);
  const before = await runningConfig(request);
  const status = page.getByTestId('config-status');

  await page.evaluate((n) => navigator.clipboard.writeText(`# ${'x'.repeat(n)}\n`), TEN_MB);
  await page.getByTestId('config-text').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('ControlOrMeta+v');
  await expect(status).toContainText('The text is 10.0 MiB, over the 512 KiB a config may be: refused before reading it, nothing changed');
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');

  await page.getByTestId('config-import').locator('xpath=following-sibling::input[@type="file"]').setInputFiles({
    name: 'huge.yaml',
    mimeType: 'text/yaml',
    buffer: Buffer.from(`${SANDBOX_YAML}\n# ${'x'.repeat(TEN_MB)}\n`),
  });
  await expect(status).toContainText('huge.yaml is 10.0 MiB, over the 512 KiB a config may be');
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
  expect(await runningConfig(request)).toEqual(before);
});

test('a paste and a file nested 100,000 brackets deep are refused before parsing; the editor keeps its text', async ({ page, request }) => {
  await openEditor(page);
  const before = await runningConfig(request);
  const status = page.getByTestId('config-status');
  const deep = `nodes: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;

  await page.evaluate((text) => navigator.clipboard.writeText(text), deep);
  await page.getByTestId('config-text').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('ControlOrMeta+v');
  await expect(status).toContainText('The text nests [ ] or { } more than 64 deep (a config nests at most 16 levels): refused before reading it, nothing changed');
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');

  await page.getByTestId('config-import').locator('xpath=following-sibling::input[@type="file"]').setInputFiles({ name: 'deep.yaml', mimeType: 'text/yaml', buffer: Buffer.from(deep) });
  await expect(status).toContainText('nests [ ] or { } more than 64 deep');
  await expect(page.getByTestId('config-text')).toContainText('kind: gateway');
  expect(await runningConfig(request)).toEqual(before);
});

test('a shared link that was tampered with applies nothing and says why', async ({ page, request }) => {
  const before = await runningConfig(request);
  const link = (yaml: string) => `/#config=${deflateRawSync(Buffer.from(yaml)).toString('base64url')}`;
  const good = link(SANDBOX_YAML.replace('name: Classic edge (e2e)', 'name: Tampered'));

  for (const [tampered, reason] of [
    [good.replace(/.{6}$/, '**!!**'), 'not base64url'],
    [good.slice(0, 60), 'damaged'],
  ]) {
    await page.goto('about:blank'); // a new page load each time, not a fragment change
    await page.goto(tampered);
    await expect(page.getByTestId('notice')).toContainText(`This link's sandbox cannot be opened: `);
    await expect(page.getByTestId('notice')).toContainText(reason);
    await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
    expect(await runningConfig(request)).toEqual(before);
  }

  // Intact, but what it holds is no valid config (a field changed by hand): the engine refuses it.
  await page.goto('about:blank');
  await page.goto(link(SANDBOX_YAML.replace('kind: balancer', 'kind: teleporter')));
  await expect(page.getByTestId('config-status')).toContainText('Refused');
  await expect(page.getByTestId('config-problems')).toContainText('nodes[2] (users).kind expected one of');
  expect(await runningConfig(request)).toEqual(before);
});

test('a node id that collides is refused on rename and avoided by the palette; a cycle made by dragging is refused', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await page.getByTestId('build-toggle').click();
  const status = page.getByTestId('build-status');
  const before = await runningConfig(request);

  // F2 on a box: its new id; one another node has is refused, and the field stays open to try another.
  await page.getByTestId('node-users-1').focus();
  await page.keyboard.press('F2');
  await page.getByTestId('rename-id').fill('users-2');
  await page.keyboard.press('Enter');
  await expect(status).toContainText('Not done: another node is called users-2 already');
  await expect(page.getByTestId('rename-id')).toBeVisible();
  expect(await runningConfig(request)).toEqual(before);

  // A cycle by dragging: the balancer onto the proxy in front of it. The engine's message, nothing applied.
  await page.keyboard.press('Escape');
  await dragConnect(page, 'users', 'edge');
  await expect(status).toContainText('The engine refused it, nothing changed');
  await expect(status).toContainText('cycle: edge -> api -> users -> edge');
  expect(await runningConfig(request)).toEqual(before);
  await expect(page.getByTestId('build-undo')).toBeDisabled();

  // A free id renames the node and every reference to it; the palette then takes the next free id.
  await page.getByTestId('node-users-1').focus();
  await page.keyboard.press('F2');
  await page.getByTestId('rename-id').fill('service-1');
  await page.getByTestId('rename-ok').click();
  await expect(status).toContainText('Done: renamed users-1 to service-1');
  const renamed = (await runningConfig(request)) as { nodes: Array<{ id: string; targets?: unknown[] }> };
  expect(renamed.nodes.find((n) => n.id === 'users')?.targets).toEqual(['service-1', 'users-2', 'users-3']);
  await page.getByTestId('add-service').click();
  await expect(status).toContainText('Done: added service service-2');
});
