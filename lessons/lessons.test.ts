/**
 * Every lesson is proven solvable: on a real engine started from the lesson's config, with traffic
 * stopped, each step's goal is not met by waiting, and is met after its reference solution is applied
 * through the control API over real HTTP, exactly as the web app's "show me" button applies it. As in
 * the lesson machine, a config applied during a step restarts the step's count.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { validateConfig } from '../engine/src/config/validate.ts';
import { checkGoal, type GoalReport } from './checker.ts';
import { applyAction, fetchMetrics } from './client.ts';
import { startSandbox } from './engine.fixture.ts';
import { actionWithEphemeralPorts } from './ephemeral-ports.ts';
import type { Goal, MetricsByNode } from './format.ts';
import { lessons } from './index.ts';

/** How long a step sits untouched before its solution: its goal must not be met by waiting. */
const IDLE_MS = 1_000;
/** Generous: a goal is reached in a few seconds of sandbox traffic, but CI machines stall. */
const GOAL_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

describe.each(lessons.map((lesson) => ({ id: lesson.id, lesson })))('lesson $id', ({ lesson }) => {
  it('is well-formed', () => {
    const result = validateConfig(lesson.startConfig);
    expect(result.ok ? [] : result.errors).toEqual([]);
    // A lesson's config is meant as written: no route that can never match.
    expect(result.ok ? result.warnings : []).toEqual([]);
    expect(lesson.id).toMatch(KEBAB);
    const stepIds = lesson.steps.map((s) => s.id);
    for (const id of stepIds) expect(id).toMatch(KEBAB);
    expect(new Set(stepIds).size).toBe(stepIds.length);

    const nodeIds = new Set(lesson.startConfig.nodes.map((n) => n.id));
    const configs = [lesson.startConfig, ...lesson.steps.flatMap((s) => s.solution.flatMap((a) => (a.action === 'config' ? [a.body] : [])))];
    const consumerIds = new Set(
      configs.flatMap((c) => c.nodes.flatMap((n) => ('consumers' in n && n.consumers ? n.consumers.map((c) => `${n.id}/${c.name}`) : []))),
    );
    for (const step of lesson.steps) {
      expect(step.hints.length, `${step.id} has hints`).toBeGreaterThan(0);
      for (const node of nodesOf(step.goal)) expect(nodeIds, `${step.id} reads node ${node}`).toContain(node);
      for (const consumer of consumersOf(step.goal)) expect(consumerIds, `${step.id} reads consumer ${consumer} (of some config of the lesson)`).toContain(consumer);
      for (const action of step.solution) {
        if (action.action !== 'config') continue;
        const config = validateConfig(action.body);
        expect(config.ok ? [] : config.errors, `${step.id} applies a valid config`).toEqual([]);
        expect(config.ok ? config.warnings : [], `${step.id} applies a config without warnings`).toEqual([]);
      }
    }
  });

  it('is solvable: each goal is unmet before its solution and met after it', { timeout: 90_000 }, async () => {
    const sandbox = await startSandbox(lesson.startConfig, { traffic: false });
    onTestFinished(() => sandbox.stop());
    const { baseUrl } = sandbox;
    for (const step of lesson.steps) {
      let baseline = (await fetchMetrics(baseUrl)).nodes;
      await sleep(IDLE_MS);
      const before = checkGoal(step.goal, (await fetchMetrics(baseUrl)).nodes, baseline);
      expect(before.met, `${step.id} is met before its solution: ${before.detail}`).toBe(false);

      for (const action of step.solution) {
        await applyAction(baseUrl, actionWithEphemeralPorts(action));
        if (action.action === 'config') baseline = (await fetchMetrics(baseUrl)).nodes;
      }
      const after = await waitForGoal(baseUrl, step.goal, baseline);
      expect(after.met, `${step.id} is not met ${GOAL_TIMEOUT_MS} ms after its solution: ${after.detail}`).toBe(true);
    }
  });
});

async function waitForGoal(baseUrl: string, goal: Goal, baseline: MetricsByNode): Promise<GoalReport> {
  const deadline = Date.now() + GOAL_TIMEOUT_MS;
  for (;;) {
    const report = checkGoal(goal, (await fetchMetrics(baseUrl)).nodes, baseline);
    if (report.met || Date.now() >= deadline) return report;
    await sleep(POLL_MS);
  }
}

function nodesOf(goal: Goal): string[] {
  if ('all' in goal) return goal.all.flatMap(nodesOf);
  if ('any' in goal) return goal.any.flatMap(nodesOf);
  if (goal.type === 'ratio') return [goal.part.node, goal.whole.node];
  return goal.type === 'each' ? goal.nodes : [goal.node];
}

/** `gateway/consumer` for every consumer a goal reads. */
function consumersOf(goal: Goal): string[] {
  if ('all' in goal) return goal.all.flatMap(consumersOf);
  if ('any' in goal) return goal.any.flatMap(consumersOf);
  return goal.type === 'consumer' ? [`${goal.node}/${goal.consumer}`] : [];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
