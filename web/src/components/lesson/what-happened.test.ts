import { flushSync } from 'svelte';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, FaultInfo, NodeMetrics } from '../../../../engine/src/events.ts';
import type { MetricsByNode } from '../../../../lessons/format.ts';
import { nodeMetrics } from '../../../../lessons/metrics.fixture.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import type { LabState } from '../../state/lab-state.svelte.ts';
import { labWithTopology } from '../../state/state-fixtures.ts';
import { renderWithLab } from '../../test/render.ts';
import LessonPanel from '../LessonPanel.svelte';

// The panel loads the lesson machine with the first lesson opened (kept out of the page's first load):
// loaded once here, so opening a lesson settles within a test's settle().
beforeAll(() => import('../../lib/lessons/lesson-session.svelte.ts'));

/** The round-robin lesson's numbers: each users-N's 2xx, and the balancer's answers by target. */
function sandbox(ok: [number, number, number]): MetricsByNode {
  const users: NodeMetrics = { ...nodeMetrics({ kind: 'balancer' }), targets: { 'users-1': ok[0], 'users-2': ok[1], 'users-3': ok[2] } };
  const service = (n: number) => nodeMetrics({ statusClasses: { '2xx': n }, requests: n });
  return { edge: nodeMetrics({ kind: 'proxy', requests: ok[0] + ok[1] + ok[2] }), users, 'users-1': service(ok[0]), 'users-2': service(ok[1]), 'users-3': service(ok[2]) };
}

let seq = 0;
function send(lab: LabState, ...events: EngineEvent[]) {
  lab.ingest(events, ++seq);
  flushSync();
}
const tick = (nodes: MetricsByNode): EngineEvent => ({ type: 'metrics.tick', seq: ++seq, ts: seq, nodes });

async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
}

describe('What just happened', () => {
  beforeEach(() => {
    // The engine as the panel reads it: the learner's sandbox (kept before the lesson replaces it), no faults, `{}` for a change.
    const answers: Record<string, unknown> = {
      '/api/config': { version: 1, name: 'Mine', nodes: [{ id: 'web', kind: 'service' }] },
      '/api/topology': { name: 'Mine', nodes: [{ id: 'web', kind: 'service' }], traffic: { running: false, flows: [], sent: 0 } },
      '/api/faults': [],
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => new Response(JSON.stringify((init?.method ?? 'GET') === 'GET' ? (answers[url] ?? {}) : {}))),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('appears when the step’s goal is met, with the step’s counts and events, and not before', async () => {
    const lab = labWithTopology();
    lab.connection = 'open';
    const view = renderWithLab(LessonPanel, lab);
    const click = async (id: string) => {
      view.byTestId(id)!.click();
      await settle();
    };
    await click(`lesson-open-${roundRobinBasics.id}`);
    await click('lesson-start');
    await click('lesson-next');
    send(lab, tick(sandbox([0, 0, 0])));
    const fault = { id: 'f1', target: 'users-3', type: 'latency', ms: 300, source: 'api', startedAt: 0 } as unknown as FaultInfo;
    send(lab, { type: 'fault.started', seq: ++seq, ts: seq, fault }, tick(sandbox([12, 12, 11])));
    expect(view.byTestId('lesson-what-happened')).toBeNull();

    send(lab, tick(sandbox([21, 20, 20])));
    expect(view.byTestId('lesson-status')?.textContent).toContain('Goal met');
    const lines = [...view.target.querySelectorAll('[data-testid="lesson-what-happened-line"]')].map((li) => li.textContent);
    expect(lines[0]).toBe('At users, requests were answered by users-1 21 times, users-2 20 times, users-3 20 times.');
    expect(lines[1]).toMatch(/^A “latency” fault began on users-3 at \d\d:\d\d:\d\d\.$/);
    expect(lines[2]).toBe('At the entry, edge answered 61 requests: 0 errors.');
    expect(view.byTestId('lesson-what-happened')?.textContent).toContain('During this step');

    // The account is of the step: what comes after the goal was met does not change it.
    send(lab, tick(sandbox([40, 40, 40])));
    expect(view.target.querySelector('[data-testid="lesson-what-happened-line"]')?.textContent).toContain('users-1 21 times');

    // The next step starts a new account, shown only when its own goal is met.
    await click('lesson-next');
    expect(view.byTestId('lesson-what-happened')).toBeNull();
  });
});
