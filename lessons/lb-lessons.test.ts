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
import { badServerOut, outlierSandbox } from './outlier-detection-and-circuit-breaking.ts';
import { loadBounded, retrySandbox } from './retry-storms-and-budgets.ts';
import { sessionsKept, stickySandbox } from './sticky-sessions.ts';
import { movesSandbox, onlyTheLeaversKeysMoved } from './who-moves-when-a-server-leaves.ts';

/** A 10 s hold over a 5 s window, with room for a loaded machine. */
const MEET_WITHIN_MS = 30_000;
const appTwoDown: LessonAction[] = [startTraffic, { action: 'fault', body: { target: 'app-2', type: 'down' } }];
/** Every client seen under four servers, then `app-4` taken out: what the goal counts from. */
const removeAppFour = (algorithm: 'ip-hash' | 'maglev'): LessonAction[] => [
  startTraffic,
  { action: 'wait', ms: 4_000 },
  { action: 'config', body: movesSandbox(algorithm, 3) },
];

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
    {
      name: 'sticky sessions: a consistent hash of the session cookie instead of ip-hash',
      config: stickySandbox({ algorithm: 'consistent-hash', hashKey: 'cookie:session' }),
      goal: sessionsKept,
    },
    {
      name: 'who moves: Maglev instead of the ring',
      config: movesSandbox('maglev', 4),
      before: removeAppFour('maglev'),
      goal: onlyTheLeaversKeysMoved,
    },
    {
      name: 'retry storms: three tries under a tighter budget',
      config: retrySandbox({ tries: 3, budget: { percent: 10, minConcurrent: 1 } }),
      goal: loadBounded,
    },
    {
      name: 'outlier detection: a circuit breaker instead of ejection',
      config: outlierSandbox('circuitBreaker'),
      goal: badServerOut,
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
    {
      // It spreads by load, not by client: a shopper's next request lands wherever is least busy.
      name: 'sticky sessions: least connections',
      config: stickySandbox({ algorithm: 'least-connections' }),
      goal: sessionsKept,
      windowMs: 12_000,
    },
    {
      // The modulo hash, as in the lesson's first step: most clients of the servers that stayed move.
      name: 'who moves: ip-hash when app-4 leaves',
      config: movesSandbox('ip-hash', 4),
      before: removeAppFour('ip-hash'),
      goal: onlyTheLeaversKeysMoved,
      windowMs: 10_000,
    },
    {
      // With 80% failing, two tries still send 1.8 tries per request: 60% of the clients' count per app.
      name: 'retry storms: two tries without a budget',
      config: retrySandbox({ tries: 2, budget: { percent: 100, minConcurrent: 1000 } }),
      goal: loadBounded,
      windowMs: 15_000,
    },
    {
      // app-2's process is up and its /health answers 200: checks never take it out.
      name: 'outlier detection: active health checks',
      config: outlierSandbox('healthCheck'),
      goal: badServerOut,
      windowMs: 12_000,
    },
  ])('$name', { timeout: 60_000 }, async ({ config, before = [startTraffic], goal, windowMs }) => {
    const report = await judge(config, before, goal, windowMs);
    expect(report.met, report.detail).toBe(false);
  });
});
