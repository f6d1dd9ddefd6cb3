/**
 * Every lesson is proven on a real engine started from its config, with traffic stopped. Step by step:
 * its goal is not met by doing nothing, nor by running the traffic alone, for the goal's whole window
 * (a hold's seconds and the window it holds, at least 3 s); and it is met after the reference solution
 * is applied through the control API over real HTTP, exactly as the web app's "show me" button applies
 * it. As in the lesson machine, a config applied during a step restarts the step's count (and its
 * ticks). Every lesson file also passes the validator (validate-lesson.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkGoal, type GoalReport, type RunningConfig } from './checker.ts';
import { applyAction, fetchConfig, fetchMetrics } from './client.ts';
import { runningConfig } from './config-goal.ts';
import { startSandbox } from './engine.fixture.ts';
import { actionWithEphemeralPorts } from './ephemeral-ports.ts';
import type { Goal, Lesson, LessonAction, LessonStep, Snapshot } from './format.ts';
import { lessons } from './index.ts';
import { SOLVED_WITHIN_MS } from './solved-within.ts';
import { formatProblems, validateLesson } from './validate-lesson.ts';

/** How long a step sits untouched, not even its traffic started, before its traffic starts. */
const IDLE_MS = 1_000;
/** As often as the page's ticks or more: a hold is judged at every one. */
const POLL_MS = 250;
/** The recent window latency goals read (NodeMetrics.recent). */
const RECENT_MS = 5_000;

describe.each(lessons.map((lesson) => ({ id: lesson.id, lesson })))('lesson $id', ({ lesson }) => {
  it('is well-formed: its configs, goals, steps and text pass the lesson validator', () => {
    expect(formatProblems(validateLesson(lesson))).toEqual([]);
  });

  // One walk through the lesson on a live engine serves the two tests below, so each step's window is waited out once.
  let walk: Promise<StepRun[]> | undefined;
  const walked = () => (walk ??= walkLesson(lesson));

  it('cannot be passed by doing nothing: no goal is met while only its traffic runs, for its whole window', { timeout: 300_000 }, async () => {
    for (const run of await walked()) {
      expect(run.idleMet, `${run.step} is met with nothing done, ${run.idleMet?.atMs} ms in: ${run.idleMet?.detail}`).toBeUndefined();
    }
  });

  it('is solvable: each goal is met within its window after its reference solution', { timeout: 300_000 }, async () => {
    const runs = await walked();
    for (const run of runs) {
      expect(run.after.met, `${run.step} is not met ${SOLVED_WITHIN_MS} ms after its solution: ${run.after.detail}`).toBe(true);
    }
    expect(runs.map((r) => r.step), 'every step is reached').toEqual(lesson.steps.map((s) => s.id));
  });
});

interface StepRun {
  step: string;
  /** The first tick at which the goal was met before its solution; undefined if it never was. */
  idleMet?: { atMs: number; detail: string };
  after: GoalReport;
}

/**
 * For each step: do nothing for a second, then only start the traffic (starting it is no fix, unless
 * it is the whole step), reading the goal at every tick for its whole window; then, counting afresh,
 * apply the reference solution and read the goal until it is met. A step left unmet stops the walk.
 */
async function walkLesson(lesson: Lesson): Promise<StepRun[]> {
  const sandbox = await startSandbox(lesson.startConfig, { traffic: false });
  const runs: StepRun[] = [];
  try {
    for (const step of lesson.steps) {
      const start = await tick(sandbox.baseUrl);
      const idleMet = await watchIdle(sandbox.baseUrl, step, start);
      const after = await solve(sandbox.baseUrl, step, await tick(sandbox.baseUrl));
      runs.push({ step: step.id, idleMet, after });
      if (!after.met) break;
    }
  } finally {
    await sandbox.stop();
  }
  return runs;
}

async function watchIdle(baseUrl: string, step: LessonStep, start: Snapshot): Promise<StepRun['idleMet']> {
  const history = [start];
  const fixes = step.solution.some((a) => a.action !== 'traffic' && a.action !== 'wait');
  const deadline = start.ts + idleWindowMs(step.goal);
  let trafficStarted = false;
  for (;;) {
    await sleep(POLL_MS);
    const now = await tick(baseUrl);
    history.push(now);
    const report = checkGoal(step.goal, now.nodes, start.nodes, 'step', history, now.running);
    if (report.met) return { atMs: now.ts - start.ts, detail: report.detail };
    if (now.ts >= deadline) return undefined;
    if (fixes && !trafficStarted && now.ts - start.ts >= IDLE_MS) {
      for (const action of step.solution) if (action.action === 'traffic') await applyAction(baseUrl, action);
      trafficStarted = true;
    }
  }
}

/**
 * Apply the step's solution, then read its goal at every tick until it is met or the time is up. A
 * config applied restarts the count and the ticks, as the lesson machine does on `config.applied`.
 */
async function solve(baseUrl: string, step: LessonStep, start: Snapshot): Promise<GoalReport> {
  let history = [start];
  for (const action of step.solution) {
    await applyAction(baseUrl, actionWithEphemeralPorts(action as LessonAction));
    if (action.action === 'config') history = [await tick(baseUrl)];
  }
  const deadline = Date.now() + SOLVED_WITHIN_MS;
  for (;;) {
    const now = await tick(baseUrl);
    history.push(now);
    const report = checkGoal(step.goal, now.nodes, history[0]!.nodes, 'step', history, now.running);
    if (report.met || Date.now() >= deadline) return report;
    await sleep(POLL_MS);
  }
}

/** A metrics tick, with the config the engine runs then (goals on the config read it). */
async function tick(baseUrl: string): Promise<Snapshot & { running: RunningConfig }> {
  const [{ ts, nodes }, running] = await Promise.all([fetchMetrics(baseUrl), fetchConfig(baseUrl)]);
  return { ts, nodes, running: runningConfig(running) };
}

/** How long doing nothing is watched: the goal's whole window (a hold and what it holds), at least 3 s. */
function idleWindowMs(goal: Goal): number {
  return Math.max(3_000, windowMs(goal) + 1_000);
}

function windowMs(goal: Goal): number {
  if ('all' in goal) return Math.max(...goal.all.map(windowMs));
  if ('any' in goal) return Math.max(...goal.any.map(windowMs));
  if ('hold' in goal) return goal.seconds * 1000 + windowMs(goal.hold);
  if ('keep' in goal) return windowMs(goal.keep);
  if (goal.type === 'latency') return RECENT_MS;
  if (goal.type === 'ratio' && goal.over && 'seconds' in goal.over) return goal.over.seconds * 1000;
  return 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
