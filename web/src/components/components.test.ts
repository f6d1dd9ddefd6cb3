import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeMetrics } from '../lib/api-types.ts';
import { happyPath, refusedPath } from '../lib/traces/fixtures.ts';
import { LabState } from '../state/lab-state.svelte.ts';
import { renderWithLab } from '../test/render.ts';
import Controls from './Controls.svelte';
import ServiceToggles from './ServiceToggles.svelte';
import EventLog from './EventLog.svelte';
import Inspector from './Inspector.svelte';
import Topology from './topology/Topology.svelte';

function metricsOf(requests: number, errors: number, inFlight = 0): NodeMetrics {
  return {
    kind: 'service',
    requests,
    inFlight,
    errors,
    statusClasses: { '1xx': 0, '2xx': requests - errors, '3xx': 0, '4xx': 0, '5xx': errors },
    errorCodes: errors > 0 ? { EDGE_UPSTREAM_REFUSED: errors } : {},
    latency: { p50: 41.2, p95: 60, p99: 72.5, max: 80, mean: 45 },
    recent: { seconds: 5, requests, latency: { p50: 41.2, p95: 60, p99: 72.5, max: 80, mean: 45 } },
    ratePerSecond: 4,
  };
}

function newLab(): LabState {
  const lab = new LabState();
  lab.topology = {
    name: 'Classic edge',
    nodes: [
      { id: 'edge', kind: 'proxy', label: 'Reverse proxy', port: 8080, state: 'up', upstreams: [{ to: 'users' }] },
      {
        id: 'users',
        kind: 'balancer',
        port: 8082,
        state: 'up',
        algorithm: 'round-robin',
        next: 'users-2',
        upstreams: [
          { to: 'users-1', weight: 1 },
          { to: 'users-2', weight: 1 },
        ],
      },
      { id: 'users-1', kind: 'service', port: 9001, state: 'up', upstreams: [] },
      { id: 'users-2', kind: 'service', port: 9002, state: 'up', upstreams: [] },
    ],
    traffic: { running: true, sent: 40, flows: [{ name: 'browse', to: 'edge', rate: 4, clients: 6 }] },
  };
  lab.traffic = lab.topology.traffic;
  return lab;
}

describe('components', () => {
  const requests: Array<{ method: string; url: string; body?: string }> = [];

  beforeEach(() => {
    requests.length = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        requests.push({ method: init?.method ?? 'GET', url, body: init?.body as string | undefined });
        if (url === '/api/faults' && init?.method === 'POST')
          return new Response(JSON.stringify({ id: 'f1', target: 'users-1', type: 'down' }), { status: 201 });
        return new Response(JSON.stringify(url === '/api/faults' ? [] : {}));
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('draws a box per node with the engine’s counts on its badges', () => {
    const lab = newLab();
    lab.metrics = { 'users-1': metricsOf(1234, 3, 2) };
    const view = renderWithLab(Topology, lab, { layout: lab.layout });
    expect(view.byTestId('node-edge')).not.toBeNull();
    expect(view.byTestId('node-client')).not.toBeNull();
    expect(view.byTestId('node-users-1-requests')?.textContent).toBe('1,234');
    expect(view.byTestId('node-users-1-errors')?.textContent).toBe('3');
    expect(view.byTestId('node-users-1-inflight')?.textContent).toBe('2');
    expect(view.byTestId('node-users-1-p99')?.textContent).toBe('73 ms');
    expect(view.byTestId('node-users-algorithm')?.textContent).toBe('round-robin');
    expect(view.byTestId('traffic-clients')?.textContent).toBe('6');
  });

  it('marks a stopped node visibly, with a state tag', () => {
    const lab = newLab();
    lab.ingest([{ type: 'node.state', seq: 1, ts: 1, node: 'users-1', kind: 'service', state: 'stopped', port: null }], 1);
    const view = renderWithLab(Topology, lab, { layout: lab.layout });
    expect(view.byTestId('node-users-1')?.getAttribute('data-state')).toBe('stopped');
    expect(view.byTestId('node-users-1-state-tag')?.textContent).toBe('STOPPED');
    expect(view.byTestId('node-users-2-state-tag')?.textContent).toBe('UP');
  });

  it('opens the inspector from a box, by keyboard too', () => {
    const lab = newLab();
    const view = renderWithLab(Topology, lab, { layout: lab.layout });
    const box = view.byTestId('node-users')!;
    expect(box.getAttribute('tabindex')).toBe('0');
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(lab.selection.selectedNode).toBe('users');
  });

  it('shows a node’s metrics and the view for its kind in the inspector', () => {
    const lab = newLab();
    lab.metrics = { users: metricsOf(10, 2) };
    lab.ingest(happyPath('a'), 1);
    lab.flush();
    const view = renderWithLab(Inspector, lab, { id: 'users' });
    expect(view.byTestId('inspector-metrics')?.textContent).toContain('10');
    expect(view.byTestId('inspector-algorithm')?.textContent).toBe('round-robin');
    expect(view.byTestId('inspector-decisions')?.textContent).toContain('users-2 is next in rotation');
  });

  it('lists finished requests as buttons that open their trace', () => {
    const lab = newLab();
    lab.ingest([...happyPath('a'), ...refusedPath('b')], 1);
    lab.flushLog();
    const view = renderWithLab(EventLog, lab);
    const log = view.byTestId('event-log')!;
    expect(log.getAttribute('aria-live')).toBe('polite');
    const lines = [...log.querySelectorAll<HTMLButtonElement>('button[data-testid="log-line"]')];
    expect(lines.map((b) => b.dataset.rid)).toEqual(['b', 'a']);
    expect(lines[0].textContent).toContain('502 EDGE_UPSTREAM_REFUSED');
    lines[1].click();
    expect(lab.selection.selectedRid).toBe('a');
  });

  it('shows a request’s why when its log line is hovered or focused', () => {
    const lab = newLab();
    lab.ingest(happyPath('a'), 1);
    lab.flushLog();
    const view = renderWithLab(EventLog, lab);
    const line = view.target.querySelector<HTMLElement>('[data-testid="log-line"]')!;
    line.dispatchEvent(new FocusEvent('focus'));
    flushSync();
    expect(view.byTestId('why-text')?.textContent).toBe('round-robin: users-2 is next in rotation (position 2 of 3)');
    expect(line.getAttribute('aria-describedby')).toBe(view.byTestId('why-tip')?.id);
    line.dispatchEvent(new FocusEvent('blur'));
    flushSync();
    expect(view.byTestId('why-tip')).toBeNull();
  });

  it('holds the log still while focus is inside it', () => {
    const lab = newLab();
    lab.ingest(happyPath('a'), 1);
    lab.flushLog();
    const view = renderWithLab(EventLog, lab);
    const first = view.target.querySelector<HTMLButtonElement>('button[data-testid="log-line"]')!;
    first.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    lab.ingest(happyPath('b', 5000), 2);
    lab.flushLog();
    flushSync();
    expect(view.target.querySelectorAll('button[data-testid="log-line"]')).toHaveLength(1);
    expect(view.target.textContent).toContain('1 newer');
  });

  it('stops a service with a down fault and offers to start it again', async () => {
    const lab = newLab();
    const view = renderWithLab(ServiceToggles, lab);
    const toggle = view.byTestId('service-users-1-toggle')!;
    expect(toggle.textContent?.trim()).toBe('Stop users-1');
    toggle.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'POST' && r.url === '/api/faults')).toBe(true));
    expect(JSON.parse(requests.find((r) => r.method === 'POST')!.body!)).toEqual({ target: 'users-1', type: 'down' });
    lab.ingest(
      [{ type: 'fault.started', seq: 1, ts: 1, fault: { id: 'f1', target: 'users-1', type: 'down', source: 'api', startedAt: 1 } }],
      1,
    );
    flushSync();
    expect(view.byTestId('service-users-1-toggle')?.textContent?.trim()).toBe('Start users-1');
  });

  it('sends the rate the learner typed, as a live change of the running flow', async () => {
    const lab = newLab();
    const view = renderWithLab(Controls, lab, { onexport: () => {} });
    const input = view.byTestId('traffic-rate-input') as HTMLInputElement;
    input.value = '25';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() =>
      expect(requests.find((r) => r.url === '/api/traffic')?.body).toBe(JSON.stringify({ action: 'set', flow: 'browse', rate: 25 })),
    );
  });

  it('shows each flow’s rate as the engine’s target, and follows a change made elsewhere', async () => {
    const lab = newLab();
    const view = renderWithLab(Controls, lab, { onexport: () => {} });
    const inputs = () => [...view.target.querySelectorAll<HTMLInputElement>('[data-testid="traffic-rate-input"]')];
    expect(inputs().map((i) => i.value)).toEqual(['4']);
    // Another client was added (the API, a lesson): one control per flow, each at the engine's target.
    const live = (name: string, targetRate: number) => ({ name, sent: 1, completed: 1, skipped: 0, outstanding: 0, targetRate, achievedRate: 1, ratePerSecond: 1, latency: { p50: 1, p95: 1, p99: 1, max: 1, mean: 1 }, running: true, finished: false });
    lab.traffic = {
      ...lab.traffic!,
      flows: [...lab.traffic!.flows, { name: 'client-1', to: 'edge', rate: 20, clients: 1 }],
      live: [live('browse', 9), live('client-1', 20)],
    };
    flushSync();
    expect(inputs().map((i) => [i.dataset.flow, i.value])).toEqual([['browse', '9'], ['client-1', '20']]);
    // What the learner types stays until the engine reports a different rate for that flow.
    const [browse, client] = inputs();
    browse.value = '15';
    browse.dispatchEvent(new Event('input', { bubbles: true }));
    lab.traffic = { ...lab.traffic!, live: [live('browse', 9), live('client-1', 20)] };
    flushSync();
    expect(inputs()[0].value).toBe('15');
    lab.traffic = { ...lab.traffic!, live: [live('browse', 30), live('client-1', 20)] };
    flushSync();
    expect(inputs()[0].value).toBe('30');
    client.value = '5';
    client.dispatchEvent(new Event('input', { bubbles: true }));
    client.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() =>
      expect(requests.find((r) => r.url === '/api/traffic')?.body).toBe(JSON.stringify({ action: 'set', flow: 'client-1', rate: 5 })),
    );
  });

  it('starts the traffic at the typed rate when it is paused', async () => {
    const lab = newLab();
    lab.traffic = { ...lab.topology!.traffic, running: false };
    const view = renderWithLab(Controls, lab, { onexport: () => {} });
    const input = view.byTestId('traffic-rate-input') as HTMLInputElement;
    input.value = '25';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() =>
      expect(requests.find((r) => r.url === '/api/traffic')?.body).toBe(JSON.stringify({ action: 'start', rate: 25 })),
    );
  });

  it('draws the clients’ edge into a TLS proxy encrypted (a lock), and the hops behind it plain', () => {
    const lab = newLab();
    const tls = { fingerprint256: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF', certFile: '/tmp/edgelab-tls/edge.pem', selfSigned: true, validTo: '2026-12-13T00:00:00.000Z', protocols: ['h2', 'http/1.1'] as Array<'h2' | 'http/1.1'> };
    lab.ingest([{ type: 'tls.certificate', seq: 1, ts: 1, node: 'edge', tls }], 1);
    const view = renderWithLab(Topology, lab, { layout: lab.layout });
    expect(view.byTestId('edge-client->edge')?.classList.contains('encrypted')).toBe(true);
    expect(view.byTestId('edge-edge->users')?.classList.contains('encrypted')).toBe(false);
    expect(view.byTestId('edge-lock-edge')?.textContent).toContain('TLS from the clients to edge (h2 or http/1.1)');
    expect(view.byTestId('edge-lock-users')).toBeNull();
  });

  it('shows a TLS proxy’s certificate, handshake counts and last connections in its inspector, from the engine', () => {
    const lab = newLab();
    const tls = { fingerprint256: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF', certFile: '/tmp/edgelab-tls/edge.pem', selfSigned: true, validTo: '2026-12-13T00:00:00.000Z', protocols: ['h2', 'http/1.1'] as Array<'h2' | 'http/1.1'> };
    const handshakeMs = { p50: 2.5, p95: 8, p99: 8, max: 8, mean: 4 };
    lab.metrics = { edge: { ...metricsOf(3, 0), kind: 'proxy', tls: { handshakes: 2, failed: 1, resumed: 0, protocols: { h2: 1, 'http/1.1': 1 }, requests: { h2: 6, 'http/1.1': 1 }, handshakeMs } } };
    lab.ingest(
      [
        { type: 'tls.certificate', seq: 1, ts: 1, node: 'edge', tls },
        { type: 'tls.connection', seq: 2, ts: 2, node: 'edge', peer: '127.0.1.1', outcome: 'established', protocol: 'h2', tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', handshakeMs: 3.1, resumed: false },
        { type: 'tls.connection', seq: 3, ts: 3, node: 'edge', peer: '127.0.0.1', outcome: 'failed', handshakeMs: 1.2, reason: 'ECONNRESET' },
      ],
      3,
    );
    lab.flush();
    const view = renderWithLab(Inspector, lab, { id: 'edge' });
    const facts = view.byTestId('inspector-tls')?.textContent ?? '';
    expect(facts).toContain('h2, http/1.1 (by ALPN)');
    expect(facts).toContain('curl --cacert /tmp/edgelab-tls/edge.pem');
    expect(view.byTestId('inspector-tls-handshakes')?.textContent).toContain('2.5 ms');
    expect([view.byTestId('tls-requests')?.textContent, view.byTestId('tls-requests-per-handshake')?.textContent]).toEqual(['7', '3.5']);
    expect(view.byTestId('tls-toggle')?.getAttribute('aria-pressed')).toBe('true');
    const connections = [...(view.byTestId('inspector-tls-connections')?.querySelectorAll('li') ?? [])].map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    expect(connections).toEqual(['failed after 1.2 ms from 127.0.0.1: ECONNRESET', 'h2 · 3.1 ms from 127.0.1.1: TLSv1.3, TLS_AES_256_GCM_SHA384']);
  });
});
