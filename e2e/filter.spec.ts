/**
 * A deny rule at the proxy, in Chromium against the real engine: a second flow sends from its own
 * addresses (127.1.x.1, a flow's index picks its range) and the proxy's `filter` denies that range. Its
 * requests bounce at the proxy (their dots end there, drawn as refused), the log and the trace say why
 * in the filter's own words, and the engine counts every refusal at the proxy and none behind it.
 * The rule is applied as a config (the page has no filter editor yet). Ends by putting e2e/sandbox.yaml back.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { engineMetrics, resetLab } from './helpers.ts';

const sandboxConfig = parse(readFileSync(new URL('./sandbox.yaml', import.meta.url), 'utf8')) as {
  nodes: Array<Record<string, unknown>>;
  traffic: Array<Record<string, unknown>>;
};

/** The sandbox with a scanner flow and the proxy denying the scanner's range. */
const withDenyRule = {
  ...sandboxConfig,
  nodes: sandboxConfig.nodes.map((n) => (n.id === 'edge' ? { ...n, filter: { deny: ['127.1.0.0/16'] } } : n)),
  traffic: [...sandboxConfig.traffic, { name: 'scanner', to: 'edge', rate: 8, clients: 2, paths: ['/users/{1..50}'] }],
};

interface SeenDot {
  rid: string;
  outcome: string;
  nodes: string[];
}

function dotsNow(page: Page): Promise<SeenDot[]> {
  return page.evaluate(() => window.__edgelab?.dots().map((d) => ({ rid: d.rid, outcome: d.outcome, nodes: d.nodes })) ?? []);
}

test.afterEach(async ({ request }) => {
  const res = await request.put('/api/config', { data: sandboxConfig });
  expect(res.ok(), await res.text()).toBe(true);
  await resetLab(request);
});

test("a deny rule at the proxy: the range's requests bounce there, the trace says why, nothing behind it sees them", async ({ page, request }) => {
  // The engine's counts run since it started (earlier tests' requests too): this test judges what it adds.
  await request.post('/api/traffic', { data: { action: 'stop' } });
  const before = await settledCounts(request);
  const applied = await request.put('/api/config', { data: withDenyRule });
  expect(applied.ok(), await applied.text()).toBe(true);
  await resetLab(request);
  await page.goto('/');
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');

  // Refused dots end at the proxy (the page draws an edge error for them); the customers' dots still go through.
  const seen = new Map<string, SeenDot>();
  const refusedDots = () => [...seen.values()].filter((d) => d.outcome === 'edge-error');
  await expect
    .poll(
      async () => {
        for (const dot of await dotsNow(page)) if (dot.outcome !== 'pending' || !seen.has(dot.rid)) seen.set(dot.rid, dot);
        return refusedDots().length >= 3 && [...seen.values()].some((d) => d.outcome === 'ok' && d.nodes.includes('api'));
      },
      { timeout: 20_000, intervals: [100] },
    )
    .toBe(true);
  for (const dot of refusedDots()) expect(dot.nodes, `dot ${dot.rid}`).toEqual(['client', 'edge']);

  // The log line and the trace: 403 at edge, the filter's sentence naming the address and the rule.
  const line = page.getByTestId('log-line').filter({ hasText: '403' }).first();
  await expect(line).toBeVisible();
  await line.dispatchEvent('click');
  await expect(page.getByTestId('trace-hop')).toHaveCount(1);
  await expect(page.getByTestId('trace-answer')).toContainText(/filter: 127\.1\.\d+\.\d+ is in deny 127\.1\.0\.0\/16 -> 403/);
  await page.getByTestId('trace-close').click();

  // The engine's counts: every refusal is the proxy's own answer, with the filter's code, and every
  // request the proxy did not refuse reached the gateway.
  await request.post('/api/traffic', { data: { action: 'stop' } });
  const after = await settledCounts(request);
  const refused = after.refused - before.refused;
  expect(refused).toBeGreaterThan(0);
  expect(after.api - before.api).toBe(after.edge - before.edge - refused);
});

/** The proxy's and the gateway's request counts and the proxy's refusals, once nothing is in flight at either. */
async function settledCounts(request: APIRequestContext): Promise<{ edge: number; api: number; refused: number }> {
  let counts = { edge: 0, api: 0, refused: 0 };
  await expect
    .poll(async () => {
      const metrics = await engineMetrics(request);
      counts = { edge: metrics.edge.requests, api: metrics.api.requests, refused: metrics.edge.errorCodes.EDGE_FILTER_ADDRESS_DENIED ?? 0 };
      return metrics.edge.inFlight + metrics.api.inFlight;
    })
    .toBe(0);
  return counts;
}
