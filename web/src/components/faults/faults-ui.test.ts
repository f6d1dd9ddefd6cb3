import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CapacityState, Fault, TopologyNode } from '../../lib/api-types.ts';
import { LabState } from '../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../test/render.ts';
import ServiceInspector from '../inspectors/ServiceInspector.svelte';
import EdgeFaultLabels from '../topology/EdgeFaultLabels.svelte';
import Topology from '../topology/Topology.svelte';
import TrafficPanel from '../TrafficPanel.svelte';
import FaultMenu from './FaultMenu.svelte';
import FaultsPanel from './FaultsPanel.svelte';

const latency: Fault = { id: 'f1', target: 'users-1', type: 'latency', ms: 300, jitter: 50, source: 'api', startedAt: 1_000 };
const partition: Fault = {
  id: 'f2',
  target: 'api->users',
  type: 'partition',
  mode: 'drop',
  source: 'scenario',
  scenario: 0,
  startedAt: 2_000,
};

/** The fault menu opened on the service `users-1`, focus going back to `returnFocus` when it closes. */
function serviceMenu(returnFocus: HTMLElement | null): NonNullable<LabState['selection']['faultMenu']> {
  return { target: 'users-1', place: { kind: 'node', nodeKind: 'service' }, around: { left: 0, top: 0, right: 10, bottom: 10 }, returnFocus };
}

function newLab(): LabState {
  const lab = new LabState();
  lab.topology = {
    name: 'Classic edge',
    nodes: [
      { id: 'edge', kind: 'proxy', port: 8080, state: 'up', upstreams: [{ to: 'api' }] },
      { id: 'api', kind: 'gateway', port: 8081, state: 'up', upstreams: [{ to: 'users', route: '/users/*' }] },
      { id: 'users', kind: 'balancer', port: 8082, state: 'up', algorithm: 'round-robin', upstreams: [{ to: 'users-1', weight: 1 }] },
      { id: 'users-1', kind: 'service', port: 9001, state: 'up', upstreams: [] },
    ],
    traffic: { running: true, sent: 40, flows: [{ name: 'browse', to: 'edge', rate: 12, clients: 6, loop: 'open', shape: 'constant' }] },
  };
  lab.traffic = lab.topology.traffic;
  return lab;
}

describe('fault and traffic components', () => {
  const requests: Array<{ method: string; url: string; body?: string }> = [];
  let answer: (method: string, url: string) => Response;

  beforeEach(() => {
    requests.length = 0;
    answer = (method, url) =>
      method === 'POST' && url === '/api/faults'
        ? new Response(JSON.stringify({ ...latency, id: 'f9' }), { status: 201 })
        : new Response(JSON.stringify(url === '/api/faults' ? [] : {}));
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        const method = init?.method ?? 'GET';
        requests.push({ method, url, body: init?.body as string | undefined });
        return answer(method, url);
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('marks a faulted node with an icon and words, and a faulted edge dashed with a label', () => {
    const lab = newLab();
    lab.faults = [latency, partition];
    const view = renderWithLab(Topology, lab, { layout: lab.layout });
    const labels = renderWithLab(EdgeFaultLabels, lab, { layout: lab.layout });
    const marker = view.byTestId('node-users-1-fault')!;
    expect(marker.querySelector('text')?.textContent).toBe('latency +300 ms');
    expect(marker.querySelector('path.fault-glyph')).not.toBeNull();
    expect(view.byTestId('node-users-1')?.getAttribute('aria-label')).toContain('Faults: latency: 300 ms ± 50 ms added to each request');
    expect(view.byTestId('edge-api->users')?.getAttribute('class')).toContain('faulted');
    expect(labels.byTestId('edge-api->users-fault')?.textContent).toBe('partition');
    expect(labels.byTestId('edge-edge->api-fault')).toBeNull();
    expect(view.byTestId('edge-edge->api')?.getAttribute('class')).not.toContain('faulted');
    // The clients' entry is not an edge between nodes: nothing to put a fault on.
    expect(view.byTestId('edge-target-client->edge')).toBeNull();
  });

  it('opens the fault menu of a node on right click and with Shift+F10, and of an edge with Enter', () => {
    const lab = newLab();
    const view = renderWithLab(Topology, lab, { layout: lab.layout });
    view
      .byTestId('node-users-1')!
      .dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 40, clientY: 50 }));
    expect(lab.selection.faultMenu).toMatchObject({ target: 'users-1', place: { kind: 'node', nodeKind: 'service' } });
    lab.selection.faultMenu = null;
    const box = view.byTestId('node-users')!;
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'F10', shiftKey: true, bubbles: true }));
    expect(lab.selection.faultMenu).toMatchObject({ target: 'users', place: { kind: 'node', nodeKind: 'balancer' }, returnFocus: box });
    const edge = view.byTestId('edge-target-api->users')!;
    expect(edge.getAttribute('tabindex')).toBe('0');
    edge.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(lab.selection.faultMenu).toMatchObject({ target: 'api->users', place: { kind: 'edge' } });
  });

  it('offers the types allowed at the place, prefilled, and injects the filled form', async () => {
    const lab = newLab();
    const view = renderWithLab(FaultMenu, lab, { request: serviceMenu(null) });
    const types = [...view.target.querySelectorAll<HTMLInputElement>('input[type=radio]')].map((r) => r.value);
    expect(types).toEqual(['down', 'hang', 'latency', 'errors', 'reset', 'bandwidth', 'slow-close', 'flap', 'overload']);
    view.byTestId('menu-type-latency')!.click();
    flushSync();
    expect((view.byTestId('menu-param-ms') as HTMLInputElement).value).toBe('300');
    (view.byTestId('menu-inject') as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toBe(
        JSON.stringify({ target: 'users-1', type: 'latency', ms: 300, jitter: 50 }),
      ),
    );
    await vi.waitFor(() => expect(lab.faults.map((f) => f.id)).toEqual(['f9']));
    flushSync();
    expect(view.byTestId('fault-menu-active')?.textContent).toContain('300 ms ± 50 ms added to each request');
  });

  it('shows the engine’s refusal in the menu, in words', async () => {
    answer = () =>
      new Response(JSON.stringify({ errors: [{ path: 'ms', message: 'Too small: expected number to be >=0' }] }), { status: 400 });
    const lab = newLab();
    const view = renderWithLab(FaultMenu, lab, { request: serviceMenu(null) });
    view.byTestId('menu-type-latency')!.click();
    flushSync();
    (view.byTestId('menu-inject') as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(view.byTestId('menu-fault-errors')?.textContent).toBe('Added delay (ms): Too small: expected number to be >=0'),
    );
  });

  it('closes the menu on Escape and gives focus back to the box', () => {
    const lab = newLab();
    const box = document.createElement('button');
    document.body.append(box);
    lab.selection.faultMenu = serviceMenu(box);
    const view = renderWithLab(FaultMenu, lab, { request: lab.selection.faultMenu });
    view.byTestId('fault-menu')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    expect(lab.selection.faultMenu).toBeNull();
    expect(document.activeElement).toBe(box);
    box.remove();
  });

  it('lists every active fault with a badge naming it, its words and scenario step, clears one, and clears all', async () => {
    const lab = newLab();
    lab.faults = [partition, latency];
    const view = renderWithLab(FaultsPanel, lab);
    const rows = [...view.target.querySelectorAll<HTMLElement>('[data-testid="fault-row"]')];
    expect(rows.map((r) => r.dataset.faultId)).toEqual(['f1', 'f2']);
    expect(rows[0].textContent).toContain('300 ms ± 50 ms added to each request');
    expect(rows[1].textContent).toContain('scenario step 1');
    // The badge names the fault, never where it came from.
    expect(view.byTestId('fault-badge-f1')?.textContent).toBe('latency +300 ms');
    expect(view.byTestId('fault-badge-f2')?.textContent).toBe('partition');
    expect(rows[0].textContent).not.toMatch(/\bapi\b/);
    expect(rows[1].textContent).toContain('drop: connects hang until the connect timeout');
    view.byTestId('fault-clear-f1')!.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'DELETE' && r.url === '/api/faults/f1')).toBe(true));
    view.byTestId('faults-clear-all')!.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'DELETE' && r.url === '/api/faults')).toBe(true));
    lab.ingest([{ type: 'fault.ended', seq: 1, ts: 3, fault: latency, reason: 'cleared' }], 3);
    lab.ingest([{ type: 'fault.ended', seq: 2, ts: 3, fault: partition, reason: 'cleared' }], 3);
    flushSync();
    expect(view.byTestId('faults-none')).not.toBeNull();
  });

  it('adds a fault on an edge from the panel, for learners who do not right-click', async () => {
    const lab = newLab();
    const view = renderWithLab(FaultsPanel, lab);
    view.byTestId('faults-add')!.click();
    flushSync();
    const select = view.byTestId('fault-add-target') as HTMLSelectElement;
    expect(select.value).toBe('users-1');
    select.value = 'api->users';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    view.byTestId('add-type-partition')!.click();
    flushSync();
    (view.byTestId('add-inject') as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toBe(
        JSON.stringify({ target: 'api->users', type: 'partition', mode: 'drop' }),
      ),
    );
  });

  it('shows the engine’s traffic numbers and sends new shapes', async () => {
    const lab = newLab();
    const latencySummary = { p50: 1, p95: 2, p99: 3, max: 4, mean: 1.5 };
    lab.traffic = {
      ...lab.traffic!,
      live: [
        {
          name: 'browse',
          sent: 431,
          completed: 430,
          skipped: 0,
          outstanding: 1,
          targetRate: 12,
          achievedRate: 11.9,
          ratePerSecond: 12,
          latency: latencySummary,
          running: true,
          finished: false,
        },
      ],
    };
    const view = renderWithLab(TrafficPanel, lab);
    expect(view.byTestId('flow-browse-target')?.textContent).toBe('12');
    expect(view.byTestId('flow-browse-achieved')?.textContent).toBe('12');
    expect(view.byTestId('flow-browse-sent')?.textContent).toBe('431');
    expect((view.byTestId('traffic-shape') as HTMLSelectElement).value).toBe('constant');

    // The rate is set in one place, the header's control: the panel says where, and has no rate field.
    expect(view.byTestId('traffic-panel-rate')).toBeNull();
    expect(view.byTestId('traffic-rate-where')?.textContent).toContain('set in the header');

    const shape = view.byTestId('traffic-shape') as HTMLSelectElement;
    shape.value = 'closed';
    shape.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect((view.byTestId('traffic-param-users') as HTMLInputElement).value).toBe('5');
    (view.byTestId('traffic-apply-shape') as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(requests.at(-1)?.body).toBe(JSON.stringify({ action: 'start', flow: 'browse', shape: 'closed', users: 5, think: 200 })),
    );
  });

  it('shows a service’s capacity and queue as the engine reports them', () => {
    const lab = newLab();
    const capacity: CapacityState = {
      inFlight: 1,
      queued: 4,
      rejected: 17,
      timedOut: 2,
      concurrency: 1,
      configuredConcurrency: 8,
      queueLimit: 4,
      queueTimeoutMs: null,
      saturated: true,
    };
    lab.capacities = { 'users-1': capacity };
    const node = lab.nodes.find((n) => n.id === 'users-1') as TopologyNode;
    const view = renderWithLab(ServiceInspector, lab, { node, metrics: undefined, decisions: [] });
    expect(view.byTestId('capacity-inflight')?.textContent).toBe('1');
    expect(view.byTestId('capacity-queued')?.textContent).toBe('4');
    expect(view.byTestId('capacity-rejected')?.textContent).toBe('17');
    expect(view.byTestId('capacity-saturated')).not.toBeNull();
    expect(view.byTestId('capacity-words')?.textContent).toContain('cut from 8 by an overload fault');
  });
});
