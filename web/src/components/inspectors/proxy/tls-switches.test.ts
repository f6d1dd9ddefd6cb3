/**
 * The page's TLS switches, each an edit of the running config: the proxy inspector's TLS switch, and a
 * traffic flow's keep-alive and HTTP/2 switches; what each sends is what the TLS lesson asks a learner to do.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TlsView, TopologyNode } from '../../../lib/api-types.ts';
import { LabState } from '../../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../../test/render.ts';
import TrafficPanel from '../../TrafficPanel.svelte';
import TlsSwitch from './TlsSwitch.svelte';

const tls: TlsView = { fingerprint256: 'AB:CD', certFile: '/tmp/edgelab-tls/edge.pem', selfSigned: true, validTo: '2026-12-13T00:00:00.000Z', protocols: ['h2', 'http/1.1'] };
const edge: TopologyNode = { id: 'edge', kind: 'proxy', port: 8443, state: 'up', upstreams: [{ to: 'shop' }] };

let running: Record<string, unknown>;
const requests: Array<{ method: string; url: string; body?: string }> = [];

beforeEach(() => {
  requests.length = 0;
  running = {
    version: 1,
    name: 'TLS termination',
    nodes: [
      { id: 'edge', kind: 'proxy', to: 'shop', tls: true },
      { id: 'shop', kind: 'service' },
    ],
    traffic: [{ name: 'shoppers', to: 'edge', rate: 20, keepAlive: false, http2: true }],
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      requests.push({ method: init?.method ?? 'GET', url, body: init?.body as string | undefined });
      if (url === '/api/config' && (init?.method ?? 'GET') === 'GET') return new Response(JSON.stringify(running));
      if (url === '/api/config') return new Response(JSON.stringify({ applied: true, failures: [] }));
      return new Response('{}');
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

function labWith(node: TopologyNode, flow: Record<string, unknown> = {}): LabState {
  const lab = new LabState();
  lab.topology = { name: 'TLS termination', nodes: [node], traffic: { running: true, sent: 0, flows: [{ name: 'shoppers', to: 'edge', rate: 20, clients: 4, ...flow }] } };
  lab.traffic = lab.topology.traffic;
  return lab;
}

const sentConfig = () => JSON.parse(requests.find((r) => r.method === 'PUT')!.body!);

describe('the proxy’s TLS switch', () => {
  it('turns TLS on with tls: true, and says what plain HTTP means while it is off', async () => {
    running.nodes = [{ id: 'edge', kind: 'proxy', to: 'shop' }];
    const view = renderWithLab(TlsSwitch, labWith(edge), { node: edge });
    expect(view.byTestId('tls-toggle')?.getAttribute('aria-pressed')).toBe('false');
    expect(view.byTestId('tls-off')?.textContent?.replace(/\s+/g, ' ')).toContain('shop still hears plain HTTP with X-Forwarded-Proto: https');
    view.byTestId('tls-toggle')!.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    expect(sentConfig().nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'shop', tls: true });
  });

  it('turns it off, and the flows entering there stop asking for HTTP/2, in words', async () => {
    const node = { ...edge, tls };
    const view = renderWithLab(TlsSwitch, labWith(node), { node });
    expect(view.byTestId('tls-toggle')?.getAttribute('aria-pressed')).toBe('true');
    view.byTestId('tls-toggle')!.click();
    await vi.waitFor(() => expect(view.byTestId('tls-message')?.textContent).toBe('shoppers now speak HTTP/1.1: HTTP/2 runs over TLS only.'));
    expect(sentConfig().nodes[0]).toEqual({ id: 'edge', kind: 'proxy', to: 'shop' });
    expect(sentConfig().traffic).toEqual([{ name: 'shoppers', to: 'edge', rate: 20, keepAlive: false }]);
  });
});

describe('a flow’s connection switches', () => {
  it('speaks https to a TLS proxy; keep-alive on drops keepAlive: false from the flow', async () => {
    running.traffic = [{ name: 'shoppers', to: 'edge', rate: 20, keepAlive: false }];
    const view = renderWithLab(TrafficPanel, labWith({ ...edge, tls }, { keepAlive: false }));
    expect(view.byTestId('flow-shoppers-scheme')?.textContent).toBe('https');
    expect(view.byTestId('flow-shoppers-keep-alive')?.getAttribute('aria-pressed')).toBe('false');
    expect(view.byTestId('flow-shoppers-http2')?.hasAttribute('disabled')).toBe(false);
    view.byTestId('flow-shoppers-keep-alive')!.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    expect(sentConfig().traffic).toEqual([{ name: 'shoppers', to: 'edge', rate: 20 }]);
  });

  it('turns HTTP/2 on over TLS, and offers it at a plain proxy only once TLS is on', async () => {
    running.traffic = [{ name: 'shoppers', to: 'edge', rate: 20 }];
    const plain = renderWithLab(TrafficPanel, labWith(edge));
    expect(plain.byTestId('flow-shoppers-scheme')?.textContent).toBe('http');
    expect(plain.byTestId('flow-shoppers-http2')?.hasAttribute('disabled')).toBe(true);
    plain.destroy();
    const view = renderWithLab(TrafficPanel, labWith({ ...edge, tls }));
    view.byTestId('flow-shoppers-http2')!.click();
    await vi.waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    expect(sentConfig().traffic).toEqual([{ name: 'shoppers', to: 'edge', rate: 20, http2: true }]);
  });
});
