import { describe, expect, it } from 'vitest';
import { checkGoal } from '../../../../lessons/checker.ts';
import { runningConfig } from '../../../../lessons/config-goal.ts';
import { sloGoal } from '../../../../lessons/build-to-slo.ts';
import type { Goal } from '../../../../lessons/format.ts';
import { snapshot } from '../../../../lessons/metrics.fixture.ts';
import { LabState } from '../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../test/render.ts';
import GoalProgress from './GoalProgress.svelte';

const held: Goal = { hold: { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 150 }, seconds: 10 };
const lb = (p99: number) => snapshot({ lb: { kind: 'balancer', recent: { requests: 50, latency: { p99 } } } });

describe('GoalProgress', () => {
  it('shows the measured value against the target, the time held, and why the goal is not met yet', () => {
    const history = [lb(40), lb(40), lb(300)].map((nodes, i) => ({ ts: i * 1000, nodes }));
    const report = checkGoal(held, history[2]!.nodes, history[0]!.nodes, 'step', history);
    const view = renderWithLab(GoalProgress, new LabState(), { report });
    expect(view.byTestId('lesson-readout-now')?.textContent).toMatch(/now\s*300 ms goal < 150 ms/);
    expect(view.byTestId('lesson-readout-now')?.getAttribute('aria-label')).toBe('now 300 ms, goal below 150 ms');
    expect(view.byTestId('lesson-readout-held')?.textContent).toMatch(/held\s*0 s goal ≥ 10 s/);
    expect(view.byTestId('lesson-why-not')?.textContent).toBe(
      'Why not yet: lb’s p99 over the last 5 s is 300 ms: 150 ms above the ceiling of 150 ms; then it must hold for 10 s.',
    );
  });

  it('says nothing of why-not once the goal is met, and shows no readout before the first report', () => {
    const history = Array.from({ length: 11 }, (_, i) => ({ ts: i * 1000, nodes: lb(40) }));
    const met = checkGoal(held, history[10]!.nodes, history[0]!.nodes, 'step', history);
    expect(met.met).toBe(true);
    const view = renderWithLab(GoalProgress, new LabState(), { report: met });
    expect(view.byTestId('lesson-why-not')).toBeNull();
    expect(view.byTestId('lesson-readout-held')?.textContent).toMatch(/10 s/);
    const waiting = renderWithLab(GoalProgress, new LabState(), { report: null });
    expect(waiting.byTestId('lesson-readout')).toBeNull();
    expect(waiting.byTestId('lesson-detail')?.textContent?.trim()).toBe('Waiting for the engine’s next numbers…');
  });

  it('shows the guards apart, as conditions that hold or were broken, and leaves them out of the bar', () => {
    const shop = (concurrency: number) => ({
      version: 1,
      nodes: [{ id: 'app-1', kind: 'service', capacity: { concurrency, queue: 20 } }],
      scenario: [{ at: '0s', target: 'app-1', type: 'errors', rate: 0.2, status: 503 }],
    });
    const start = snapshot({ edge: { kind: 'proxy' }, 'app-1': { activeFaults: 1, scenarioFaults: 1 } });
    const judged = (concurrency: number) => checkGoal(sloGoal, start, start, 'step', [{ ts: 0, nodes: start }], runningConfig(shop(concurrency)));
    const view = renderWithLab(GoalProgress, new LabState(), { report: judged(3) });
    expect(view.byTestId('lesson-progress')?.getAttribute('aria-valuenow')).toBe('0');
    const guards = () => [...view.target.querySelectorAll('[data-testid="lesson-goal-guard"]')].map((li) => li.getAttribute('data-holds'));
    expect(guards()).toEqual(['true', 'true', 'true']);
    // Its one part to achieve is the goal's sentence; it is not listed again.
    expect(view.byTestId('lesson-goal-parts')).toBeNull();

    const broken = renderWithLab(GoalProgress, new LabState(), { report: judged(50) });
    const capacity = broken.target.querySelectorAll('[data-testid="lesson-goal-guard"]')[2];
    expect(capacity?.getAttribute('data-holds')).toBe('false');
    expect(capacity?.textContent?.replace(/\s+/g, ' ').trim()).toMatch(/^✗ broken: app-1’s capacity must stay as the lesson set it/);
    expect(broken.byTestId('lesson-why-not')?.textContent).toMatch(/^Why not yet: Broken: app-1’s capacity must stay/);
  });

  it('keeps the reading of a met goal of several parts in view, marked met', () => {
    const goal: Goal = { all: [{ type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 20 }, held.hold] };
    const at = (requests: number) => snapshot({ lb: { kind: 'balancer', requests, recent: { requests: 50, latency: { p99: 40 } } } });
    const met = checkGoal(goal, at(30), at(0));
    expect(met.met).toBe(true);
    const view = renderWithLab(GoalProgress, new LabState(), { report: met });
    expect(view.byTestId('lesson-readout-now')?.getAttribute('aria-label')).toBe('now 40 ms, goal below 150 ms, met');
    expect(view.byTestId('lesson-readout-met')?.textContent).toBe('✓ met');
  });
});
