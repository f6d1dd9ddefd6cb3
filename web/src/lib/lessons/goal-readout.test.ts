import { describe, expect, it } from 'vitest';
import { checkGoal } from '../../../../lessons/checker.ts';
import type { Goal, MetricsByNode, Snapshot } from '../../../../lessons/format.ts';
import { errorsUnder1, lbErrors } from '../../../../lessons/goal.fixture.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import { readoutLines } from './goal-readout.ts';

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
      lines: [{ label: 'now', measured: '12', target: '≥ 20', spoken: 'now 12, goal at least 20' }],
    },
    {
      name: 'a latency',
      report: () => atLast(p99Under150, lbLatency(0), lbLatency(212)),
      lines: [{ label: 'now', measured: '212 ms', target: '< 150 ms', spoken: 'now 212 ms, goal below 150 ms' }],
    },
    {
      name: 'a ratio over the last requests',
      report: () => atLast(errorsUnder1, lbErrors(0, 0), lbErrors(100, 0), lbErrors(200, 50), lbErrors(300, 50)),
      lines: [{ label: 'now', measured: '25%', target: '< 1%', spoken: 'now 25%, goal below 1%' }],
    },
    {
      name: 'a ratio not yet judged: the share so far',
      report: () => atLast(errorsUnder1, lbErrors(0, 0), lbErrors(40, 2)),
      lines: [{ label: 'now', measured: '5%', target: '< 1%', spoken: 'now 5%, goal below 1%' }],
    },
    {
      name: 'a windowed hold: the held goal now, then the time held',
      report: () => atLast({ hold: p99Under150, seconds: 10 }, lbLatency(40), lbLatency(40), lbLatency(40)),
      lines: [
        { label: 'now', measured: '40 ms', target: '< 150 ms', spoken: 'now 40 ms, goal below 150 ms' },
        { label: 'held', measured: '2 s', target: '≥ 10 s', spoken: 'held 2 s, goal at least 10 s' },
      ],
    },
    {
      name: 'a hold whose goal is false now: held 0',
      report: () => atLast({ hold: { ...errorsUnder1, over: { seconds: 2 }, atLeast: 10 }, seconds: 5 }, lbErrors(0, 0), lbErrors(50, 5), lbErrors(100, 10)),
      lines: [
        { label: 'now', measured: '10%', target: '< 1%', spoken: 'now 10%, goal below 1%' },
        { label: 'held', measured: '0 s', target: '≥ 5 s', spoken: 'held 0 s, goal at least 5 s' },
      ],
    },
    {
      name: 'all: the first unmet part',
      report: () =>
        atLast({ all: [{ type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 1 }, p99Under150] }, lbLatency(0), {
          lb: { ...lbLatency(300).lb!, requests: 5 },
        }),
      lines: [{ label: 'now', measured: '300 ms', target: '< 150 ms', spoken: 'now 300 ms, goal below 150 ms' }],
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
