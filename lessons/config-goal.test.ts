import { describe, expect, it } from 'vitest';
import { checkGoal } from './checker.ts';
import { runningConfig } from './config-goal.ts';
import type { ConfigGoal, ScenarioLine } from './format.ts';

const badDisk: ScenarioLine = { at: '0s', target: 'app-1', type: 'errors', rate: 0.2, status: 503 };
const crash: ScenarioLine = { at: '2s', for: '6s', target: 'app-1', type: 'down' };
const capacityKept: ConfigGoal = { type: 'config', node: 'app-1', capacity: { concurrency: 3, queue: 20 } };
const scenarioKept: ConfigGoal = { type: 'config', scenario: [badDisk, crash] };

/** A running config as `GET /api/config` answers it: only the parts these goals read. */
const running = (app1: Record<string, unknown> | undefined, scenario: unknown[] = []) => ({
  version: 1,
  nodes: [{ id: 'edge', kind: 'proxy', to: 'app-1' }, ...(app1 ? [{ id: 'app-1', kind: 'service', ...app1 }] : [])],
  scenario,
});
const judged = (goal: ConfigGoal, config: unknown) => checkGoal(goal, {}, {}, 'step', [], runningConfig(config));

describe('a config goal: a node’s capacity as the lesson set it', () => {
  it('is met by the same capacity, however it is written (a default spelled out, keys in another order)', () => {
    expect(judged(capacityKept, running({ capacity: { queue: 20, concurrency: 3 } }))).toMatchObject({
      met: true,
      progress: 1,
      detail: 'app-1’s capacity is as the lesson set it: 3 at once, 20 waiting',
    });
    const noQueue: ConfigGoal = { type: 'config', node: 'app-1', capacity: { concurrency: 3 } };
    expect(judged(noQueue, running({ capacity: { concurrency: 3, queue: 0 } })).met).toBe(true);
  });

  it.each([
    { name: 'raised', app1: { capacity: { concurrency: 50, queue: 20 } }, now: '50 at once, 20 waiting' },
    { name: 'a longer queue', app1: { capacity: { concurrency: 3, queue: 200 } }, now: '3 at once, 200 waiting' },
    { name: 'removed', app1: {}, now: 'unlimited' },
  ])('is broken by a capacity $name, and says what it is now against what the lesson set', ({ app1, now }) => {
    const report = judged(capacityKept, running(app1));
    expect(report).toMatchObject({ met: false, progress: 0 });
    expect(report.whyNot).toBe(`app-1’s capacity is now ${now}; the lesson set 3 at once, 20 waiting.`);
  });

  it('is broken when the node is gone, and unmet before the running config was read', () => {
    expect(judged(capacityKept, running(undefined)).detail).toBe('app-1 is gone from the running config; the lesson set its capacity to 3 at once, 20 waiting');
    expect(judged(capacityKept, undefined)).toMatchObject({ met: false, whyNot: 'the running config has not been read yet: is the engine up?' });
  });
});

describe('a config goal: the scenario’s lines as the lesson scripted them', () => {
  it('is met while every line is there as it was, written any way the engine reads the same, others added', () => {
    const same = [{ ...crash, at: '2000ms' }, { ...badDisk, at: 0 }, { at: '9s', target: 'app-2', type: 'down' }];
    expect(judged(scenarioKept, running({}, same))).toMatchObject({
      met: true,
      detail: 'the scenario still scripts app-1 errors from 0s; app-1 down from 2s for 6s',
    });
  });

  it.each([
    { name: 'a line deleted', scenario: [badDisk], missing: 'app-1 down from 2s for 6s' },
    { name: 'a line softened', scenario: [{ ...badDisk, rate: 0.001 }, crash], missing: 'app-1 errors from 0s' },
    { name: 'a line moved later', scenario: [badDisk, { ...crash, at: '20s' }], missing: 'app-1 down from 2s for 6s' },
    { name: 'every line deleted', scenario: [], missing: 'app-1 errors from 0s; app-1 down from 2s for 6s' },
  ])('is broken by $name, and names the lines as the lesson wrote them', ({ scenario, missing }) => {
    const report = judged(scenarioKept, running({}, scenario));
    expect(report.met).toBe(false);
    expect(report.whyNot).toBe(`the scenario no longer scripts ${missing} as the lesson set it.`);
  });
});
