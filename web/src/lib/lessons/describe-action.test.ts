import { describe, expect, it } from 'vitest';
import type { LessonAction } from '../../../../lessons/format.ts';
import { retrySandbox, naiveRetries, retryStormsAndBudgets } from '../../../../lessons/retry-storms-and-budgets.ts';
import { describeAction, describeSolution } from './describe-action.ts';

describe('describeAction', () => {
  it.each<[LessonAction, string]>([
    [{ action: 'traffic', body: { action: 'stop' } }, 'stop the traffic'],
    [{ action: 'traffic', body: { action: 'start' } }, 'start the traffic'],
    [{ action: 'traffic', body: { action: 'start', rate: 20 } }, 'start the traffic at 20 req/s'],
    [
      { action: 'traffic', body: { action: 'start', rate: 5, clients: 2, to: 'api' } },
      'start the traffic at 5 req/s (with its clients, to changed)',
    ],
    [{ action: 'fault', body: { target: 'users-2', type: 'down' } }, 'stop users-2 (a “down” fault)'],
    [{ action: 'clearFaults' }, 'clear every fault (stopped services start again)'],
    [{ action: 'config', body: { version: 1, name: 'Sticky', nodes: [{ id: 's', kind: 'service' }] } }, 'apply the config “Sticky”'],
    [{ action: 'wait', ms: 1500 }, 'wait 1.5 s'],
    [{ action: 'wait', ms: 300 }, 'wait 300 ms'],
  ])('%j', (action, text) => {
    expect(describeAction(action)).toBe(text);
  });

  it('joins a solution into one sentence', () => {
    expect(
      describeSolution([
        { action: 'traffic', body: { action: 'start', rate: 20 } },
        { action: 'fault', body: { target: 'users-2', type: 'down' } },
      ]),
    ).toBe('Start the traffic at 20 req/s, then stop users-2 (a “down” fault)');
  });

  it('tells a config by what it changes against the config before, and where on the page', () => {
    const before = retrySandbox(naiveRetries);
    expect(describeSolution(retryStormsAndBudgets.steps[0].solution, before)).toBe(
      'Apply the config “Retry storms and budgets” (in lb’s Settings: retries.budget.percent 20, retries.budget.minConcurrent 3), then start the traffic',
    );
  });
});
