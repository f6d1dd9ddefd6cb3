import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { runningConfig } from './config-goal.ts';
import type { Lesson, LessonAction, MetricsByNode } from './format.ts';
import { lessonMachine } from './lesson.machine.ts';
import { snapshot } from './metrics.fixture.ts';
import { roundRobinBasics } from './round-robin-basics.ts';
import { throttleTheAbuser } from './throttle-the-abuser.ts';

/** The classic-edge numbers the round-robin lesson reads: 2xx per users-N, refusals at the balancer. */
function sandbox(ok: [number, number, number], refused = 0): MetricsByNode {
  return snapshot({
    users: { kind: 'balancer', errorCodes: refused ? { EDGE_UPSTREAM_REFUSED: refused } : {} },
    'users-1': { statusClasses: { '2xx': ok[0] } },
    'users-2': { statusClasses: { '2xx': ok[1] } },
    'users-3': { statusClasses: { '2xx': ok[2] } },
  });
}

/** The throttle lesson's gateway: each consumer's 2xx and 429s at `api`. */
function consumers(scraper: { ok: number; limited: number }, mobile: { ok: number; limited: number }): MetricsByNode {
  const counts = ({ ok, limited }: { ok: number; limited: number }) => ({
    requests: ok + limited,
    statusClasses: { '2xx': ok, '4xx': limited },
    errorCodes: { EDGE_RATE_LIMITED: limited },
  });
  return snapshot({ api: { kind: 'gateway', consumers: { scraper: counts(scraper), mobile: counts(mobile) } }, users: {} });
}

function startLesson(
  options: { lesson?: Lesson; prepare?: () => Promise<void>; apply?: (actions: LessonAction[]) => Promise<void> } = {},
) {
  const machine = lessonMachine.provide({
    actors: {
      prepareSandbox: fromPromise(options.prepare ?? (async () => {})),
      applySolution: fromPromise<void, { baseUrl: string; actions: LessonAction[] }>(({ input }) =>
        (options.apply ?? (async () => {}))(input.actions),
      ),
    },
  });
  const actor = createActor(machine, { input: { lesson: options.lesson ?? roundRobinBasics, baseUrl: 'http://127.0.0.1:1' } });
  actor.start();
  return actor;
}

type LessonActor = ReturnType<typeof startLesson>;

async function openFirstStep(actor: LessonActor) {
  actor.send({ type: 'START' });
  await waitFor(actor, (s) => s.matches({ running: 'intro' }));
  actor.send({ type: 'NEXT' });
}

/** Throttle the abuser, through its first step to step 2 ("a bucket per consumer"), with its baseline taken. */
async function openBucketStep(actor: LessonActor) {
  await openFirstStep(actor);
  actor.send({ type: 'METRICS', nodes: consumers({ ok: 0, limited: 0 }, { ok: 0, limited: 0 }) });
  actor.send({ type: 'METRICS', nodes: consumers({ ok: 100, limited: 0 }, { ok: 10, limited: 0 }) });
  actor.send({ type: 'NEXT' });
  expect(actor.getSnapshot().context.stepIndex).toBe(1);
  expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);
}

describe('lessonMachine', () => {
  it('runs the round-robin lesson from start to complete', async () => {
    const actor = startLesson();
    expect(actor.getSnapshot().value).toBe('idle');

    await openFirstStep(actor);
    expect(actor.getSnapshot().matches({ running: { step: 'awaitingBaseline' } })).toBe(true);

    // Step 1: the first snapshot is the baseline; each server must then answer 20 more.
    actor.send({ type: 'METRICS', nodes: sandbox([3, 3, 3]) });
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);
    expect(actor.getSnapshot().context.report).toMatchObject({ met: false, progress: 0 });

    actor.send({ type: 'METRICS', nodes: sandbox([23, 15, 23]) });
    expect(actor.getSnapshot().context.report?.detail).toBe(
      'users-2 has answered 12 of 20 requests with 2xx since the step began (2 of 3 nodes done)',
    );
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);

    actor.send({ type: 'METRICS', nodes: sandbox([23, 23, 23]) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);
    expect(actor.getSnapshot().context.report).toMatchObject({ met: true, progress: 1 });

    // Step 2 starts from the latest snapshot at once: no new snapshot is needed for its baseline.
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().context.stepIndex).toBe(1);
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);
    expect(actor.getSnapshot().context.baseline).toEqual(sandbox([23, 23, 23]));

    actor.send({ type: 'METRICS', nodes: sandbox([30, 25, 30], 2) });
    expect(actor.getSnapshot().context.report?.detail).toBe('users has returned EDGE_UPSTREAM_REFUSED 2 of 3 times since the step began');
    actor.send({ type: 'METRICS', nodes: sandbox([33, 25, 33], 3) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);

    // Step 3: users-2 answers again.
    actor.send({ type: 'NEXT' });
    actor.send({ type: 'METRICS', nodes: sandbox([40, 35, 40], 3) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);

    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().matches({ running: 'complete' })).toBe(true);
    actor.stop();
  });

  it('does not finish a step whose goal was already met before it began', async () => {
    const actor = startLesson();
    actor.send({ type: 'START' });
    await waitFor(actor, (s) => s.matches({ running: 'intro' }));
    actor.send({ type: 'METRICS', nodes: sandbox([500, 500, 500]) });
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);

    actor.send({ type: 'METRICS', nodes: sandbox([510, 510, 510]) });
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);
    expect(actor.getSnapshot().context.report?.progress).toBeCloseTo(0.5, 6);
    actor.stop();
  });

  it('forgets a snapshot from before the sandbox was replaced', async () => {
    const actor = startLesson();
    actor.send({ type: 'METRICS', nodes: sandbox([500, 500, 500]) });
    await openFirstStep(actor);
    expect(actor.getSnapshot().matches({ running: { step: 'awaitingBaseline' } })).toBe(true);
    actor.stop();
  });

  it('forgets a tick that arrived while the sandbox was prepared: its counts were reset after it', async () => {
    let finish!: () => void;
    const actor = startLesson({ prepare: () => new Promise<void>((resolve) => (finish = resolve)) });
    actor.send({ type: 'START' });
    actor.send({ type: 'METRICS', nodes: sandbox([500, 500, 500]) });
    finish();
    await waitFor(actor, (s) => s.matches({ running: 'intro' }));
    expect(actor.getSnapshot().context.latest).toBeNull();
    // The engine's `metrics.reset` snapshot, passed on as a tick, is what the first step counts from.
    actor.send({ type: 'METRICS', nodes: sandbox([0, 0, 0]) });
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().context.baseline).toEqual(sandbox([0, 0, 0]));
    actor.stop();
  });

  it('reveals hints one at a time, per step, up to the last one', async () => {
    const actor = startLesson();
    await openFirstStep(actor);
    for (let i = 0; i < 5; i++) actor.send({ type: 'HINT' });
    expect(actor.getSnapshot().context.hintsShown).toEqual([roundRobinBasics.steps[0].hints.length, 0, 0]);
    actor.stop();
  });

  it('SHOW_ME applies the current step solution, and the goal is still checked meanwhile', async () => {
    const applied: LessonAction[][] = [];
    let finish!: () => void;
    const actor = startLesson({
      apply: (actions) => {
        applied.push(actions);
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await openFirstStep(actor);
    actor.send({ type: 'METRICS', nodes: sandbox([0, 0, 0]) });
    actor.send({ type: 'SHOW_ME' });
    expect(actor.getSnapshot().matches({ running: { step: 'demonstrating' } })).toBe(true);
    expect(applied).toEqual([roundRobinBasics.steps[0].solution]);

    actor.send({ type: 'METRICS', nodes: sandbox([5, 5, 5]) });
    expect(actor.getSnapshot().context.report?.progress).toBeCloseTo(0.25, 6);
    finish();
    await waitFor(actor, (s) => s.matches({ running: { step: 'checking' } }));
    actor.stop();
  });

  it('shows why SHOW_ME failed and lets the learner go on', async () => {
    const actor = startLesson({ apply: () => Promise.reject(new Error('POST /api/traffic answered 500: boom')) });
    await openFirstStep(actor);
    actor.send({ type: 'METRICS', nodes: sandbox([0, 0, 0]) });
    actor.send({ type: 'SHOW_ME' });
    await waitFor(actor, (s) => s.matches({ running: { step: 'checking' } }));
    expect(actor.getSnapshot().context.error).toBe('POST /api/traffic answered 500: boom');
    actor.stop();
  });

  it('fails when the sandbox cannot be prepared, and START tries again', async () => {
    let attempts = 0;
    const actor = startLesson({
      prepare: async () => {
        attempts++;
        if (attempts === 1) throw new Error('PUT /api/config answered 400');
      },
    });
    actor.send({ type: 'START' });
    await waitFor(actor, (s) => s.matches('failed'));
    expect(actor.getSnapshot().context.error).toBe('PUT /api/config answered 400');

    actor.send({ type: 'START' });
    await waitFor(actor, (s) => s.matches({ running: 'intro' }));
    expect(actor.getSnapshot().context.error).toBeNull();
    actor.stop();
  });

  it('pauses while the engine is away and retakes the baseline when it is back', async () => {
    const actor = startLesson();
    await openFirstStep(actor);
    actor.send({ type: 'METRICS', nodes: sandbox([0, 0, 0]) });
    actor.send({ type: 'HINT' });
    actor.send({ type: 'METRICS', nodes: sandbox([10, 10, 10]) });

    actor.send({ type: 'ENGINE_DISCONNECTED' });
    expect(actor.getSnapshot().value).toBe('disconnected');
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().value).toBe('disconnected');

    actor.send({ type: 'ENGINE_CONNECTED' });
    expect(actor.getSnapshot().matches({ running: { step: 'awaitingBaseline' } })).toBe(true);
    // The engine restarted: its counters began again, and the step counts from the new numbers.
    actor.send({ type: 'METRICS', nodes: sandbox([2, 2, 2]) });
    actor.send({ type: 'METRICS', nodes: sandbox([12, 12, 12]) });
    expect(actor.getSnapshot().context.report?.progress).toBeCloseTo(0.5, 6);
    expect(actor.getSnapshot().context.hintsShown[0]).toBe(1);
    actor.stop();
  });

  it('counts a step again from a config change: a wrong limit, then the right one, meets the goal', async () => {
    const actor = startLesson({ lesson: throttleTheAbuser });
    await openBucketStep(actor);

    // The wrong key first: one global bucket, and the mobile app is refused too.
    actor.send({ type: 'CONFIG_APPLIED' });
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 101, limited: 0 }, { ok: 11, limited: 0 }) });
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 110, limited: 30 }, { ok: 12, limited: 4 }) });
    expect(actor.getSnapshot().context.report?.parts?.[2]).toMatchObject({
      met: false,
      detail: 'consumer mobile has had 4 4xx answers at api since the last config change (goal: exactly 0)',
    });

    // The fix: a bucket per consumer. Only what happens from then on counts.
    actor.send({ type: 'CONFIG_APPLIED' });
    expect(actor.getSnapshot().context.report).toBeNull();
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 115, limited: 32 }, { ok: 13, limited: 5 }) });
    expect(actor.getSnapshot().context).toMatchObject({ countedFrom: 'change', report: { met: false } });
    expect(actor.getSnapshot().context.report?.parts?.map((p) => p.met)).toEqual([false, false, true]);
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 135, limited: 60 }, { ok: 25, limited: 5 }) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);

    // The next step counts from its own beginning again.
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().context.countedFrom).toBe('step');
    actor.stop();
  });

  it('a config applied by "show me" recounts the step without stopping the rest of its solution', async () => {
    let finish!: () => void;
    const actor = startLesson({ lesson: throttleTheAbuser, apply: () => new Promise<void>((resolve) => (finish = resolve)) });
    await openBucketStep(actor);
    // A wrong attempt before "show me" refused the mobile app twice.
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 100, limited: 30 }, { ok: 10, limited: 2 }) });
    actor.send({ type: 'SHOW_ME' });
    actor.send({ type: 'CONFIG_APPLIED' });
    expect(actor.getSnapshot().matches({ running: { step: 'demonstrating' } })).toBe(true);
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 105, limited: 30 }, { ok: 11, limited: 2 }) });
    actor.send({ type: 'METRICS', nodes: consumers({ ok: 110, limited: 60 }, { ok: 25, limited: 2 }) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);
    finish();
    actor.stop();
  });

  it('RESET starts the lesson over from idle', async () => {
    const actor = startLesson();
    await openFirstStep(actor);
    actor.send({ type: 'METRICS', nodes: sandbox([0, 0, 0]) });
    actor.send({ type: 'HINT' });
    actor.send({ type: 'METRICS', nodes: sandbox([20, 20, 20]) });
    actor.send({ type: 'NEXT' });

    actor.send({ type: 'RESET' });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('idle');
    expect(context).toMatchObject({ stepIndex: 0, latest: null, baseline: null, report: null, hintsShown: [0, 0, 0], error: null });
    actor.stop();
  });

  it('RESUME goes on at the step given without preparing the sandbox, counting from when it resumed', async () => {
    let prepared = 0;
    const actor = startLesson({ prepare: async () => void prepared++ });
    actor.send({ type: 'METRICS', nodes: sandbox([50, 50, 50]) });
    actor.send({ type: 'RESUME', stepIndex: 2 });
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);
    expect(actor.getSnapshot().context.stepIndex).toBe(2);
    expect(prepared).toBe(0);

    // Step 3 wants users-2 to answer again: counted from the snapshot the step began with.
    actor.send({ type: 'METRICS', nodes: sandbox([50, 52, 50]) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(false);
    actor.send({ type: 'METRICS', nodes: sandbox([50, 60, 50]) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().matches({ running: 'complete' })).toBe(true);
    actor.stop();
  });

  it.each([
    [3, 'the end', { running: 'complete' }, 2],
    [9, 'the end', { running: 'complete' }, 2],
    [-1, 'step 1', { running: { step: 'awaitingBaseline' } }, 0],
    [1.7, 'step 2', { running: { step: 'awaitingBaseline' } }, 1],
  ] as const)('RESUME at %s opens %s', (stepIndex, _, state, index) => {
    const actor = startLesson();
    actor.send({ type: 'RESUME', stepIndex });
    expect(actor.getSnapshot().matches(state)).toBe(true);
    expect(actor.getSnapshot().context.stepIndex).toBe(index);
    actor.stop();
  });

  it('RESUME does nothing once the lesson has begun', async () => {
    const actor = startLesson();
    await openFirstStep(actor);
    actor.send({ type: 'RESUME', stepIndex: 2 });
    expect(actor.getSnapshot().context.stepIndex).toBe(0);
    actor.stop();
  });
});

describe('lessonMachine: a goal on the running config', () => {
  const guarded: Lesson = {
    ...roundRobinBasics,
    steps: [
      {
        ...roundRobinBasics.steps[0],
        goal: {
          all: [
            { type: 'metric', node: 'users-1', metric: 'statusClasses.2xx', op: '>=', value: 10 },
            { keep: { type: 'config', node: 'users-1', capacity: { concurrency: 3 } }, rule: 'users-1 stays its size' },
          ],
        },
      },
    ],
  };
  const config = (concurrency: number) => ({ version: 1, nodes: [{ id: 'users-1', kind: 'service', capacity: { concurrency } }] });

  it('reads the config the page last read (RUNNING_CONFIG), kept across RESET: unread, or broken, the step is not done', async () => {
    const actor = startLesson({ lesson: guarded });
    await openFirstStep(actor);
    actor.send({ type: 'METRICS', nodes: sandbox([0, 0, 0]) });
    actor.send({ type: 'METRICS', nodes: sandbox([20, 0, 0]) });
    expect(actor.getSnapshot().context.report?.whyNot).toBe('Broken: users-1 stays its size (the running config has not been read yet).');
    actor.send({ type: 'RUNNING_CONFIG', config: runningConfig(config(30)) });
    actor.send({ type: 'METRICS', nodes: sandbox([25, 0, 0]) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(false);
    const asSet = runningConfig(config(3));
    actor.send({ type: 'RUNNING_CONFIG', config: asSet });
    actor.send({ type: 'METRICS', nodes: sandbox([30, 0, 0]) });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);
    actor.send({ type: 'RESET' });
    expect(actor.getSnapshot().context.running).toBe(asSet);
    actor.stop();
  });
});

describe('lessonMachine: a goal that must hold', () => {
  const holdLesson: Lesson = {
    ...roundRobinBasics,
    steps: [
      {
        ...roundRobinBasics.steps[0],
        goal: { hold: { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 150 }, seconds: 3 },
      },
    ],
  };
  const lb = (p99: number) => snapshot({ lb: { kind: 'balancer', recent: { requests: 100, latency: { p99 } } } });

  it('finishes the step only after its ticks have held it for the seconds asked, and counts again after a config change', async () => {
    const actor = startLesson({ lesson: holdLesson });
    await openFirstStep(actor);
    actor.send({ type: 'METRICS', nodes: lb(400), ts: 0 });
    for (const ts of [1000, 2000, 3000]) actor.send({ type: 'METRICS', nodes: lb(40), ts });
    expect(actor.getSnapshot().context.report?.whyNot).toBe('It has held for 2 s of the 3 s it must hold on end.');
    actor.send({ type: 'CONFIG_APPLIED' });
    for (const ts of [4000, 5000, 6000]) actor.send({ type: 'METRICS', nodes: lb(40), ts });
    expect(actor.getSnapshot().matches({ running: { step: 'checking' } })).toBe(true);
    actor.send({ type: 'METRICS', nodes: lb(40), ts: 7000 });
    expect(actor.getSnapshot().matches({ running: 'stepDone' })).toBe(true);
    actor.stop();
  });
});
