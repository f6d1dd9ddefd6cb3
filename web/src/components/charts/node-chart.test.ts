import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { nodeMetrics } from '../../../../lessons/metrics.fixture.ts';
import type { EngineEvent } from '../../../../engine/src/events.ts';
import { LabState } from '../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../test/render.ts';
import NodeChart from './NodeChart.svelte';
import ShareChart from './ShareChart.svelte';

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
    // In flight as each tick carried it (the fixture's gauge: 0 in flight), drawn as a step line.
    expect(figure.querySelector('path[data-series="in-flight"]')?.getAttribute('d')).toMatch(/^M/);
    // Over the window so far (one second): 10 2xx and 2 edge errors, 12 req/s in all.
    const now = view.byTestId('node-chart-now')!.textContent!.replace(/\s+/g, ' ');
    expect(now).toContain('Last 5 s: 12 req/s, 10 of them 2xx');
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
    const marks = [...view.target.querySelectorAll<SVGGElement>('g.marker')].map((mark) => [mark.dataset.marker, mark.getAttribute('aria-label')]);
    expect(marks).toEqual([['fault', 'fault began: latency on users']]);
    // Focusable, so its words can be read without a mouse; the key says what a fault mark is.
    expect(view.target.querySelector('g.marker')!.getAttribute('tabindex')).toBe('0');
    expect(view.target.querySelector('[data-key-marker="fault"]')!.textContent).toContain('a fault began or ended');
  });

  it('waits for two ticks before it draws anything', () => {
    const lab = new LabState();
    lab.ingest([tick(1, 10_000, 0, 0)], 10_000);
    const view = renderWithLab(NodeChart, lab, { node: 'users', points: lab.history.series('users'), markers: [], spanMs: lab.history.spanMs });
    expect(view.target.querySelector('svg')).toBeNull();
    expect(view.target.textContent).toContain('next metrics ticks');
  });
});

describe('the share chart', () => {
  /** A balancer tick: `a` and `b` requests answered by each target so far. */
  const lbTick = (seq: number, ts: number, a: number, b: number): EngineEvent => ({
    type: 'metrics.tick',
    seq,
    ts,
    nodes: { lb: { ...nodeMetrics({ kind: 'balancer', statusClasses: { '2xx': a + b } }), targets: { a, b } } },
  });

  it("stacks each target's share of the balancer's last 5 s, and says it in words", () => {
    const lab = new LabState();
    lab.ingest([lbTick(1, 10_000, 0, 0), lbTick(2, 10_500, 3, 1), lbTick(3, 11_000, 6, 2)], 11_000);
    const colourOf = (id: string) => (id === 'a' ? '#8fb8ff' : '#ffcf70');
    const view = renderWithLab(ShareChart, lab, { node: 'lb', points: lab.history.series('lb'), markers: [], targets: ['a', 'b'], colourOf, spanMs: lab.history.spanMs });
    const figure = view.byTestId('share-chart')!;
    expect(JSON.parse(figure.dataset.shares!)).toEqual({ a: 0.75, b: 0.25 });
    expect(figure.querySelector('path[data-target="a"]')?.getAttribute('fill')).toBe('#8fb8ff');
    expect(view.byTestId('share-chart-now')!.textContent!.replace(/\s+/g, ' ')).toContain('a 75%, b 25%');
  });
});
