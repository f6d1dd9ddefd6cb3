import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../../engine/src/events.ts';
import type { MetricsByNode } from '../../../../lessons/format.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { throttleTheAbuser } from '../../../../lessons/throttle-the-abuser.ts';
import { LabState } from '../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../test/render.ts';
import LessonPanel from '../LessonPanel.svelte';

function sandbox(ok: [number, number, number]): MetricsByNode {
  return snapshot({
    'users-1': { statusClasses: { '2xx': ok[0] } },
    'users-2': { statusClasses: { '2xx': ok[1] } },
    'users-3': { statusClasses: { '2xx': ok[2] } },
  });
}

let seq = 0;
function tick(lab: LabState, nodes: MetricsByNode) {
  const event: EngineEvent = { type: 'metrics.tick', seq: ++seq, ts: seq, nodes };
  lab.ingest([event], seq);
  flushSync();
}

/** Lets the sandbox calls (stubbed fetch) settle and the page redraw. */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
}

describe('LessonPanel', () => {
  const requests: Array<{ method: string; url: string; body?: unknown }> = [];
  let destroy: (() => void) | undefined;

  beforeEach(() => {
    requests.length = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        requests.push({ method: init?.method ?? 'GET', url, body: init?.body === undefined ? undefined : JSON.parse(String(init.body)) });
        return new Response(JSON.stringify(url === '/api/faults' ? [] : {}));
      }),
    );
  });
  afterEach(() => {
    destroy?.();
    vi.unstubAllGlobals();
  });

  function render() {
    const lab = new LabState();
    lab.connection = 'open';
    const view = renderWithLab(LessonPanel, lab);
    destroy = view.destroy;
    const click = async (id: string) => {
      const button = view.byTestId(id);
      if (!button) throw new Error(`no ${id}`);
      button.click();
      await settle();
    };
    return { lab, view, click };
  }

  it('lists the lessons and warns that starting replaces the sandbox', async () => {
    const { view, click } = render();
    expect(view.target.textContent).toContain(roundRobinBasics.title);
    await click(`lesson-open-${roundRobinBasics.id}`);
    expect(view.byTestId('lesson-warning')?.textContent).toContain('Starting replaces the running sandbox');
    expect(requests).toEqual([]);
  });

  it('prepares the sandbox on Start, then checks the step goal on each tick', async () => {
    const { lab, view, click } = render();
    await click(`lesson-open-${roundRobinBasics.id}`);
    await click('lesson-start');
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/traffic', 'PUT /api/config', 'GET /api/faults', 'POST /api/metrics/reset']);
    expect(requests[1].body).toEqual(roundRobinBasics.startConfig);

    await click('lesson-next');
    expect(view.byTestId('lesson-step-title')?.textContent).toBe(roundRobinBasics.steps[0].title);
    expect(view.byTestId('lesson-detail')?.textContent).toContain('Waiting for the engine');
    expect(view.byTestId('lesson-progress')?.hasAttribute('aria-valuenow')).toBe(false);

    tick(lab, sandbox([0, 0, 0]));
    tick(lab, sandbox([20, 10, 20]));
    expect(view.byTestId('lesson-progress')?.getAttribute('aria-valuenow')).toBe('83');
    expect(view.byTestId('lesson-detail')?.textContent?.trim()).toBe(
      'users-2 has answered 10 of 20 requests with 2xx since the step began (2 of 3 nodes done)',
    );
    expect(view.byTestId('lesson-next')).toBeNull();

    tick(lab, sandbox([20, 20, 20]));
    expect(view.byTestId('lesson-progress')?.getAttribute('aria-valuenow')).toBe('100');
    expect(view.byTestId('lesson-status')?.textContent).toContain('Goal met');
    expect(view.byTestId('lesson-next')?.textContent).toContain('Next: step 2');
  });

  it('reveals hints one at a time and says what "Show me" will do before doing it', async () => {
    const { lab, view, click } = render();
    await click(`lesson-open-${roundRobinBasics.id}`);
    await click('lesson-start');
    await click('lesson-next');
    tick(lab, sandbox([0, 0, 0]));

    await click('lesson-hint');
    await click('lesson-hint');
    expect([...view.target.querySelectorAll('[data-testid="lesson-hint-text"]')].map((li) => li.textContent?.trim())).toEqual(
      roundRobinBasics.steps[0].hints.slice(0, 2),
    );
    expect(view.target.textContent).toContain('Show me does it for you: Start the traffic at 20 req/s.');

    requests.length = 0;
    await click('lesson-show-me');
    expect(requests).toEqual([{ method: 'POST', url: '/api/traffic', body: { action: 'start', rate: 20 } }]);
  });

  it('shows why the sandbox could not be prepared, and Start tries again', async () => {
    const { view, click } = render();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ errors: [{ path: 'nodes', message: 'boom' }] }), { status: 400 })),
    );
    await click(`lesson-open-${roundRobinBasics.id}`);
    await click('lesson-start');
    expect(view.byTestId('lesson-error')?.textContent).toContain('POST /api/traffic answered 400');
    expect(view.byTestId('lesson-start')?.textContent?.trim()).toBe('Try again');
  });

  it('shows a consumer goal’s progress, and each part of a goal of several parts, met or not', async () => {
    const { lab, view, click } = render();
    await click(`lesson-open-${throttleTheAbuser.id}`);
    await click('lesson-start');
    await click('lesson-next');
    const parts = () =>
      [...view.target.querySelectorAll('[data-testid="lesson-goal-part"]')].map((li) => [
        li.getAttribute('data-met'),
        li.textContent?.replace(/\s+/g, ' ').trim(),
      ]);

    tick(lab, snapshot({ api: { kind: 'gateway' } }));
    tick(lab, snapshot({ api: { kind: 'gateway', consumers: { scraper: { statusClasses: { '2xx': 40 } }, mobile: { statusClasses: { '2xx': 5 } } } } }));
    expect(view.byTestId('lesson-progress')?.getAttribute('aria-valuenow')).toBe('75');
    expect(view.byTestId('lesson-detail')?.textContent?.trim()).toBe(
      'consumer scraper has had 40 of 80 2xx answers at api since the step began',
    );
    expect(parts()).toEqual([
      ['false', '○ not yet: consumer scraper has had 40 of 80 2xx answers at api since the step began'],
      ['true', '✓ met: consumer mobile has had 5 of 5 2xx answers at api since the step began'],
    ]);

    tick(lab, snapshot({ api: { kind: 'gateway', consumers: { scraper: { statusClasses: { '2xx': 80 } }, mobile: { statusClasses: { '2xx': 6 } } } } }));
    expect(view.byTestId('lesson-progress')?.getAttribute('aria-valuenow')).toBe('100');
    expect(parts().map(([met]) => met)).toEqual(['true', 'true']);
  });

  it('lists no parts for a goal of one part', async () => {
    const { lab, view, click } = render();
    await click(`lesson-open-${roundRobinBasics.id}`);
    await click('lesson-start');
    await click('lesson-next');
    tick(lab, sandbox([0, 0, 0]));
    expect(view.byTestId('lesson-goal-parts')).toBeNull();
  });

  it('pauses the lesson while the engine connection is down', async () => {
    const { lab, view, click } = render();
    await click(`lesson-open-${roundRobinBasics.id}`);
    await click('lesson-start');
    await click('lesson-next');
    tick(lab, sandbox([0, 0, 0]));
    lab.connection = 'reconnecting';
    flushSync();
    expect(view.byTestId('lesson-disconnected')).not.toBeNull();
    lab.connection = 'open';
    flushSync();
    expect(view.byTestId('lesson-disconnected')).toBeNull();
    expect(view.byTestId('lesson-detail')?.textContent).toContain('Waiting for the engine');
  });
});
