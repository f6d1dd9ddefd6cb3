/**
 * The load-balancing lessons accept every right fix, not only their reference solution, and refuse one
 * that only looks right: each case runs a lesson's step on a real engine with another config and reads
 * the step's own goal (judge.fixture.ts). A wrong fix must still miss it after a window longer than the
 * right one needs.
 */
import { describe, expect, it } from 'vitest';
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Goal, LessonAction } from './format.ts';
import { errorsStopped, healthSandbox } from './health-checks.ts';
import { goalOf, judge, startTraffic } from './judge.fixture.ts';
import { edgeErrorRate, scaledOutSandbox } from './one-server-is-not-enough.ts';
import { blindSpotSandbox, roundRobinBlindSpot } from './round-robin-blind-spot.ts';
import { lbErrorRate, weightsSandbox } from './weights-for-unequal-servers.ts';

/** A 10 s hold over a 5 s window, with room for a loaded machine. */
const MEET_WITHIN_MS = 30_000;
const appTwoDown: LessonAction[] = [startTraffic, { action: 'fault', body: { target: 'app-2', type: 'down' } }];

describe('load-balancing lessons: other right fixes are accepted', () => {
  it.each<{ name: string; config: EdgeConfigInput; before?: LessonAction[]; goal: Goal }>([
    {
      name: 'the blind spot: peak EWMA instead of least connections',
      config: blindSpotSandbox('peak-ewma'),
      goal: goalOf(roundRobinBlindSpot, 'steer-around-the-slow-one'),
    },
    {
      name: 'health checks: outlier detection on live traffic instead of active checks',
      config: healthSandbox('outlierDetection'),
      before: appTwoDown,
      goal: errorsStopped,
    },
    {
      name: 'one server is not enough: two copies under least connections',
      config: { ...scaledOutSandbox(2), nodes: scaledOutSandbox(2).nodes.map((n) => (n.kind === 'balancer' ? { ...n, algorithm: 'least-connections' as const } : n)) },
      goal: edgeErrorRate,
    },
    {
      name: 'weights: big at 8, its full share of the cores',
      config: weightsSandbox(8),
      goal: lbErrorRate,
    },
  ])('$name', { timeout: 60_000 }, async ({ config, before = [startTraffic], goal }) => {
    const report = await judge(config, before, goal, MEET_WITHIN_MS);
    expect(report.met, report.detail).toBe(true);
  });
});

describe('load-balancing lessons: a fix that only looks right is refused', () => {
  it.each<{ name: string; config: EdgeConfigInput; before?: LessonAction[]; goal: Goal; windowMs: number }>([
    {
      // Random ignores load as round robin does: app-3 still gets a third, more than it can do.
      name: 'the blind spot: random instead of round robin',
      config: blindSpotSandbox('random'),
      goal: goalOf(roundRobinBlindSpot, 'steer-around-the-slow-one'),
      windowMs: 20_000,
    },
    {
      name: 'health checks: none, the dead server left in the rotation',
      config: healthSandbox('none'),
      before: appTwoDown,
      goal: errorsStopped,
      windowMs: 12_000,
    },
    {
      // Weights under plain round robin are ignored: equal turns still.
      name: 'weights: round robin, whatever the weights',
      config: { ...weightsSandbox(6), nodes: weightsSandbox(6).nodes.map((n) => (n.kind === 'balancer' ? { ...n, algorithm: 'round-robin' as const } : n)) },
      goal: lbErrorRate,
      windowMs: 12_000,
    },
  ])('$name', { timeout: 60_000 }, async ({ config, before = [startTraffic], goal, windowMs }) => {
    const report = await judge(config, before, goal, windowMs);
    expect(report.met, report.detail).toBe(false);
  });
});
