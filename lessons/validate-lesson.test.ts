import { describe, expect, it } from 'vitest';
import type { Goal, Lesson, LessonStep } from './format.ts';
import { formatProblems, validateLesson } from './validate-lesson.ts';

const goal: Goal = { type: 'metric', node: 'app', metric: 'statusClasses.2xx', op: '>=', value: 10 };

const step: LessonStep = {
  id: 'serve',
  title: 'Serve',
  body: 'Start the traffic and watch `app` answer through `lb`.',
  goal,
  hints: ['Press "Resume traffic".', 'Or open the inspector of `lb` and use "Stop app".'],
  solution: [{ action: 'traffic', body: { action: 'start', rate: 10 } }],
};

const lesson: Lesson = {
  id: 'tiny',
  title: 'Tiny',
  summary: 'A balancer and one service.',
  track: 'load-balancing',
  startConfig: {
    version: 1,
    name: 'Tiny',
    nodes: [
      { id: 'lb', kind: 'balancer', listen: 8082, targets: ['app'] },
      { id: 'app', kind: 'service', listen: 9001 },
    ],
    traffic: [{ to: 'lb', rate: 5 }],
  },
  steps: [step],
};

const withStep = (patch: Partial<LessonStep>): Lesson => ({ ...lesson, steps: [{ ...step, ...patch }] });
const withGoal = (g: unknown): Lesson => withStep({ goal: g as Goal });

describe('validateLesson', () => {
  it('passes a well-formed lesson', () => {
    expect(validateLesson(lesson)).toEqual([]);
  });

  it.each<{ name: string; lesson: Lesson; problem: string }>([
    { name: 'a goal on an unknown node', lesson: withGoal({ ...goal, node: 'app-2' }), problem: 'tiny / serve: its goal: reads node "app-2", which the step\'s config does not have' },
    { name: 'a metric the engine lacks', lesson: withGoal({ ...goal, metric: 'keysMoved' }), problem: 'tiny / serve: its goal: the engine reports no metric "keysMoved"' },
    { name: 'an unknown error code', lesson: withGoal({ ...goal, metric: 'errorCodes.EDGE_TYPO' }), problem: 'tiny / serve: its goal: the engine reports no metric "errorCodes.EDGE_TYPO"' },
    { name: 'a key outcome the balancer does not count', lesson: withGoal({ ...goal, metric: 'keys.new' as 'keys.moved' }), problem: 'tiny / serve: its goal: the engine reports no metric "keys.new"' },
    { name: 'a counter below 0', lesson: withGoal({ ...goal, op: '<', value: 0 }), problem: 'tiny / serve: its goal: < 0 can never be met: the reading is between 0 and Infinity' },
    {
      name: 'a share above 100%',
      lesson: withGoal({ type: 'ratio', label: 'x', counted: 'requests', part: { node: 'app', metrics: ['errors'] }, whole: { node: 'app', metrics: ['requests'] }, atLeast: 10, op: '>', value: 1 }),
      problem: 'tiny / serve: its goal: > 1 can never be met: the reading is between 0 and 1',
    },
    {
      name: 'a request window smaller than what it must hold',
      lesson: withGoal({ type: 'ratio', label: 'x', counted: 'requests', part: { node: 'app', metrics: ['errors'] }, whole: { node: 'app', metrics: ['requests'] }, over: { requests: 50 }, atLeast: 100, op: '<', value: 0.01 }),
      problem: 'tiny / serve: its goal: a window of the last 50 requests never holds atLeast 100',
    },
    { name: 'a latency under 0 ms', lesson: withGoal({ type: 'latency', node: 'lb', stat: 'p99', op: '<=', value: 0 }), problem: 'tiny / serve: its goal: <= 0 can never be met: the reading is between just above 0 and Infinity' },
    { name: 'an unknown percentile', lesson: withGoal({ type: 'latency', node: 'lb', stat: 'p42', op: '<', value: 100 }), problem: 'tiny / serve: its goal: the engine reports no latency statistic "p42" (p50, p95, p99, max, mean)' },
    { name: 'a hold longer than the machine keeps ticks', lesson: withGoal({ hold: goal, seconds: 3600 }), problem: 'tiny / serve: its goal: hold for 3600 s is impossible: give 0 < seconds <= 600' },
    { name: 'an empty any', lesson: withGoal({ any: [] }), problem: 'tiny / serve: its goal: any needs at least one goal' },
    { name: 'a removal of a node that is not there (met for free)', lesson: withGoal({ type: 'removed', node: 'gone' }), problem: 'tiny / serve: its goal: reads node "gone", which the step\'s config does not have' },
    { name: 'a guard without its rule', lesson: withGoal({ keep: goal, rule: '' }), problem: 'tiny / serve: its goal: a guard (keep) needs its rule: what must stay, and why' },
    {
      name: 'a guarded capacity on an unknown node',
      lesson: withGoal({ type: 'config', node: 'app-2', capacity: { concurrency: 3 } }),
      problem: 'tiny / serve: its goal: reads node "app-2", which the step\'s config does not have',
    },
    {
      name: 'a guarded capacity the engine cannot read',
      lesson: withGoal({ type: 'config', node: 'app', capacity: { concurrency: 0 } }),
      problem: 'tiny / serve: its goal: its capacity is not one the engine reads: must be at least 1, got 0',
    },
    {
      name: 'a guarded scenario line on an unknown node',
      lesson: withGoal({ type: 'config', scenario: [{ at: '0s', target: 'db', type: 'down' }] }),
      problem: 'tiny / serve: its goal: its scenario line 1 targets "db", which the step\'s config does not have',
    },
    { name: 'a sandbox without a name', lesson: { ...lesson, startConfig: { ...lesson.startConfig, name: undefined } }, problem: 'tiny: its start config has no name: a reloaded page knows the lesson’s sandbox by its name and node ids' },
    {
      name: 'a sandbox named as an example is',
      lesson: { ...lesson, startConfig: { ...lesson.startConfig, name: 'Classic edge' } },
      problem: 'tiny: its sandbox is named "Classic edge", as examples/classic-edge.yaml is: a fresh engine running that example would pass for this lesson’s sandbox after a reload',
    },
    {
      name: 'a sandbox named as the engine names any unnamed config',
      lesson: { ...lesson, startConfig: { ...lesson.startConfig, name: 'Untitled sandbox' } },
      problem: 'tiny: its sandbox is named "Untitled sandbox", the name the engine gives any config without one: a reloaded page knows the lesson’s sandbox by its name and node ids',
    },
    {
      name: 'a solution config under another name',
      lesson: withStep({ solution: [{ action: 'config', body: { ...lesson.startConfig, name: 'Other' } }] }),
      problem: 'tiny / serve: its solution: a config named "Other", not the lesson\'s "Tiny": the page ends a lesson whose sandbox changes its name',
    },
    { name: 'an unknown kind of goal', lesson: withGoal({ type: 'vibes', op: '>=', value: 1 }), problem: 'tiny / serve: its goal: "vibes" is not a kind of goal' },
    { name: 'a step without hints', lesson: withStep({ hints: [] }), problem: 'tiny / serve: it has no hints' },
    { name: 'a step without a solution', lesson: withStep({ solution: [] as unknown as LessonStep['solution'] }), problem: 'tiny / serve: it has no solution' },
    { name: 'a step without a goal', lesson: withStep({ goal: undefined }), problem: 'tiny / serve: it has no goal' },
    { name: 'a step id that is not kebab-case', lesson: withStep({ id: 'Serve It' }), problem: 'tiny / Serve It: its id "Serve It" is not kebab-case' },
    { name: 'an unknown action', lesson: withStep({ solution: [{ action: 'reboot' }] as unknown as LessonStep['solution'] }), problem: 'tiny / serve: its solution: "reboot" is not an action (traffic, fault, clearFaults, config, wait)' },
    { name: 'a fault on an unknown node', lesson: withStep({ solution: [{ action: 'fault', body: { target: 'db', type: 'down' } }] }), problem: 'tiny / serve: its solution: a fault on "db": no node "db" in the step\'s config' },
    {
      name: 'an invalid config in a solution',
      lesson: withStep({ solution: [{ action: 'config', body: { ...lesson.startConfig, nodes: [{ id: 'lb', kind: 'balancer', listen: 8082, targets: ['gone'] }] } }] }),
      problem: 'tiny / serve: its solution: a config: nodes[0].targets[0]: unknown node "gone"',
    },
    { name: 'a hint naming a node that is not there', lesson: withStep({ hints: ['Stop `app-3`.'] }), problem: 'tiny / serve: its text names `app-3`, which is neither a node of the step nor a word of the config' },
    { name: 'a hint naming a control the page lacks', lesson: withStep({ hints: ['Press "Make it fast".'] }), problem: 'tiny / serve: its text names the control "Make it fast", which the page does not have (page-controls.ts)' },
    { name: 'a control for a node that is not there', lesson: withStep({ hints: ['Press "Stop db".'] }), problem: 'tiny / serve: its text names the control "Stop db", which the page does not have (page-controls.ts)' },
    { name: 'an unknown track', lesson: { ...lesson, track: 'cooking' as Lesson['track'] }, problem: 'tiny: its track "cooking" is not one of fundamentals, load-balancing, gateway, reverse-proxy, weak-points, capstones' },
  ])('names the lesson and step: $name', ({ lesson, problem }) => {
    expect(formatProblems(validateLesson(lesson))).toContain(problem);
  });

  it('takes a settings control for a word of the config, and refuses one for a word it lacks', () => {
    expect(validateLesson(withStep({ hints: ['Open `lb`, its "Settings", press "Set retries", then "Add to targets".'] }))).toEqual([]);
    expect(formatProblems(validateLesson(withStep({ hints: ['Press "Set turbo".'] })))).toContain(
      'tiny / serve: its text names the control "Set turbo", which the page does not have (page-controls.ts)',
    );
  });

  it('takes a removal of a node the step runs, and the faults active on one', () => {
    expect(validateLesson(withGoal({ all: [{ type: 'removed', node: 'lb' }, { type: 'metric', node: 'app', metric: 'activeFaults', op: '>=', value: 1 }] }))).toEqual([]);
  });

  it('takes guards on the config the step runs: a node’s capacity, the scenario’s lines', () => {
    const guards = {
      all: [
        goal,
        { keep: { type: 'config', node: 'app', capacity: { concurrency: 3, queue: 20 } }, rule: 'app stays its size' },
        { keep: { type: 'config', scenario: [{ at: '0s', target: 'app', type: 'errors', rate: 0.2, status: 503 }] }, rule: 'the fault stays' },
      ],
    };
    expect(validateLesson(withGoal(guards))).toEqual([]);
  });

  it('lets a share of another node’s counters exceed 1: retries reach a service more often than clients call', () => {
    const amplified = { type: 'ratio', label: 'x', counted: 'requests', part: { node: 'app', metrics: ['requests'] }, whole: { node: 'lb', metrics: ['requests'] }, atLeast: 10, op: '>', value: 1.5 };
    expect(validateLesson(withGoal(amplified))).toEqual([]);
  });

  it('reads nodes from the config the step runs on: a node an earlier step added is there', () => {
    const grown = {
      ...lesson.startConfig,
      nodes: [
        { id: 'lb', kind: 'balancer' as const, listen: 8082, targets: ['app', 'app-2'] },
        { id: 'app', kind: 'service' as const, listen: 9001 },
        { id: 'app-2', kind: 'service' as const, listen: 9002 },
      ],
    };
    const twoSteps: Lesson = {
      ...lesson,
      steps: [
        { ...step, solution: [{ action: 'config', body: grown }] },
        { ...step, id: 'second', goal: { ...goal, node: 'app-2' } as Goal },
      ],
    };
    expect(validateLesson(twoSteps)).toEqual([]);
    expect(formatProblems(validateLesson({ ...twoSteps, steps: [twoSteps.steps[1]!] }))).toContain(
      'tiny / second: its goal: reads node "app-2", which the step\'s config does not have',
    );
  });
});
