import { describe, expect, it } from 'vitest';
import { fromPromise } from 'xstate';
import type { Lesson, LessonAction, MetricsByNode } from '../../../../lessons/format.ts';
import { lessonMachine } from '../../../../lessons/lesson.machine.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import { buildToSlo } from '../../../../lessons/build-to-slo.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { LessonSession, type LessonSessionOptions } from './lesson-session.svelte.ts';

function sandbox(ok: [number, number, number], refused = 0): MetricsByNode {
  return snapshot({
    users: { kind: 'balancer', errorCodes: refused ? { EDGE_UPSTREAM_REFUSED: refused } : {} },
    'users-1': { statusClasses: { '2xx': ok[0] } },
    'users-2': { statusClasses: { '2xx': ok[1] } },
    'users-3': { statusClasses: { '2xx': ok[2] } },
  });
}

/**
 * A session whose sandbox calls are recorded instead of sent, and a tick source the test drives; the
 * round-robin lesson unless `lesson` says, its running config read by `readRunningConfig`.
 */
function session({ lesson = roundRobinBasics, readRunningConfig }: Pick<LessonSessionOptions, 'readRunningConfig'> & { lesson?: Lesson } = {}) {
  const applied: LessonAction[][] = [];
  let prepared = 0;
  const listeners = new Set<(nodes: MetricsByNode) => void>();
  const configListeners = new Set<() => void>();
  const machine = lessonMachine.provide({
    actors: {
      prepareSandbox: fromPromise(async () => {
        prepared++;
      }),
      applySolution: fromPromise<void, { baseUrl: string; actions: LessonAction[] }>(async ({ input }) => {
        applied.push(input.actions);
      }),
    },
  });
  const milestones: string[] = [];
  const run = new LessonSession({
    lesson,
    machine,
    readRunningConfig,
    onMilestone: (label) => milestones.push(label),
    onMetricsTick: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConfigApplied: (listener) => {
      configListeners.add(listener);
      return () => configListeners.delete(listener);
    },
  });
  return {
    run,
    applied,
    milestones,
    prepared: () => prepared,
    listening: () => listeners.size + configListeners.size,
    tick: (nodes: MetricsByNode) => listeners.forEach((listener) => listener(nodes)),
    configApplied: () => configListeners.forEach((listener) => listener()),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LessonSession', () => {
  it('runs the lesson on the page’s ticks, from ready to complete', async () => {
    const { run, tick, prepared, milestones } = session();
    expect(run.view.phase).toBe('ready');
    run.start();
    await settle();
    expect(prepared()).toBe(1);
    expect(run.view.phase).toBe('intro');

    run.next();
    expect(run.view.phase).toBe('waiting');
    tick(sandbox([0, 0, 0]));
    expect(run.view).toMatchObject({ phase: 'checking', report: { met: false, progress: 0 } });
    tick(sandbox([20, 12, 20]));
    expect(run.view.report?.detail).toBe('users-2 has answered 12 of 20 requests with 2xx since the step began (2 of 3 nodes done)');
    tick(sandbox([20, 20, 20]));
    expect(run.view).toMatchObject({ phase: 'done', report: { met: true, progress: 1 } });

    run.next();
    tick(sandbox([25, 20, 25], 3));
    expect(run.view).toMatchObject({ phase: 'done', stepIndex: 1 });
    run.next();
    tick(sandbox([30, 30, 30], 3));
    expect(run.view).toMatchObject({ phase: 'done', stepIndex: 2, isLastStep: true });
    run.next();
    expect(run.view.phase).toBe('complete');
    // Each step's beginning and its goal met, for the charts' lesson marks.
    const steps = roundRobinBasics.steps.map((step, i) => `lesson step ${i + 1} of 3 (${step.title})`);
    expect(milestones).toEqual(steps.flatMap((step) => [`${step} began`, `${step}: goal met`]));
    run.stop();
  });

  it('hints one at a time, and "show me" applies the step’s solution', async () => {
    const { run, tick, applied } = session();
    run.start();
    await settle();
    run.next();
    run.hint();
    expect(run.view.hints).toEqual([roundRobinBasics.steps[0].hints[0]]);
    tick(sandbox([0, 0, 0]));
    run.showMe();
    await settle();
    expect(applied).toEqual([roundRobinBasics.steps[0].solution]);
    expect(run.view.phase).toBe('checking');
    run.stop();
  });

  it('pauses while the stream is down and retakes its baseline after', async () => {
    const { run, tick } = session();
    run.start();
    await settle();
    run.next();
    tick(sandbox([0, 0, 0]));
    run.connection('reconnecting');
    expect(run.view.phase).toBe('disconnected');
    run.connection('open');
    expect(run.view.phase).toBe('waiting');
    tick(sandbox([5, 5, 5]));
    expect(run.view.report?.progress).toBe(0);
    run.stop();
  });

  it('counts the step again from a config the engine applied', async () => {
    const { run, tick, configApplied } = session();
    run.start();
    await settle();
    run.next();
    tick(sandbox([0, 0, 0]));
    tick(sandbox([10, 10, 10]));
    configApplied();
    expect(run.view).toMatchObject({ phase: 'checking', report: null, countsFromChange: true });
    tick(sandbox([12, 12, 12]));
    tick(sandbox([22, 22, 22]));
    expect(run.view.report?.detail).toBe('users-1 has answered 10 of 20 requests with 2xx since the last config change (0 of 3 nodes done)');
    run.stop();
  });

  it('stops listening to ticks and configs when stopped', () => {
    const { run, listening } = session();
    expect(listening()).toBe(2);
    run.stop();
    expect(listening()).toBe(0);
  });

  it('for a lesson whose goal guards the config, reads it at once and after each config applied; an overtaken answer is dropped', async () => {
    const reads: Array<(config: unknown) => void> = [];
    const { run, tick, configApplied } = session({ lesson: buildToSlo, readRunningConfig: () => new Promise((resolve) => reads.push(resolve)) });
    expect(reads).toHaveLength(1);
    run.start();
    await settle();
    run.next();
    configApplied();
    expect(reads).toHaveLength(2);
    const shop = (concurrency: number) => ({ ...buildToSlo.startConfig, nodes: [{ id: 'app-1', kind: 'service', capacity: { concurrency, queue: 20 } }] });
    reads[1]!(shop(3));
    reads[0]!(shop(50));
    // The session loads the config's judge on demand (kept out of the page's first load): wait for it.
    await import('../../../../lessons/config-goal.ts');
    await settle();
    tick(snapshot({ edge: { kind: 'proxy' }, 'app-1': { activeFaults: 1, scenarioFaults: 1 } }));
    expect(run.view.report?.parts?.map((p) => p.met)).toEqual([false, true, true, true]);
    run.stop();
  });
});
