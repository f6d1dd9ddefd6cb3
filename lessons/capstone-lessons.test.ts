/**
 * The fundamentals' hop lesson and the capstones accept other right builds than their reference
 * solution, and refuse one that only looks right (an incident or a cost that was cleared rather than
 * built around): each case runs a config on a real engine and reads the step's own goal (judge.fixture.ts).
 * A wrong build must still miss it after a window longer than the right one needs.
 */
import { describe, expect, it } from 'vitest';
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { balancedBuild, bareSandbox, sloGoal } from './build-to-slo.ts';
import type { Goal, LessonAction } from './format.ts';
import { drillGoal, drillSandbox } from './incident-drill.ts';
import { judge, startTraffic } from './judge.fixture.ts';
import { hopRemovedGoal, hopSandbox } from './the-cost-of-a-hop.ts';

/** The longest goal here: a 12 s window after the config, with room for a loaded machine. */
const MEET_WITHIN_MS = 30_000;
const healthChecks = { healthCheck: { interval: '500ms', timeout: '250ms', fall: 2, rise: 2 } };

/**
 * The look-alike of a build: no copies, only `app-1` made bigger (50 at once) behind a balancer over it
 * alone that retries: the queue is gone and most bad-disk answers are tried again on the same server.
 */
const biggerServer: EdgeConfigInput = {
  ...bareSandbox,
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: 'lb' },
    { id: 'lb', kind: 'balancer', listen: 8082, targets: ['app-1'], retries: { tries: 5 } },
    { id: 'app-1', kind: 'service', listen: 9001, latency: '40ms', capacity: { concurrency: 50, queue: 20 } },
  ],
};

/** The drill's reference (health checks and retries) with app-1's crash deleted from the scenario. */
const drillWithoutTheCrash: EdgeConfigInput = {
  ...drillSandbox({ ...healthChecks, retries: { tries: 3 } }),
  scenario: drillSandbox().scenario!.filter((line) => line.target !== 'app-1'),
};

/** The three copies with nothing for the bad disk, the disk itself made good: one answer in a thousand fails. */
const softenedDisk: EdgeConfigInput = {
  ...balancedBuild(['app-1', 'app-2', 'app-3']),
  scenario: [{ at: '0s', target: 'app-1', type: 'errors', rate: 0.001, status: 503 }],
};

describe('fundamentals and capstones: other right builds are accepted', () => {
  it.each<{ name: string; config: EdgeConfigInput; goal: Goal }>([
    {
      // The config warns that nothing sends to legacy; it runs all the same.
      name: 'the cost of a hop: routed around legacy, left idle in the config',
      config: hopSandbox('around-legacy'),
      goal: hopRemovedGoal,
    },
    {
      // Also warned: app-1 runs with nothing sending to it.
      name: 'build to an SLO: the server with the bad disk left out of the balancer',
      config: balancedBuild(['app-2', 'app-3']),
      goal: sloGoal,
    },
    {
      name: 'build to an SLO: outlier detection ejects the server with the bad disk, retries cover until it does',
      config: balancedBuild(['app-1', 'app-2', 'app-3'], { outlierDetection: { consecutiveFailures: 2 }, retries: { tries: 2 } }),
      goal: sloGoal,
    },
    {
      name: 'the incident drill: outlier detection and retries instead of health checks and retries',
      config: drillSandbox({ outlierDetection: { consecutiveFailures: 3, maxEjectionPercent: 50 }, retries: { tries: 3 } }),
      goal: drillGoal,
    },
  ])('$name', { timeout: 60_000 }, async ({ config, goal }) => {
    const report = await judge(config, [startTraffic], goal, MEET_WITHIN_MS);
    expect(report.met, report.detail).toBe(true);
  });
});

describe('fundamentals and capstones: a build that only looks right is refused', () => {
  it.each<{ name: string; config: EdgeConfigInput; before?: LessonAction[]; goal: Goal; windowMs: number; broken?: RegExp }>([
    {
      // Fast enough, but every request still passes legacy.
      name: 'the cost of a hop: legacy kept in the path, its latency fault cleared',
      config: hopSandbox('through-legacy'),
      before: [startTraffic, { action: 'clearFaults' }],
      goal: hopRemovedGoal,
      windowMs: 15_000,
    },
    {
      // Round robin still sends app-1 a third of the requests, and a fifth of those fail: about 7%.
      name: 'build to an SLO: a balancer over three copies with nothing for the bad disk',
      config: balancedBuild(['app-1', 'app-2', 'app-3']),
      goal: sloGoal,
      windowMs: 20_000,
    },
    {
      // The SLO is met by a bigger server, not by building the edge.
      name: 'build to an SLO: app-1 given more capacity, with retries over it alone',
      config: biggerServer,
      goal: sloGoal,
      windowMs: 20_000,
      broken: /^Broken: app-1’s capacity must stay .*\(app-1’s capacity is now 50 at once, 20 waiting; the lesson set 3 at once, 20 waiting\)/,
    },
    {
      // Its fault is still active, but it is no longer the bad disk the lesson set.
      name: 'build to an SLO: the bad disk’s scenario line softened to one error in a thousand',
      config: softenedDisk,
      goal: sloGoal,
      windowMs: 20_000,
      broken: /^Broken: app-1’s bad disk must stay in the scenario .*no longer scripts app-1 errors from 0s/,
    },
    {
      // A fault is active on app-1 again, and the scenario line is still there, but it is not the bad disk.
      name: 'build to an SLO: the bad disk cleared, a harmless fault injected on app-1 in its place',
      config: balancedBuild(['app-1', 'app-2', 'app-3']),
      before: [startTraffic, { action: 'clearFaults' }, { action: 'fault', body: { target: 'app-1', type: 'latency', ms: 1 } }],
      goal: sloGoal,
      windowMs: 20_000,
      broken: /^Broken: app-1’s bad disk must still be failing/,
    },
    {
      // Each flap fails requests for as long as the checks take to notice.
      name: 'the incident drill: health checks alone',
      config: drillSandbox(healthChecks),
      goal: drillGoal,
      windowMs: 25_000,
    },
    {
      // The crash is over by 8 s, so no "still active" reading can miss it: the scenario itself is read.
      name: 'the incident drill: app-1’s crash deleted from the scenario',
      config: drillWithoutTheCrash,
      goal: drillGoal,
      windowMs: 25_000,
      broken: /^Broken: the incident must stay in the scenario .*no longer scripts app-1 down from 2s for 6s as/,
    },
    {
      // Every fault of the scenario has started by 10 s; cleared after that, nothing fails any more, but the drill is over.
      name: 'the incident drill: no resilience, the incident cleared once it has all started',
      config: drillSandbox(),
      before: [startTraffic, { action: 'wait', ms: 10_500 }, { action: 'clearFaults' }],
      goal: drillGoal,
      windowMs: 20_000,
    },
  ])('$name', { timeout: 60_000 }, async ({ config, before = [startTraffic], goal, windowMs, broken }) => {
    const report = await judge(config, before, goal, windowMs);
    expect(report.met, report.detail).toBe(false);
    // Refused for the guard it breaks, said plainly, not only because the SLO happens to be missed.
    if (broken) expect(report.whyNot).toMatch(broken);
  });
});
