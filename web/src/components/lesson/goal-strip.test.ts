/** The compact goal strip: the step, the checker's first reading against its target, the parts met, met or not. */
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkGoal } from '../../../../lessons/checker.ts';
import type { Goal } from '../../../../lessons/format.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import GoalStrip from './GoalStrip.svelte';

function render(props: { step: string; title: string; report: ReturnType<typeof checkGoal> | null; met: boolean }) {
  const target = document.createElement('div');
  document.body.append(target);
  const instance = mount(GoalStrip, { target, props });
  flushSync();
  onTestFinished(() => {
    unmount(instance);
    target.remove();
  });
  const text = (id: string) => target.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
  return { target, text };
}

const p99: Goal = { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 150 };
const lb = (latency: number, errors = 0) => snapshot({ lb: { kind: 'balancer', requests: 100, errors, recent: { requests: 50, latency: { p99: latency } } } });

describe('GoalStrip', () => {
  it('reads the measured value against the target, and says not yet while unmet', () => {
    const report = checkGoal(p99, lb(300), lb(0), 'step', [{ ts: 0, nodes: lb(300) }]);
    const strip = render({ step: 'Step 1 of 2', title: 'Tame the tail', report, met: false });
    expect(strip.text('goal-strip')).toMatch(/^○ Step 1 of 2 · Tame the tail/);
    expect(strip.text('goal-strip-reading')).toBe('now 300 ms, goal < 150 ms');
    expect(strip.text('goal-strip-state')).toBe('not yet');
    expect(strip.target.querySelector('[data-testid="goal-strip"]')?.getAttribute('data-met')).toBe('false');
  });

  it('counts the parts of an all goal met, and shows a met goal as met', () => {
    const both: Goal = { all: [p99, { type: 'metric', node: 'lb', metric: 'errors', op: '>=', value: 5 }] };
    const report = checkGoal(both, lb(40, 2), lb(0), 'step', [{ ts: 0, nodes: lb(40, 2) }]);
    expect(report.met).toBe(false);
    const strip = render({ step: 'Step 2 of 2', title: 'Both', report, met: false });
    expect(strip.text('goal-strip-reading')).toMatch(/1 of 2 parts met$/);
    const done = render({ step: 'Step 2 of 2', title: 'Both', report: { ...report, met: true }, met: true });
    expect(done.text('goal-strip-state')).toBe('goal met');
  });

  it('waits for the engine before the first report', () => {
    expect(render({ step: 'Step 1 of 1', title: 'Wait', report: null, met: false }).text('goal-strip-reading')).toBe('waiting for the engine’s numbers');
  });
});
