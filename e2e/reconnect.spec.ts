/**
 * The page reconnects by itself when the engine restarts. The shared engine on the webServer's port
 * must keep running for the other specs, so this spec starts an engine of its own (a child process on
 * E2E_RECONNECT_PORT, 8796 by default; e2e/sandbox.yaml puts every node on a free port, so it does not
 * clash with the shared one), serving the same web/dist build, and stops and restarts that one, and
 * freezes and thaws it (SIGSTOP, SIGCONT).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { badge, type NodeMetrics } from './helpers.ts';

const PORT = Number(process.env.E2E_RECONNECT_PORT ?? 8796);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const NODES = ['edge', 'api', 'users', 'users-1', 'users-2', 'users-3', 'orders-1'];

interface OwnEngine {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

let engine: OwnEngine | undefined;

/** `edgelab serve e2e/sandbox.yaml --port PORT [...extra]`, resolved once /api/health answers. */
async function startEngine(extra: string[] = []): Promise<OwnEngine> {
  const child = spawn(process.execPath, ['engine/bin/edgelab.mjs', 'serve', 'e2e/sandbox.yaml', '--port', String(PORT), ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const own = { child, exited, stderr: () => err };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the engine on ${PORT} exited with ${child.exitCode ?? child.signalCode}: ${err}`);
    try {
      if ((await fetch(`${ORIGIN}/api/health`)).ok) return own;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopEngine(own);
      throw new Error(`the engine on ${PORT} did not answer /api/health within 30 s: ${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves to the exit code once the process is gone. */
async function stopEngine(own: OwnEngine): Promise<number | null> {
  const { child } = own;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  const code = await own.exited;
  clearTimeout(killer);
  return code;
}

async function engineMetrics(request: APIRequestContext): Promise<Record<string, NodeMetrics>> {
  const res = await request.get(`${ORIGIN}/api/metrics`);
  expect(res.ok()).toBe(true);
  return (await res.json()).nodes;
}

function edgelabHook(page: Page) {
  return page.evaluate(() => (window as unknown as { __edgelab?: { dotsInFlight(): number } }).__edgelab?.dotsInFlight() ?? -1);
}

test.beforeAll(async () => {
  // Someone else's engine on this port would be killed by nobody and confuse every assertion.
  const busy = await fetch(`${ORIGIN}/api/health`).then(
    () => true,
    () => false,
  );
  if (busy) throw new Error(`port ${PORT} is already in use; set E2E_RECONNECT_PORT to a free port`);
  engine = await startEngine();
});

test.afterAll(async () => {
  if (engine) await stopEngine(engine);
  engine = undefined;
});

test("the page reconnects by itself when the engine restarts, and shows the new engine's numbers", async ({ page, request }) => {
  test.setTimeout(120_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('crash', () => pageErrors.push('the page crashed'));

  // The lab is live: the sandbox's own traffic (12 req/s) moves the counters.
  await page.goto(`${ORIGIN}/`);
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await expect(page.getByTestId('connection-banner')).toBeHidden();
  // Enough requests that the fresh engine's zeros below cannot be a page that has not loaded yet.
  await expect.poll(() => badge(page, 'node-edge-requests'), { timeout: 20_000 }).toBeGreaterThanOrEqual(24);

  // The engine goes away.
  expect(await stopEngine(engine!), engine!.stderr()).toBe(0);
  await expect(page.getByTestId('connection-banner')).toBeVisible();
  await expect(page.getByTestId('connection-banner')).toContainText(/reconnecting/i);
  // It stays usable while the engine is gone: still drawn, still telling the truth, no exception,
  // through several of the browser's and the page's reconnection attempts.
  await page.waitForTimeout(3_000);
  await expect(page.getByTestId('connection-banner')).toContainText(/reconnecting/i);
  for (const id of NODES) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  expect(await edgelabHook(page)).toBeGreaterThanOrEqual(0);
  expect(pageErrors).toEqual([]);

  // The same engine comes back on the same port, fresh: no traffic yet, every count at zero.
  engine = await startEngine(['--no-traffic']);
  await expect(page.getByTestId('connection-banner')).toBeHidden({ timeout: 20_000 });
  // The page shows the new engine's numbers, not the ones from before the drop.
  await expect.poll(() => badge(page, 'node-edge-requests'), { timeout: 10_000 }).toBe(0);
  expect((await engineMetrics(request)).edge.requests).toBe(0);

  // Counters move again once traffic flows through the new engine.
  const started = await request.post(`${ORIGIN}/api/traffic`, { data: { action: 'start', rate: 20 } });
  expect(started.ok(), await started.text()).toBe(true);
  await expect.poll(() => badge(page, 'node-edge-requests'), { timeout: 10_000 }).toBeGreaterThan(0);
  const first = await badge(page, 'node-edge-requests');
  await expect.poll(() => badge(page, 'node-edge-requests'), { timeout: 10_000 }).toBeGreaterThan(first);
  await expect.poll(() => edgelabHook(page)).toBeGreaterThan(0);

  // Once traffic stops and the last requests finish, every badge is the new engine's count.
  expect((await request.post(`${ORIGIN}/api/traffic`, { data: { action: 'stop' } })).ok()).toBe(true);
  await expect.poll(async () => (await engineMetrics(request)).edge.inFlight).toBe(0);
  const metrics = await engineMetrics(request);
  for (const id of NODES) {
    await expect.poll(() => badge(page, `node-${id}-requests`), { message: `${id} requests` }).toBe(metrics[id].requests);
    expect(await badge(page, `node-${id}-errors`)).toBe(metrics[id].errors);
    expect(await badge(page, `node-${id}-inflight`)).toBe(0);
  }
  expect(pageErrors).toEqual([]);
});

test('an engine that stops answering without closing its sockets (SIGSTOP) is said to be gone, and followed again when it answers', async ({ page, request }) => {
  test.setTimeout(90_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const started = await request.post(`${ORIGIN}/api/traffic`, { data: { action: 'start', rate: 20 } });
  expect(started.ok(), await started.text()).toBe(true);
  await page.goto(`${ORIGIN}/`);
  await expect(page.getByTestId('sandbox-name')).toContainText('Classic edge (e2e)');
  await expect(page.getByTestId('connection-banner')).toBeHidden();
  await expect.poll(() => badge(page, 'node-edge-requests'), { timeout: 20_000 }).toBeGreaterThan(0);
  const before = await badge(page, 'node-edge-requests');

  // Frozen: its sockets stay open and silent, so nothing closes the event stream.
  engine!.child.kill('SIGSTOP');
  try {
    await expect(page.getByTestId('connection-banner')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('connection-banner')).toContainText(/reconnecting/i);
  } finally {
    engine!.child.kill('SIGCONT');
  }

  // Thawed: the page reconnects by itself and its counts follow the engine's again.
  await expect(page.getByTestId('connection-banner')).toBeHidden({ timeout: 20_000 });
  const after = (await engineMetrics(request)).edge.requests;
  expect(after).toBeGreaterThan(before);
  await expect.poll(() => badge(page, 'node-edge-requests'), { timeout: 10_000 }).toBeGreaterThanOrEqual(after);
  expect(pageErrors).toEqual([]);
});
