import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../engine/src/events.ts';
import { exhaustedPath, retriedPath } from '../lib/traces/fixtures.ts';
import { LabState } from '../state/lab-state.svelte.ts';
import { renderWithLab } from '../test/render.ts';
import EventLog from './EventLog.svelte';
import TraceView from './TraceView.svelte';

describe('health, circuit and retry events on the page', () => {
  beforeEach(() => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('{}')),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('logs target.health and circuit.state as notes, with the engine’s sentence', () => {
    const lab = new LabState();
    const events: EngineEvent[] = [
      {
        type: 'target.health',
        seq: 1,
        ts: 1000,
        node: 'users',
        target: 'users-2',
        source: 'passive',
        change: 'ejected',
        healthy: false,
        reason: '5 consecutive failures reached the threshold of 5 (last: EDGE_UPSTREAM_REFUSED): ejected for 30000 ms',
        detail: {
          consecutiveFailures: 5,
          threshold: 5,
          ejectionMs: 30000,
          timesEjected: 1,
          ejectedTargets: 1,
          targets: 3,
          maxEjectionPercent: 50,
        },
      },
      {
        type: 'circuit.state',
        seq: 2,
        ts: 1001,
        node: 'users',
        target: 'users-3',
        from: 'closed',
        to: 'open',
        reason: '5 consecutive failures reached the threshold of 5 (last: status 503)',
        detail: { consecutiveFailures: 5, coolDownMs: 10000, trialRequests: 1, failures: 5 },
      },
    ];
    lab.ingest(events, 1);
    lab.flushLog();
    const view = renderWithLab(EventLog, lab);
    const notes = [...view.target.querySelectorAll<HTMLElement>('[data-testid="log-note"]')];
    expect(notes.map((n) => n.dataset.kind)).toEqual(['circuit', 'health']);
    expect(notes[1].textContent).toContain('users-2 ejected for 30 s after 5 consecutive failures');
    expect(notes[1].querySelector('[data-testid="log-detail"]')?.textContent).toContain('(last: EDGE_UPSTREAM_REFUSED)');
    expect(notes[0].textContent).toContain('circuit to users-3 closed → open');
  });

  it('shows each try at the balancer in the trace', () => {
    const lab = new LabState();
    lab.ingest([...retriedPath('a'), ...exhaustedPath('b')], 1);
    lab.selection.openTrace('a');
    lab.flush();
    const view = renderWithLab(TraceView, lab);
    const tries = [...view.target.querySelectorAll<HTMLElement>('[data-testid="trace-try"]')];
    expect(tries.map((t) => [t.dataset.try, t.dataset.state])).toEqual([
      ['1', 'retried'],
      ['2', 'sent'],
    ]);
    expect(tries[0].textContent).toContain('try 1 → users-2 refused (EDGE_UPSTREAM_REFUSED); retried to users-3 (try 2)');
    expect(tries[0].textContent).toContain('why retried: connect-error on try 1 of 3');
  });
});
