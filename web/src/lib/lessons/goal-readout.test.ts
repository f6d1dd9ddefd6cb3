import { describe, expect, it } from 'vitest';
import { checkGoal } from '../../../../lessons/checker.ts';
import { runningConfig } from '../../../../lessons/config-goal.ts';
import type { Goal, MetricsByNode, Snapshot } from '../../../../lessons/format.ts';
import { errorsUnder1, lbErrors } from '../../../../lessons/goal.fixture.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import { sloGoal } from '../../../../lessons/build-to-slo.ts';
import { goalParts, readoutLines } from './goal-readout.ts';

/** Ticks one second apart from t = 0, the first being the baseline; judged at the last. */
function atLast(goal: Goal, ...nodes: MetricsByNode[]) {
  const history: Snapshot[] = nodes.map((n, i) => ({ ts: i * 1000, nodes: n }));
  return checkGoal(goal, history.at(-1)!.nodes, history[0]!.nodes, 'step', history);
}

const p99Under150: Goal = { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 150 };
const lbLatency = (p99: number) => snapshot({ lb: { kind: 'balancer', recent: { requests: 50, latency: { p99 } } } });

describe('readoutLines: the measured value against the target, for every goal type', () => {
  it.each([
    {
      name: 'a counter',
      report: () => atLast({ type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 20 }, snapshot({ lb: { requests: 5 } }), snapshot({ lb: { requests: 17 } })),
      lines: [{ label: 'now', measured: '12', target: '≥ 20', spoken: 'now 12, goal at least 20', met: false }],
    },
    {
      name: 'a latency',
      report: () => atLast(p99Under150, lbLatency(0), lbLatency(212)),
      lines: [{ label: 'now', measured: '212 ms', target: '< 150 ms', spoken: 'now 212 ms, goal below 150 ms', met: false }],
    },
    {
      name: 'a ratio over the last requests',
      report: () => atLast(errorsUnder1, lbErrors(0, 0), lbErrors(100, 0), lbErrors(200, 50), lbErrors(300, 50)),
      lines: [{ label: 'now', measured: '25%', target: '< 1%', spoken: 'now 25%, goal below 1%', met: false }],
    },
    {
      name: 'a ratio not yet judged: the share so far',
      report: () => atLast(errorsUnder1, lbErrors(0, 0), lbErrors(40, 2)),
      lines: [{ label: 'now', measured: '5%', target: '< 1%', spoken: 'now 5%, goal below 1%', met: false }],
    },
    {
      name: 'a windowed hold: the held goal now, then the time held',
      report: () => atLast({ hold: p99Under150, seconds: 10 }, lbLatency(40), lbLatency(40), lbLatency(40)),
      lines: [
        { label: 'now', measured: '40 ms', target: '< 150 ms', spoken: 'now 40 ms, goal below 150 ms', met: false },
        { label: 'held', measured: '2 s', target: '≥ 10 s', spoken: 'held 2 s, goal at least 10 s', met: false },
      ],
    },
    {
      name: 'a hold whose goal is false now: held 0',
      report: () => atLast({ hold: { ...errorsUnder1, over: { seconds: 2 }, atLeast: 10 }, seconds: 5 }, lbErrors(0, 0), lbErrors(50, 5), lbErrors(100, 10)),
      lines: [
        { label: 'now', measured: '10%', target: '< 1%', spoken: 'now 10%, goal below 1%', met: false },
        { label: 'held', measured: '0 s', target: '≥ 5 s', spoken: 'held 0 s, goal at least 5 s', met: false },
      ],
    },
    {
      name: 'all: the first unmet part',
      report: () =>
        atLast({ all: [{ type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 1 }, p99Under150] }, lbLatency(0), {
          lb: { ...lbLatency(300).lb!, requests: 5 },
        }),
      lines: [{ label: 'now', measured: '300 ms', target: '< 150 ms', spoken: 'now 300 ms, goal below 150 ms', met: false }],
    },
  ])('$name', ({ report, lines }) => {
    const judged = report();
    expect(judged.met).toBe(false);
    expect(judged.whyNot, 'every unmet goal says why').toBeTruthy();
    expect(readoutLines(judged)).toEqual(lines);
  });

  it('has no line for a node that reports nothing yet (its why-not says so)', () => {
    const report = checkGoal(p99Under150, {}, {});
    expect(readoutLines(report)).toEqual([]);
    expect(report.whyNot).toBe('lb reports no metrics yet: is the sandbox running?');
  });
});

describe('readoutLines once the goal is met: the reading it was met at stays, marked met', () => {
  it.each([
    {
      name: 'a counter',
      report: () => atLast({ type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 20 }, snapshot({ lb: { requests: 0 } }), snapshot({ lb: { requests: 25 } })),
      lines: [{ label: 'now', measured: '25', target: '≥ 20', spoken: 'now 25, goal at least 20, met', met: true }],
    },
    {
      // Before, a met `all` had no reading at all: the readout vanished the moment the goal was met.
      name: 'all: the reading of its last part',
      report: () =>
        atLast({ all: [{ type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 1 }, p99Under150] }, lbLatency(0), {
          lb: { ...lbLatency(90).lb!, requests: 5 },
        }),
      lines: [{ label: 'now', measured: '90 ms', target: '< 150 ms', spoken: 'now 90 ms, goal below 150 ms, met', met: true }],
    },
  ])('$name', ({ report, lines }) => {
    const judged = report();
    expect(judged.met).toBe(true);
    expect(readoutLines(judged)).toEqual(lines);
  });
});

describe('goalParts: the parts to achieve, and the guards apart', () => {
  const app1 = (activeFaults: number) => ({ kind: 'service' as const, activeFaults, scenarioFaults: activeFaults });
  const shop = { version: 1, nodes: [{ id: 'app-1', kind: 'service', capacity: { concurrency: 3, queue: 20 } }], scenario: [{ at: '0s', target: 'app-1', type: 'errors', rate: 0.2, status: 503 }] };

  it('build to an SLO starts empty: its guards hold from the start, and count nothing toward the bar', () => {
    const start = snapshot({ edge: { kind: 'proxy' }, 'app-1': app1(1) });
    const report = checkGoal(sloGoal, start, start, 'step', [{ ts: 0, nodes: start }], runningConfig(shop));
    expect(report.progress).toBe(0);
    const { aims, guards } = goalParts(report);
    expect(aims).toHaveLength(1);
    expect(guards.map((g) => [g.holds, g.rule.split(':')[0]])).toEqual([
      [true, 'app-1’s bad disk must still be failing'],
      [true, 'app-1’s bad disk must stay in the scenario as the lesson scripted it (one answer in five a 503)'],
      [true, 'app-1’s capacity must stay as the lesson set it (3 at once, 20 waiting)'],
    ]);
  });

  it('shows a broken guard as broken, with what the checker reads now', () => {
    const start = snapshot({ edge: { kind: 'proxy' }, 'app-1': app1(1) });
    const bigger = { ...shop, nodes: [{ id: 'app-1', kind: 'service', capacity: { concurrency: 50, queue: 20 } }] };
    const { guards } = goalParts(checkGoal(sloGoal, start, start, 'step', [{ ts: 0, nodes: start }], runningConfig(bigger)));
    expect(guards[2]).toMatchObject({ holds: false, detail: 'app-1’s capacity is now 50 at once, 20 waiting; the lesson set 3 at once, 20 waiting' });
  });

  it('has neither for a goal of one part', () => {
    expect(goalParts(checkGoal(p99Under150, {}, {}))).toEqual({ aims: [], guards: [] });
  });
});
