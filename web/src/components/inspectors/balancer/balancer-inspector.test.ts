import { flushSync, tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PICKER_IDS } from '../../../../../engine/src/balancer/pickers/index.ts';
import type { Topology, TopologyNode } from '../../../lib/api-types.ts';
import { LabState } from '../../../state/lab-state.svelte.ts';
import { runPicker } from '../../../test/picker-fixtures.ts';
import { renderWithLab } from '../../../test/render.ts';
import Inspector from '../../Inspector.svelte';

const config = {
  version: 1,
  name: 'Balancer',
  nodes: [
    { id: 'users', kind: 'balancer', algorithm: 'round-robin', targets: [{ to: 'users-1', weight: 5 }, 'users-2', 'users-3'] },
    { id: 'users-1', kind: 'service' },
    { id: 'users-2', kind: 'service' },
    { id: 'users-3', kind: 'service' },
  ],
  traffic: [{ to: 'users', rate: 1 }],
};

function topologyWith(node: TopologyNode): Topology {
  return {
    name: 'Balancer',
    nodes: [
      node,
      ...['users-1', 'users-2', 'users-3'].map((id, i) => ({
        id,
        kind: 'service' as const,
        port: 9001 + i,
        state: 'up' as const,
        upstreams: [],
      })),
    ],
    traffic: { running: true, sent: 0, flows: [{ name: 'flow-1', to: 'users', rate: 1, clients: 1 }] },
  };
}

interface Call {
  method: string;
  url: string;
  body?: unknown;
}

/** The engine's API as the page calls it: the topology of `node`, the config above, and `put` deciding a PUT's answer. */
function stubEngine(
  node: TopologyNode,
  put: (body: unknown) => Response = () => new Response(JSON.stringify({ applied: true, failures: [] })),
) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = init?.body === undefined ? undefined : JSON.parse(init.body as string);
      calls.push({ method, url, body });
      if (url === '/api/topology') return new Response(JSON.stringify(topologyWith(node)));
      if (url === '/api/config' && method === 'PUT') return put(body);
      if (url === '/api/config') return new Response(JSON.stringify(config));
      return new Response(JSON.stringify(url === '/api/faults' ? [] : {}));
    }),
  );
  return calls;
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  flushSync();
}

describe('the balancer inspector', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
    vi.unstubAllGlobals();
  });

  async function inspect(run: ReturnType<typeof runPicker>) {
    stubEngine(run.node);
    const lab = new LabState();
    lab.topology = topologyWith(run.node);
    lab.ingest(run.events, 1_700_000_001_000);
    lab.flush();
    const view = renderWithLab(Inspector, lab, { id: 'users' });
    cleanup.push(view.destroy, () => lab.stop());
    await settle();
    return { lab, view };
  }

  it.each(PICKER_IDS.map((id) => [id]))('shows how %s decides, from the engine’s own picker', async (algorithm) => {
    const { view } = await inspect(runPicker(algorithm));
    expect(view.byTestId('inspector-algorithm')?.textContent).toBe(algorithm);
    expect(view.byTestId('algorithm-view')?.dataset.algorithm).toBe(algorithm);
    const shown = view.byTestId(`view-${algorithm}`);
    expect(shown).not.toBeNull();
    expect(shown!.textContent).toMatch(/users-[123]/);
    expect(view.byTestId('latest-why')?.textContent).toContain(`${algorithm}:`);
  });

  it('draws each algorithm’s own numbers', async () => {
    const race = (await inspect(runPicker('weighted-round-robin', { picks: 7 }))).view;
    // nginx smooth WRR 5,1,1: a a b a c a a; the seventh pick compared users-1 at 7 (users-2, users-3 at 0) and won.
    expect([...race.target.querySelectorAll('[data-testid="pick-token"]')].map((t) => t.getAttribute('data-target'))).toEqual([
      'users-1',
      'users-1',
      'users-2',
      'users-1',
      'users-3',
      'users-1',
      'users-1',
    ]);
    expect(race.byTestId('weight-race-users-1')?.dataset.current).toBe('7');
    expect(race.byTestId('weight-race-users-2')?.dataset.current).toBe('0');

    const ring = (await inspect(runPicker('consistent-hash'))).view;
    expect(ring.target.querySelectorAll('[data-testid="ring-key"]')).toHaveLength(3);
    expect(ring.target.querySelectorAll('.ring-arc').length).toBeGreaterThan(3);

    const maglev = (await inspect(runPicker('maglev'))).view;
    expect(maglev.target.querySelectorAll('[data-testid="maglev-key"]')).toHaveLength(3);
    expect(maglev.byTestId('maglev-hosts')?.textContent).toContain('users-1');

    const ewma = (await inspect(runPicker('peak-ewma'))).view;
    expect(ewma.target.querySelectorAll('.spark[data-target]')).toHaveLength(3);

    const inflight = (await inspect(runPicker('least-connections'))).view;
    expect(inflight.byTestId('inflight-users-1')?.dataset.inflight).toBe('2');
  });

  it('says when every request carried the same key', async () => {
    const { view } = await inspect(runPicker('ip-hash', { keys: ['127.0.0.1'] }));
    expect(view.target.querySelectorAll('[data-testid="ring-key"]')).toHaveLength(1);
    expect(view.byTestId('same-key-note')?.textContent).toContain('same key');
  });

  it('shows the share of the recent picks per target', async () => {
    const { view } = await inspect(runPicker('weighted-round-robin', { picks: 7 }));
    expect(view.byTestId('distribution')?.dataset.total).toBe('7');
    expect(view.byTestId('distribution-users-1')?.dataset.share).toBe((5 / 7).toFixed(3));
    expect(view.byTestId('distribution-users-3')?.dataset.count).toBe('1');
  });

  it('shows a pick’s why when a token is hovered or focused', async () => {
    const { view } = await inspect(runPicker('round-robin', { weights: [1, 1, 1] }));
    const token = view.target.querySelector<HTMLElement>('[data-testid="pick-token"]')!;
    token.dispatchEvent(new FocusEvent('focus'));
    flushSync();
    expect(view.byTestId('why-text')?.textContent).toMatch(/^round-robin: users-1 is next in rotation/);
    token.dispatchEvent(new FocusEvent('blur'));
    flushSync();
    expect(view.byTestId('why-tip')).toBeNull();
  });

  it('switches the algorithm by editing the running config, keeping only what the new one takes', async () => {
    const run = runPicker('round-robin');
    const calls = stubEngine(run.node);
    const lab = new LabState();
    lab.topology = topologyWith(run.node);
    const view = renderWithLab(Inspector, lab, { id: 'users' });
    cleanup.push(view.destroy, () => lab.stop());
    await settle();
    const select = view.byTestId('algorithm-select') as HTMLSelectElement;
    expect(select.value).toBe('round-robin');
    select.value = 'consistent-hash';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.url).toBe('/api/config');
    expect((put?.body as typeof config).nodes[0]).toEqual({ ...config.nodes[0], algorithm: 'consistent-hash' });
    expect(view.byTestId('algorithm-status')?.textContent).toContain('Applied: users now runs consistent-hash');
    expect(view.byTestId('hash-key-select')).not.toBeNull();
    expect(view.byTestId('consistent-hash-mode')).not.toBeNull();
  });

  it('shows every error of the engine, each with its node, when it refuses a switch', async () => {
    const run = runPicker('round-robin');
    const errors = [
      { path: 'nodes[0].options', node: 'users', message: 'maglev: tableSize must be a prime' },
      { path: 'nodes[0].targets[1]', node: 'users', message: 'unknown node "users-9"; did you mean "users-1"?', suggestion: 'users-1' },
    ];
    stubEngine(run.node, () => new Response(JSON.stringify({ errors }), { status: 400 }));
    const lab = new LabState();
    lab.topology = topologyWith(run.node);
    const view = renderWithLab(Inspector, lab, { id: 'users' });
    cleanup.push(view.destroy, () => lab.stop());
    await settle();
    const select = view.byTestId('algorithm-select') as HTMLSelectElement;
    select.value = 'maglev';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect([...view.byTestId('algorithm-errors')!.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'nodes[0] (users).options: maglev: tableSize must be a prime',
      'nodes[0] (users).targets[1]: unknown node "users-9"; did you mean "users-1"?',
    ]);
    expect(view.byTestId('algorithm-errors')?.textContent).toContain('round-robin keeps running');
  });

  it('asks for the header name before hashing a header', async () => {
    const run = runPicker('maglev');
    const calls = stubEngine(run.node);
    const lab = new LabState();
    lab.topology = topologyWith(run.node);
    const view = renderWithLab(Inspector, lab, { id: 'users' });
    cleanup.push(view.destroy, () => lab.stop());
    await settle();
    const source = view.byTestId('hash-key-select') as HTMLSelectElement;
    source.value = 'header';
    source.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    expect(view.byTestId('algorithm-status')?.textContent).toContain('Type the name of the header');
    const name = view.byTestId('hash-key-name') as HTMLInputElement;
    name.value = 'x-user';
    name.dispatchEvent(new Event('input', { bubbles: true }));
    view.byTestId('hash-key-apply')!.click();
    await settle();
    const put = calls.find((c) => c.method === 'PUT');
    expect((put?.body as typeof config).nodes[0]).toMatchObject({ algorithm: 'maglev', hashKey: 'header:x-user' });
  });

  it('shows health and circuit states when the engine reports them', async () => {
    const run = runPicker('round-robin');
    run.node.targets = run.node.targets!.map((t, i) => ({
      ...t,
      eligible: i !== 1,
      circuit: { state: i === 1 ? 'open' : 'closed', failures: i === 1 ? 5 : 0, remainingMs: 4000, trialsInFlight: 0, trialSuccesses: 0 },
      health: { state: 'healthy', streak: 0, rise: 2, fall: 3 },
      ...(i === 1 ? { excluded: 'circuit open' } : {}),
    }));
    const { view } = await inspect(run);
    expect(view.byTestId('circuit-users-2')?.dataset.state).toBe('open');
    expect(view.byTestId('circuit-users-1')?.dataset.state).toBe('closed');
    expect(view.byTestId('health-users-2')?.textContent).toContain('circuit: open, half-opens in 4 s');
    expect(view.byTestId('health-users-2')?.textContent).toContain('left out: circuit open');
    expect(view.byTestId('health-users-1')?.textContent).toContain('health check: healthy');
    expect(view.byTestId('health-users-1')?.textContent).not.toContain('circuit:');
  });
});
