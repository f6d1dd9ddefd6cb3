/**
 * Configs at the edges of the limits, as a learner pokes at them, at 1280x800: a chain eight proxies
 * deep (wider than the stage), and a balancer with twenty targets whose ids have the most characters an
 * id may have (63) under labels of the most a label may have (60), and twenty traffic flows (the most a
 * config may have). The diagram's boxes never overlap, the diagram starts above the fold, and no text
 * spills out of a side panel. Ends by putting
 * e2e/sandbox.yaml back.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { restoreSandbox } from './helpers.ts';

const id63 = (prefix: string) => `${prefix}-${'a'.repeat(63)}`.slice(0, 63);

const CHAIN = {
  version: 1,
  name: 'Chain 8 deep',
  nodes: [
    ...Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, kind: 'proxy', to: i < 7 ? `p${i + 1}` : 'svc', label: `Proxy number ${i}` })),
    { id: 'svc', kind: 'service' },
  ],
  traffic: [{ name: 't', to: 'p0', rate: 4, clients: 2, paths: ['/x'] }],
};

const TARGETS = Array.from({ length: 20 }, (_, i) => id63(`svc${i}`));
const LONG_IDS = {
  version: 1,
  name: 'Twenty long targets',
  nodes: [
    { id: 'edge', kind: 'proxy', to: id63('lb'), label: 'E'.repeat(60) },
    { id: id63('lb'), kind: 'balancer', algorithm: 'round-robin', targets: TARGETS, label: 'W'.repeat(60) },
    ...TARGETS.map((id) => ({ id, kind: 'service', label: 'M'.repeat(60) })),
  ],
  traffic: [{ name: 't', to: id63('lb'), rate: 4, clients: 2, paths: ['/x'] }],
};

/** The boxes of the diagram that overlap on screen, as "a overlaps b". */
function overlaps(page: Page) {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll('svg.topology .node')].map((g) => {
      const r = (g.querySelector('.frame') as SVGRectElement).getBoundingClientRect();
      return { id: (g as SVGGElement).dataset.nodeId ?? 'client', r };
    });
    const found: string[] = [];
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.r.right <= b.r.left || b.r.right <= a.r.left || a.r.bottom <= b.r.top || b.r.bottom <= a.r.top;
        if (!apart) found.push(`${a.id} overlaps ${b.id}`);
      }
    }
    return found;
  });
}

test.afterEach(({ request }) => restoreSandbox(request));

/** The engine runs `config`; the page, at 1280x800, draws its boxes (and the clients box), none over another. */
async function openDrawn(page: Page, request: APIRequestContext, config: { name: string; nodes: unknown[]; [field: string]: unknown }): Promise<void> {
  const res = await request.put('/api/config', { data: config });
  expect(res.ok(), await res.text()).toBe(true);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText(config.name);
  await expect(page.locator('svg.topology .node')).toHaveCount(config.nodes.length + 1);
  expect(await overlaps(page)).toEqual([]);
}

test('a chain eight proxies deep: no two boxes overlap; the stage scrolls sideways to the last one', async ({ page, request }) => {
  await openDrawn(page, request, CHAIN);
  const stage = page.getByTestId('stage');
  expect(await stage.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await page.getByTestId('node-svc').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('node-svc')).toBeInViewport();
});

test('twenty targets with 63-character ids and 60-character labels: the diagram starts above the fold, no text spills out of a panel', async ({ page, request }) => {
  await openDrawn(page, request, LONG_IDS);

  // Twenty stop buttons, each naming its whole service (to a screen reader and in its title) ...
  await expect(page.getByRole('button', { name: `Stop ${TARGETS[19]}` })).toHaveAttribute('title', new RegExp(TARGETS[19]));
  // ... and the diagram still begins in the top half of the window.
  const stage = (await page.getByTestId('stage').boundingBox())!;
  expect(stage.y).toBeLessThan(400);

  // The traffic panel names the 63-character entry, and every panel of the side column keeps it inside.
  await expect(page.getByTestId('flow-t-failover-state')).toContainText(id63('lb').slice(0, 20));
  const spilling = await page.evaluate(() =>
    [...document.querySelectorAll('.side .panel')].flatMap((panel) => {
      const edge = panel.getBoundingClientRect().right;
      return [...panel.querySelectorAll('*')]
        .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > edge + 0.5)
        .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').slice(0, 30)}" in ${panel.getAttribute('aria-label') ?? panel.className}`);
    }),
  );
  expect(spilling).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
});

for (const [width, height] of [
  [1280, 800],
  [1440, 900],
] as const) {
  test(`a balancer with twenty targets at ${width}x${height}: the diagram fits its stage, no scrollbar, every box in it`, async ({ page, request }) => {
    await openDrawn(page, request, LONG_IDS);
    await page.setViewportSize({ width, height });
    const stage = page.getByTestId('stage');
    await expect.poll(() => stage.evaluate((el) => [el.scrollHeight - el.clientHeight, el.scrollWidth - el.clientWidth])).toEqual([0, 0]);
    for (const id of [id63('lb'), ...TARGETS]) await expect(page.getByTestId(`node-${id}`), id).toBeInViewport({ ratio: 0.99 });
    expect(await overlaps(page)).toEqual([]);
  });
}

test('a balancer with twenty targets: its edges leave the port as one trunk, not a thick bar, and reach each box on a branch of its own', async ({ page, request }) => {
  await openDrawn(page, request, LONG_IDS);
  const lb = id63('lb');
  const paths = await page.evaluate((from) => {
    const edges = [...document.querySelectorAll<SVGPathElement>('svg.topology path.edge')].filter((p) => p.dataset.testid?.startsWith(`edge-${from}->`));
    return edges.map((path) => {
      const total = path.getTotalLength();
      const points: Array<{ x: number; y: number }> = [];
      for (let at = 0; at <= total; at += 1) {
        const p = path.getPointAtLength(at);
        points.push({ x: p.x, y: p.y });
      }
      return points;
    });
  }, lb);
  expect(paths).toHaveLength(20);
  const port = paths[0][0];
  // Six pixels past the port, where twenty S-curves ran side by side as one thick bar: one line.
  const crossing = paths.map((points) => points.find((p) => p.x >= port.x + 6)!.y);
  expect(Math.max(...crossing) - Math.min(...crossing)).toBeLessThan(0.5);
  // Each edge ends on a straight branch level with its box's pipe, at least 20 px from every other branch.
  const ends = paths.map((points) => points.at(-1)!);
  for (const points of paths) expect(Math.abs(points.at(-20)!.y - points.at(-1)!.y)).toBeLessThan(0.5);
  const ys = ends.map((p) => p.y).sort((a, b) => a - b);
  for (let i = 1; i < ys.length; i++) expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(20);

  // A click on a branch opens that edge's menu, whichever edge was drawn last over the shared trunk.
  const target = `edge-target-${lb}->${TARGETS[3]}`;
  // (A straight branch has no height, which Playwright takes for hidden: the click goes where a pointer would, at its middle.)
  await page.getByTestId(target).click({ force: true });
  await expect(page.getByTestId('fault-menu')).toHaveAttribute('data-target', `${lb}->${TARGETS[3]}`);
});

test('an inspector’s upstream chips of 63-character ids stay one line high, ending in an ellipsis, the whole id in their title and name', async ({ page, request }) => {
  await openDrawn(page, request, LONG_IDS);
  await page.getByTestId(`node-${id63('lb')}`).click();
  const chip = page.getByTestId(`upstream-chip-${TARGETS[7]}`);
  await expect(chip).toHaveAttribute('title', `${TARGETS[7]} ×1`);
  await expect(page.getByRole('listitem', { name: `${TARGETS[7]} ×1` })).toBeVisible();
  const chips = page.getByRole('list', { name: 'Upstreams' }).getByRole('listitem');
  await expect(chips).toHaveCount(20);
  const panel = (await page.getByTestId('inspector').boundingBox())!;
  for (const box of await chips.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))) {
    expect(box.height).toBeLessThan(26);
    expect(box.x + box.width).toBeLessThanOrEqual(panel.x + panel.width);
  }
  // The weight after the id keeps its room; the id gives way, with an ellipsis.
  await expect(chip.locator('.chip-more')).toHaveText('×1');
  expect(await chip.locator('.chip-id').evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis')).toBe(true);
});

test('an inspector’s title of a 60-character label and a 63-character id stays one line, ending in an ellipsis, the whole of it in its title and the panel’s name', async ({ page, request }) => {
  await openDrawn(page, request, LONG_IDS);
  for (const [id, label] of [
    [id63('lb'), 'W'.repeat(60)],
    [TARGETS[19], 'M'.repeat(60)],
  ]) {
    await page.getByTestId(`node-${id}`).click();
    const whole = `${label} (${id})`;
    const inspector = page.getByTestId('inspector');
    await expect(inspector).toHaveAccessibleName(whole);
    const title = inspector.getByRole('heading', { level: 2 });
    await expect(title).toHaveAttribute('title', whole);
    const { height, lineHeight, cut } = await title.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      lineHeight: parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.45,
      cut: el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis',
    }));
    expect(height).toBeLessThan(lineHeight * 1.5);
    expect(cut).toBe(true);
  }
});

test('a fault on each weighted branch of a balancer: no badge covers its edge’s weight, a box or another badge', async ({ page, request }) => {
  const targets = Array.from({ length: 6 }, (_, i) => `w${i}`);
  await openDrawn(page, request, {
    version: 1,
    name: 'Weighted six',
    nodes: [
      { id: 'edge', kind: 'proxy', to: 'lb' },
      { id: 'lb', kind: 'balancer', algorithm: 'weighted-round-robin', targets: targets.map((to, i) => ({ to, weight: 1 + (i % 3) })) },
      ...targets.map((id) => ({ id, kind: 'service' })),
    ],
    traffic: [{ name: 't', to: 'edge', rate: 4, clients: 2, paths: ['/x'] }],
  });
  const weighted = targets.filter((_, i) => i % 3 !== 0);
  for (const to of weighted) expect((await request.post('/api/faults', { data: { target: `lb->${to}`, type: 'latency', ms: 300 } })).ok()).toBe(true);
  for (const to of weighted) await expect(page.getByTestId(`edge-lb->${to}-fault`)).toHaveCount(1);
  const covered = await page.evaluate(() => {
    const rect = (el: Element) => el.getBoundingClientRect();
    const apart = (a: DOMRect, b: DOMRect) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
    const badges = [...document.querySelectorAll('[data-testid$="-fault"].edge-fault')].map((el) => ({ name: el.getAttribute('data-testid')!, r: rect(el.querySelector('rect')!) }));
    const others = [
      ...[...document.querySelectorAll('[data-testid^="edge-label-"]')].map((el) => ({ name: `${el.getAttribute('data-testid')} (${el.textContent})`, r: rect(el) })),
      ...[...document.querySelectorAll('svg.topology .node .frame')].map((el) => ({ name: (el.closest('.node') as SVGGElement).dataset.nodeId ?? 'clients', r: rect(el) })),
      ...badges,
    ];
    return badges.flatMap((b) => others.filter((o) => o !== b && !apart(b.r, o.r)).map((o) => `${b.name} covers ${o.name}`));
  });
  expect(covered).toEqual([]);
  // Each weight is still drawn, and each badge names its fault (in words, or its sign's title on a branch too short for them).
  for (const [i, to] of targets.entries()) if (i % 3 !== 0) await expect(page.getByTestId(`edge-label-lb->${to}`)).toHaveText(`×${1 + (i % 3)}`);
  for (const to of weighted) await expect(page.getByTestId(`edge-lb->${to}-fault`)).toContainText('+300 ms');
});

test('twenty traffic flows, one with an 80-character name: the header stays short, and the last flow’s rate is still set from it', async ({ page, request }) => {
  const flows = Array.from({ length: 20 }, (_, i) => ({ name: i === 0 ? `flow-0-${'n'.repeat(80)}` : `flow-${i}`, to: 'edge', rate: 1, clients: 1, paths: ['/x'] }));
  const config = { version: 1, name: 'Twenty flows', nodes: [{ id: 'edge', kind: 'proxy', to: 'svc' }, { id: 'svc', kind: 'service' }], traffic: flows };
  await openDrawn(page, request, config);
  await expect(page.getByTestId('traffic-rate-input')).toHaveCount(20);
  // The rows line up as a table, whatever their names' lengths: every slider and every number starts at one x.
  for (const control of ['traffic-rate', 'traffic-rate-input']) {
    const xs = await page.getByTestId(control).evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().x)));
    expect(new Set(xs), control).toEqual(new Set([xs[0]]));
  }
  const stage = (await page.getByTestId('stage').boundingBox())!;
  expect(stage.y).toBeLessThan(400);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  await expect(page.getByRole('spinbutton', { name: `${flows[0].name}'s requests per second` })).toBeVisible();

  const last = page.getByRole('spinbutton', { name: "flow-19's requests per second" });
  await last.fill('3');
  await last.press('Enter');
  await expect.poll(async () => ((await (await request.get('/api/traffic')).json()) as { flows: Array<{ name: string; rate: number }> }).flows.find((f) => f.name === 'flow-19')?.rate).toBe(3);
  await expect(last).toBeInViewport();
});
