/**
 * Judge a lesson goal against another config than the lesson's own, on a real engine: the tests that
 * prove a lesson accepts every right fix and refuses one that only looks right.
 */
import { onTestFinished } from 'vitest';
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { checkGoal, type GoalReport } from './checker.ts';
import { applySolution, fetchConfig, fetchMetrics } from './client.ts';
import { runningConfig } from './config-goal.ts';
import { startSandbox } from './engine.fixture.ts';
import { actionWithEphemeralPorts } from './ephemeral-ports.ts';
import type { Goal, Lesson, LessonAction, Snapshot } from './format.ts';

const POLL_MS = 250;

export const goalOf = (lesson: Lesson, step: string): Goal => lesson.steps.find((s) => s.id === step)!.goal;
export const startTraffic: LessonAction = { action: 'traffic', body: { action: 'start' } };

/**
 * Run `config` on a fresh engine, do `before` (traffic, faults), then count from there and read `goal`
 * (with the running config) at every tick until it is met or `windowMs` has passed. The engine stops when the test finishes.
 */
export async function judge(config: EdgeConfigInput, before: LessonAction[], goal: Goal, windowMs: number): Promise<GoalReport> {
  const sandbox = await startSandbox(config, { traffic: false });
  onTestFinished(() => sandbox.stop());
  await applySolution(sandbox.baseUrl, before.map(actionWithEphemeralPorts));
  const history: Snapshot[] = [];
  const deadline = Date.now() + windowMs;
  for (;;) {
    const [{ ts, nodes }, running] = await Promise.all([fetchMetrics(sandbox.baseUrl), fetchConfig(sandbox.baseUrl)]);
    history.push({ ts, nodes });
    const report = checkGoal(goal, nodes, history[0]!.nodes, 'change', history, runningConfig(running));
    if (report.met || Date.now() >= deadline) return report;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
