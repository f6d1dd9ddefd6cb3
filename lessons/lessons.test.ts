/**
 * Every lesson is proven solvable: on a real engine started from the lesson's config, with traffic
 * stopped, each step's goal is not met by waiting, and is met after its reference solution is applied
 * through the control API over real HTTP, exactly as the web app's "show me" button applies it. As in
 * the lesson machine, a config applied during a step restarts the step's count (and its ticks).
 * A second test walks every lesson doing nothing but run the traffic for each goal's whole window,
 * and a third holds every lesson file to the validator (validate-lesson.ts).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkGoal, type GoalReport } from './checker.ts';
import { applyAction, fetchMetrics } from './client.ts';
import { startSandbox } from './engine.fixture.ts';
import { actionWithEphemeralPorts } from './ephemeral-ports.ts';
import type { Goal, Lesson, LessonAction, LessonStep, Snapshot } from './format.ts';
import { lessons } from './index.ts';
import { formatProblems, validateLesson } from './validate-lesson.ts';

/** How long a step sits untouched before its solution: its goal must not be met by waiting. */
const IDLE_MS = 1_000;
/** Generous: a goal is reached in seconds of sandbox traffic (a hold, its seconds after that), but CI machines stall. */
const GOAL_TIMEOUT_MS = 30_000;
/** As often as the page's ticks or more: a hold is judged at every one. */
const POLL_MS = 250;
/** The recent window latency goals read (NodeMetrics.recent). */
const RECENT_MS = 5_000;

describe.each(lessons.map((lesson) => ({ id: lesson.id, lesson })))('lesson $id', ({ lesson }) => {
  it('is well-formed: its configs, goals, steps and text pass the lesson validator', () => {
    expect(formatProblems(validateLesson(lesson))).toEqual([]);
  });

  it('is solvable: each goal is unmet before its solution and met after it', { timeout: 180_000 }, async () => {
    const baseUrl = await sandboxOf(lesson);
    for (const step of lesson.steps) {
      const start = await tick(baseUrl);
      await sleep(IDLE_MS);
      const now = await tick(baseUrl);
      const before = checkGoal(step.goal, now.nodes, start.nodes, 'step', [start, now]);
      expect(before.met, `${step.id} is met before its solution: ${before.detail}`).toBe(false);
      const after = await solve(baseUrl, step, start);
      expect(after.met, `${step.id} is not met ${GOAL_TIMEOUT_MS} ms after its solution: ${after.detail}`).toBe(true);
    }
  });

  it('cannot be passed by doing nothing: no goal is met while only its traffic runs, for its whole window', { timeout: 240_000 }, async () => {
    const baseUrl = await sandboxOf(lesson);
    for (const step of lesson.steps) {
      const start = await tick(baseUrl);
      const history = [start];
      // Starting the traffic is no fix, unless starting it is the whole step.
      const fixes = step.solution.some((a) => a.action !== 'traffic' && a.action !== 'wait');
      for (const action of fixes ? step.solution.filter((a) => a.action === 'traffic') : []) await applyAction(baseUrl, action);
      const deadline = Date.now() + idleWindowMs(step.goal);
      while (Date.now() < deadline) {
        history.push(await tick(baseUrl));
        const report = checkGoal(step.goal, history.at(-1)!.nodes, start.nodes, 'step', history);
        expect(report.met, `${step.id} is met with nothing done, ${history.at(-1)!.ts - start.ts} ms in: ${report.detail}`).toBe(false);
        await sleep(POLL_MS);
      }
      expect((await solve(baseUrl, step, start)).met, `${step.id} is met by its solution`).toBe(true);
    }
  });
});

/** A fresh engine on the lesson's start config, traffic stopped; stopped when the test finishes. */
async function sandboxOf(lesson: Lesson): Promise<string> {
  const sandbox = await startSandbox(lesson.startConfig, { traffic: false });
  onTestFinished(() => sandbox.stop());
  return sandbox.baseUrl;
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
  const deadline = Date.now() + GOAL_TIMEOUT_MS;
  for (;;) {
    history.push(await tick(baseUrl));
    const report = checkGoal(step.goal, history.at(-1)!.nodes, history[0]!.nodes, 'step', history);
    if (report.met || Date.now() >= deadline) return report;
    await sleep(POLL_MS);
  }
}

async function tick(baseUrl: string): Promise<Snapshot> {
  const { ts, nodes } = await fetchMetrics(baseUrl);
  return { ts, nodes };
}

/** How long doing nothing is watched: the goal's whole window (a hold and what it holds), at least 3 s. */
function idleWindowMs(goal: Goal): number {
  return Math.max(3_000, windowMs(goal) + 1_000);
}

function windowMs(goal: Goal): number {
  if ('all' in goal) return Math.max(...goal.all.map(windowMs));
  if ('any' in goal) return Math.max(...goal.any.map(windowMs));
  if ('hold' in goal) return goal.seconds * 1000 + windowMs(goal.hold);
  if (goal.type === 'latency') return RECENT_MS;
  if (goal.type === 'ratio' && goal.over && 'seconds' in goal.over) return goal.over.seconds * 1000;
  return 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
