import { flushSync } from 'svelte';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../../engine/src/events.ts';
import type { MetricsByNode } from '../../../../lessons/format.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { throttleTheAbuser } from '../../../../lessons/throttle-the-abuser.ts';
import type { Topology } from '../../lib/api-types.ts';
import { TRACK_TITLES } from '../../lib/lessons/lesson-index.ts';
import { PROGRESS_KEY } from '../../lib/lessons/progress-store.ts';
import { LabState } from '../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../test/render.ts';
import LessonPanel from '../LessonPanel.svelte';
import { parse } from 'yaml';
import classicEdgeYaml from '../../../../examples/classic-edge.yaml?raw';

// The panel loads the lesson machine with the first lesson opened (kept out of the page's first load):
// loaded once here, so opening a lesson settles within a test's settle().
beforeAll(() => import('../../lib/lessons/lesson-session.svelte.ts'));

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

/** The learner's own sandbox, as the engine reports it before a lesson replaces it. */
const MINE = { version: 1, name: 'My sandbox', nodes: [{ id: 'web', kind: 'service' }], traffic: [{ name: 'browse', to: 'web', rate: 12 }] };
const flows = [{ name: 'browse', to: 'web', rate: 12, clients: 1, loop: 'open' }];

/** The engine's topology with these nodes (the fields the panel reads: its name and node ids). */
function topology(name: string, ids: string[]): Topology {
  return { name, nodes: ids.map((id) => ({ id, kind: 'service' })), traffic: { running: true, flows, sent: 0 } } as unknown as Topology;
}

/** An engine's answers: the learner's sandbox, no faults, and `{}` for every change. */
function answer(method: string, url: string): unknown {
  if (method !== 'GET') return url === '/api/traffic' ? { running: true, flows, sent: 0 } : {};
  if (url === '/api/config') return MINE;
  if (url === '/api/topology') return topology(MINE.name, ['web']);
  if (url === '/api/faults') return [];
  return {};
}

const classicIds = roundRobinBasics.startConfig.nodes.map((n) => n.id);
const LESSON_SANDBOX = roundRobinBasics.startConfig.name!;
/** What a fresh engine serves by default (`npm start`): the example the round-robin lesson's sandbox is built on. */
const DEFAULT_EXAMPLE = parse(classicEdgeYaml) as { name: string; nodes: Array<{ id: string }> };

describe('LessonPanel', () => {
  const requests: Array<{ method: string; url: string; body?: unknown }> = [];
  let destroy: (() => void) | undefined;

  beforeEach(() => {
    requests.length = 0;
    localStorage.clear();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        const method = init?.method ?? 'GET';
        requests.push({ method, url, body: init?.body === undefined ? undefined : JSON.parse(String(init.body)) });
        return new Response(JSON.stringify(answer(method, url)));
      }),
    );
  });
  afterEach(() => {
    destroy?.();
    vi.unstubAllGlobals();
  });

  function render(engine: Topology | null = null) {
    const lab = new LabState();
    lab.connection = 'open';
    lab.topology = engine;
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

  /** The round-robin lesson started (the engine now runs its sandbox), at its first step unless `begin` is false. */
  async function started({ begin = true } = {}) {
    const rendered = render();
    await rendered.click(`lesson-open-${roundRobinBasics.id}`);
    await rendered.click('lesson-start');
    rendered.lab.topology = topology(LESSON_SANDBOX, classicIds);
    if (begin) await rendered.click('lesson-next');
    return rendered;
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
    // The learner's sandbox is kept first, then replaced.
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/config',
      'GET /api/topology',
      'GET /api/faults',
      'POST /api/traffic',
      'PUT /api/config',
      'GET /api/faults',
      'POST /api/metrics/reset',
    ]);
    expect(requests[4].body).toEqual(roundRobinBasics.startConfig);

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
    // Keeping the learner's sandbox comes first: nothing is replaced when it cannot be kept.
    expect(view.byTestId('lesson-error')?.textContent).toContain('GET /api/config answered 400: nodes: boom');
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

  it('lists the lessons under their tracks with each one’s progress, from what this browser kept', () => {
    localStorage.setItem(
      PROGRESS_KEY,
      JSON.stringify({ version: 1, progress: { [roundRobinBasics.id]: { stepsDone: 3, done: true }, [throttleTheAbuser.id]: { stepsDone: 1, done: false } } }),
    );
    const { view } = render();
    const headings = [...view.target.querySelectorAll('[data-testid^="lesson-track-"] h3')].map((h) => h.textContent);
    // In the tracks' order, each track that has a lesson.
    expect(headings).toEqual(Object.values(TRACK_TITLES).filter((title) => headings.includes(title)));
    expect(headings).toEqual(expect.arrayContaining(['Load balancing', 'The API gateway', 'The reverse proxy', 'The edge’s weak points']));
    expect(view.byTestId(`lesson-track-load-balancing`)?.textContent).toContain(roundRobinBasics.title);
    expect(view.byTestId(`lesson-track-gateway`)?.textContent).toContain(throttleTheAbuser.title);
    expect(view.byTestId(`lesson-progress-${roundRobinBasics.id}`)?.textContent?.trim()).toBe('✓Done');
    expect(view.byTestId(`lesson-progress-${throttleTheAbuser.id}`)?.textContent?.trim()).toBe('Step 2 of 3');
    expect(view.byTestId('lesson-progress-health-checks')?.textContent?.trim()).toBe('Not started');
  });

  it('lists every lesson as not started when what was kept cannot be read', () => {
    localStorage.setItem(PROGRESS_KEY, '{"version":1,"progress":');
    const { view } = render();
    expect(view.byTestId(`lesson-progress-${roundRobinBasics.id}`)?.textContent?.trim()).toBe('Not started');
  });

  it('keeps each step reached, and the lesson under way with the engine’s config for it', async () => {
    const { lab, view, click } = await started();
    tick(lab, sandbox([0, 0, 0]));
    tick(lab, sandbox([20, 20, 20]));
    const kept = JSON.parse(localStorage.getItem(PROGRESS_KEY)!);
    expect(kept.progress[roundRobinBasics.id]).toEqual({ stepsDone: 1, done: false });
    expect(kept.active).toEqual({ id: roundRobinBasics.id, stepsDone: 1, sandbox: { name: LESSON_SANDBOX, nodes: classicIds } });
    expect(kept.kept).toMatchObject({ name: MINE.name, config: MINE, traffic: { running: true, flows: [{ name: 'browse', rate: 12 }] }, faults: [] });
    expect(view.byTestId('lesson-announce')?.textContent).toBe('Lesson step 1 of 3 (Round robin takes turns): goal met.');
  });

  it('after a reload, goes on at the step reached when the engine still runs the lesson’s sandbox, applying nothing', async () => {
    localStorage.setItem(
      PROGRESS_KEY,
      JSON.stringify({ version: 1, active: { id: roundRobinBasics.id, stepsDone: 1, sandbox: { name: LESSON_SANDBOX, nodes: classicIds } } }),
    );
    const { view } = render(topology(LESSON_SANDBOX, [...classicIds].reverse()));
    await settle();
    expect(view.byTestId('lesson-step-title')?.textContent).toBe(roundRobinBasics.steps[1].title);
    expect(requests).toEqual([]);
    expect(view.byTestId('lesson-announce')?.textContent).toContain('goes on where you were');
  });

  it('after a reload, does not take a fresh engine serving the default example for the lesson’s sandbox built on it', async () => {
    expect(DEFAULT_EXAMPLE.nodes.map((n) => n.id).sort()).toEqual([...classicIds].sort());
    localStorage.setItem(
      PROGRESS_KEY,
      JSON.stringify({ version: 1, active: { id: roundRobinBasics.id, stepsDone: 1, sandbox: { name: LESSON_SANDBOX, nodes: classicIds } } }),
    );
    const { view } = render(topology(DEFAULT_EXAMPLE.name, DEFAULT_EXAMPLE.nodes.map((n) => n.id)));
    await settle();
    expect(view.byTestId('lesson-step-title')).toBeNull();
    expect(view.byTestId('lesson-ended')?.textContent).toContain(`The lesson “${roundRobinBasics.title}” ended`);
  });

  it('after a reload, says the lesson ended when the engine runs another config, and offers to start it again', async () => {
    localStorage.setItem(
      PROGRESS_KEY,
      JSON.stringify({ version: 1, active: { id: roundRobinBasics.id, stepsDone: 1, sandbox: { name: LESSON_SANDBOX, nodes: classicIds } } }),
    );
    const { view, click } = render(topology(LESSON_SANDBOX, ['edge', 'api']));
    await settle();
    expect(view.byTestId('lesson-step-title')).toBeNull();
    expect(view.byTestId('lesson-ended')?.textContent).toContain(`The lesson “${roundRobinBasics.title}” ended`);
    expect(JSON.parse(localStorage.getItem(PROGRESS_KEY)!).active).toBeNull();
    await click('lesson-ended-restart');
    expect(requests.map((r) => `${r.method} ${r.url}`)).toContain('PUT /api/config');
  });

  it('ends a lesson under way when the engine comes to run another config', async () => {
    const { lab, view, click } = await started();
    lab.topology = topology('Empty sandbox', []);
    flushSync();
    expect(view.byTestId('lesson-ended')?.textContent).toContain('the engine now runs “Empty sandbox”');
  });

  it('leaving puts the learner’s sandbox back: its config, then its traffic', async () => {
    const { view, click } = await started();
    await click('lesson-back');
    expect(view.byTestId('lesson-leave')?.textContent).toContain(`“${MINE.name}” comes back as you left it: its config, traffic running at 12 req/s, no faults`);
    requests.length = 0;
    await click('lesson-leave-restore');
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/traffic',
      'DELETE /api/faults',
      'PUT /api/config',
      'POST /api/metrics/reset',
      'POST /api/traffic',
    ]);
    expect(requests[2].body).toEqual(MINE);
    expect(requests[4].body).toEqual({ action: 'start' });
    expect(view.byTestId('lesson-note')?.textContent).toBe(`Your sandbox “${MINE.name}” is back.`);
    expect(JSON.parse(localStorage.getItem(PROGRESS_KEY)!)).toMatchObject({ active: null, kept: null });
  });

  it('leaving can keep the lesson’s sandbox instead (sandbox mode), changing nothing', async () => {
    const { view, click } = await started({ begin: false });
    await click('lesson-back');
    requests.length = 0;
    await click('lesson-leave-keep');
    expect(requests).toEqual([]);
    expect(view.byTestId('lesson-note')?.textContent).toContain('Sandbox mode');
    expect(view.byTestId(`lesson-progress-${roundRobinBasics.id}`)?.textContent?.trim()).toBe('Step 1 of 3');
  });
});
