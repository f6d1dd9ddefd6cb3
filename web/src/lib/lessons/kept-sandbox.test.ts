// @vitest-environment node
/**
 * Keeping the learner's sandbox and putting it back, against a real engine: its config, the rate its
 * traffic ran at (changed from the config's), and a fault they injected come back after a lesson's
 * sandbox replaced them all; a flow they added from the traffic panel is named as not brought back.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EdgeConfigInput } from '../../../../engine/src/config/schema.ts';
import { prepareSandbox } from '../../../../lessons/client.ts';
import { startSandbox, type Sandbox } from '../../../../lessons/engine.fixture.ts';
import { withEphemeralPorts } from '../../../../lessons/ephemeral-ports.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { keepSandbox, restoreSandbox } from './kept-sandbox.ts';

const MINE: EdgeConfigInput = {
  version: 1,
  name: 'My sandbox',
  nodes: [
    { id: 'lb', kind: 'balancer', targets: ['web-1', 'web-2'] },
    { id: 'web-1', kind: 'service', latency: '5ms' },
    { id: 'web-2', kind: 'service', latency: '5ms' },
  ],
  traffic: [{ name: 'browse', to: 'lb', rate: 5, paths: ['/'] }],
};

describe('keepSandbox and restoreSandbox', () => {
  let sandbox: Sandbox;
  const realFetch = globalThis.fetch;

  beforeEach(async () => {
    sandbox = await startSandbox(MINE, { traffic: false });
    // The page calls the control API on its own origin: here, the engine's.
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) => realFetch(url.startsWith('/') ? `${sandbox.baseUrl}${url}` : url, init));
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await sandbox.stop();
  });

  const get = async (path: string) => (await realFetch(`${sandbox.baseUrl}${path}`)).json();
  const post = (path: string, body: unknown) =>
    realFetch(`${sandbox.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('puts back the config, the traffic at the rate it ran and the learner’s faults, after a lesson replaced them', async () => {
    const config = await get('/api/config');
    await post('/api/traffic', { action: 'start' });
    await post('/api/traffic', { action: 'set', flow: 'browse', rate: 7 });
    await post('/api/faults', { target: 'web-2', type: 'latency', ms: 300 });

    const kept = await keepSandbox();
    expect(kept).toMatchObject({ name: 'My sandbox', traffic: { running: true, flows: [{ name: 'browse', rate: 7 }] } });
    expect(kept.faults).toEqual([expect.objectContaining({ target: 'web-2', type: 'latency', ms: 300 })]);

    await prepareSandbox(sandbox.baseUrl, { ...roundRobinBasics, startConfig: withEphemeralPorts(roundRobinBasics.startConfig) });
    expect((await get('/api/topology')).name).toBe(roundRobinBasics.startConfig.name);

    expect(await restoreSandbox(kept)).toEqual([]);
    expect(await get('/api/config')).toEqual(config);
    const traffic = await get('/api/traffic');
    expect(traffic.running).toBe(true);
    expect(traffic.flows.map((f: { name: string; rate: number }) => [f.name, f.rate])).toEqual([['browse', 7]]);
    const faults = await get('/api/faults');
    expect(faults).toEqual([expect.objectContaining({ target: 'web-2', type: 'latency', ms: 300, source: 'api' })]);
  });

  it('keeps the faults its own scenario starts at once, and counts from zero, though its nodes ran in the lesson', async () => {
    const withScenario: EdgeConfigInput = { ...MINE, scenario: [{ at: '0s', target: 'web-1', type: 'latency', ms: 50 }] };
    await post('/api/traffic', { action: 'stop' });
    const applied = await realFetch(`${sandbox.baseUrl}/api/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(withEphemeralPorts(withScenario)),
    });
    expect(applied.status).toBe(200);
    const kept = await keepSandbox();

    // A lesson whose sandbox has a node of the same id and kind (lb), which counts requests.
    const lesson: EdgeConfigInput = { ...MINE, name: 'A lesson', scenario: undefined };
    await prepareSandbox(sandbox.baseUrl, { ...roundRobinBasics, startConfig: withEphemeralPorts(lesson) });
    await post('/api/traffic', { action: 'start' });
    await vi.waitFor(async () => expect((await get('/api/metrics')).nodes.lb.requests).toBeGreaterThan(3), { timeout: 10_000 });

    await restoreSandbox(kept);
    expect(await get('/api/faults')).toEqual([expect.objectContaining({ target: 'web-1', type: 'latency', source: 'scenario' })]);
    expect((await get('/api/metrics')).nodes.lb.requests).toBe(0);
  });

  it('names a flow added from the traffic panel, which its config cannot bring back', async () => {
    await post('/api/traffic', { action: 'start' });
    await post('/api/traffic', { action: 'add', like: 'browse', name: 'abuser', rate: 20 });
    const kept = await keepSandbox();
    expect(await restoreSandbox(kept)).toEqual(['abuser']);
  });

  it('keeps stopped traffic stopped', async () => {
    const kept = await keepSandbox();
    expect(kept.traffic).toEqual({ running: false, flows: [] });
    await post('/api/traffic', { action: 'start' });
    await restoreSandbox(kept);
    expect((await get('/api/traffic')).running).toBe(false);
  });
});
