import { describe, expect, it, onTestFinished } from 'vitest';
import { applyAction, ControlApiError, fetchMetrics, prepareSandbox } from './client.ts';
import { startSandbox } from './engine.fixture.ts';
import { withEphemeralPorts } from './ephemeral-ports.ts';
import { roundRobinBasics } from './round-robin-basics.ts';
import { theCostOfAHop } from './the-cost-of-a-hop.ts';

async function sandboxWith(traffic: boolean) {
  const sandbox = await startSandbox(roundRobinBasics.startConfig, { traffic });
  onTestFinished(() => sandbox.stop());
  return sandbox.baseUrl;
}

/** Polls `probe` until it is true (10 s at most). */
async function waitForValue(probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the sandbox');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function get(baseUrl: string, path: string): Promise<unknown> {
  return (await fetch(`${baseUrl}${path}`)).json();
}

describe('client against a real engine', () => {
  it('prepareSandbox leaves the lesson config running with no traffic and no faults', async () => {
    const baseUrl = await sandboxWith(true);
    await applyAction(baseUrl, { action: 'fault', body: { target: 'users-2', type: 'down' } });
    await applyAction(baseUrl, { action: 'fault', body: { target: 'users-3', type: 'down' } });
    const lesson = { ...roundRobinBasics, startConfig: { ...withEphemeralPorts(roundRobinBasics.startConfig), name: 'Lesson sandbox' } };

    await prepareSandbox(baseUrl, lesson);

    expect(await get(baseUrl, '/api/faults')).toEqual([]);
    expect(await get(baseUrl, '/api/traffic')).toMatchObject({ running: false });
    expect(await get(baseUrl, '/api/config')).toMatchObject({ name: 'Lesson sandbox' });
    expect(Object.keys((await fetchMetrics(baseUrl)).nodes).sort()).toEqual([
      'api',
      'edge',
      'orders-1',
      'users',
      'users-1',
      'users-2',
      'users-3',
    ]);
  });

  it('prepareSandbox keeps the faults the lesson config’s own scenario starts at once', async () => {
    const baseUrl = await sandboxWith(false);
    await applyAction(baseUrl, { action: 'fault', body: { target: 'users-2', type: 'down' } });

    await prepareSandbox(baseUrl, { ...theCostOfAHop, startConfig: withEphemeralPorts(theCostOfAHop.startConfig) });

    expect(await get(baseUrl, '/api/faults')).toEqual([expect.objectContaining({ target: 'legacy', type: 'latency', source: 'scenario' })]);
  });

  it('prepareSandbox starts the counts afresh, though the nodes keep their ids and kinds', async () => {
    const baseUrl = await sandboxWith(true);
    await waitForValue(async () => ((await fetchMetrics(baseUrl)).nodes.edge?.requests ?? 0) >= 10);
    // Stopped and settled first, so no request of the old traffic can complete after the reset.
    await applyAction(baseUrl, { action: 'traffic', body: { action: 'stop' } });
    await waitForValue(async () => ((await get(baseUrl, '/api/traffic')) as { outstanding: number }).outstanding === 0);

    await prepareSandbox(baseUrl, { ...roundRobinBasics, startConfig: withEphemeralPorts(roundRobinBasics.startConfig) });

    const { nodes } = await fetchMetrics(baseUrl);
    for (const [id, node] of Object.entries(nodes)) expect(node.requests, id).toBe(0);
  });

  it('wait lets the sandbox run, and stops early when aborted', async () => {
    const started = performance.now();
    await applyAction('http://127.0.0.1:1', { action: 'wait', ms: 50 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);

    const controller = new AbortController();
    const waiting = applyAction('http://127.0.0.1:1', { action: 'wait', ms: 60_000 }, { signal: controller.signal });
    controller.abort(new Error('left the step'));
    await expect(waiting).rejects.toThrow('left the step');
  });

  it('a refused call rejects with the status and the engine answer', async () => {
    const baseUrl = await sandboxWith(false);
    const refused = applyAction(baseUrl, { action: 'fault', body: { target: 'users-9', type: 'down' } });
    await expect(refused).rejects.toBeInstanceOf(ControlApiError);
    await expect(refused).rejects.toMatchObject({ method: 'POST', path: '/api/faults', status: 400 });

    const invalid = applyAction(baseUrl, { action: 'config', body: { version: 1, nodes: [], traffic: [{ to: 'edge', rate: 5 }] } });
    await expect(invalid).rejects.toMatchObject({
      status: 400,
      body: { errors: [{ path: 'traffic[0].to', message: 'unknown node "edge"' }] },
    });
  });
});
