import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TopologyNode } from '../../../lib/api-types.ts';
import { LabState } from '../../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../../test/render.ts';
import CompressionView from './CompressionView.svelte';

const proxy = (compression?: TopologyNode['compression']): TopologyNode =>
  ({ id: 'edge', kind: 'proxy', port: 8080, state: 'up', upstreams: [{ to: 'api' }], ...(compression ? { compression } : {}) }) as TopologyNode;

/** What the engine's topology says while the inspector polls it. */
let polled: TopologyNode;

beforeEach(() => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ name: 'lab', nodes: [polled], traffic: { running: false, flows: [] } }))),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CompressionView', () => {
  it("shows the proxy's bytes in, out and saved, then what the engine says as it polls", async () => {
    polled = proxy({ responses: 3, bytesIn: 8192, bytesOut: 4096, saved: 4096, failures: 1 });
    const view = renderWithLab(CompressionView, new LabState(), { node: proxy({ responses: 2, bytesIn: 4096, bytesOut: 1024, saved: 3072, failures: 0 }) });
    expect(view.byTestId('compression-totals')?.textContent).toBe('2 responses coded · 4 KB in -> 1 KB out');
    expect(view.byTestId('compression-saved')?.textContent).toBe('saved 3 KB (75%)');
    expect(view.byTestId('compression-failures')).toBeNull();
    await vi.waitFor(() => expect(view.byTestId('compression-saved')?.textContent).toBe('saved 4 KB (50%)'));
    expect(view.byTestId('compression-totals')?.textContent).toBe('3 responses coded · 8 KB in -> 4 KB out');
    expect(view.byTestId('compression-failures')?.textContent).toBe('1 response cut by a failed encoder');
  });

  it('shows nothing for a proxy that does not compress', () => {
    polled = proxy();
    const view = renderWithLab(CompressionView, new LabState(), { node: proxy() });
    expect(view.target.textContent?.trim()).toBe('');
  });
});
