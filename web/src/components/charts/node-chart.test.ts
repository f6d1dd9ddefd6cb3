import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { nodeMetrics } from '../../../../lessons/metrics.fixture.ts';
import type { EngineEvent } from '../../../../engine/src/events.ts';
import { LabState } from '../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../test/render.ts';
import NodeChart from './NodeChart.svelte';

/** A metrics tick for `users` at `ts`, with `ok` 2xx and `failed` EDGE_UPSTREAM_REFUSED (502) so far. */
function tick(seq: number, ts: number, ok: number, failed: number): EngineEvent {
  const users = nodeMetrics({
    statusClasses: { '2xx': ok, '5xx': failed },
    errorCodes: failed > 0 ? { EDGE_UPSTREAM_REFUSED: failed } : {},
    recent: { requests: 10, latency: { p50: 42, p95: 80, p99: 120 } },
  });
  return { type: 'metrics.tick', seq, ts, nodes: { users } };
}

describe('the node chart', () => {
  it("draws the engine's rates by outcome and its window latency, and says the latest in words", () => {
    const lab = new LabState();
    lab.ingest([tick(1, 10_000, 0, 0), tick(2, 10_500, 5, 0), tick(3, 11_000, 10, 2)], 11_000);
    const view = renderWithLab(NodeChart, lab, { node: 'users', points: lab.history.series('users'), markers: lab.history.markers(), spanMs: lab.history.spanMs });
    flushSync();
    const figure = view.byTestId('node-chart')!;
    expect(figure.dataset.points).toBe('2');
    // Every outcome has its layer; the p50/p95/p99 lines are drawn.
    for (const outcome of ['ok', 'edge-error', 'server-error']) expect(figure.querySelector(`path[data-outcome="${outcome}"]`)).not.toBeNull();
    for (const p of ['p50', 'p95', 'p99']) expect(figure.querySelector(`path[data-percentile="${p}"]`)?.getAttribute('d')).toMatch(/^M/);
    // Over the window so far (one second): 10 2xx and 2 edge errors, 12 req/s in all.
    const now = view.byTestId('node-chart-now')!.textContent!.replace(/\s+/g, ' ');
    expect(now).toContain('Now: 12 req/s, 10 of them 2xx');
    expect(now).toContain('p99 120 ms');
  });

  it('marks where a fault began, on the time axis of the points', () => {
    const lab = new LabState();
    const fault = { id: 'f1', target: 'users', type: 'latency', ms: 300 } as unknown as Extract<EngineEvent, { type: 'fault.started' }>['fault'];
    lab.ingest(
      [tick(1, 10_000, 0, 0), tick(2, 10_500, 5, 0), { type: 'fault.started', seq: 3, ts: 10_700, fault }, tick(4, 11_000, 10, 0)],
      11_000,
    );
    const view = renderWithLab(NodeChart, lab, { node: 'users', points: lab.history.series('users'), markers: lab.history.markers(), spanMs: lab.history.spanMs });
    const marks = [...view.target.querySelectorAll('line.marker')].map((line) => line.textContent);
    expect(marks).toEqual(['fault began: latency on users']);
  });

  it('waits for two ticks before it draws anything', () => {
    const lab = new LabState();
    lab.ingest([tick(1, 10_000, 0, 0)], 10_000);
    const view = renderWithLab(NodeChart, lab, { node: 'users', points: lab.history.series('users'), markers: [], spanMs: lab.history.spanMs });
    expect(view.target.querySelector('svg')).toBeNull();
    expect(view.target.textContent).toContain('next metrics ticks');
  });
});
