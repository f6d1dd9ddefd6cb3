import { describe, expect, it } from 'vitest';
import type { GoalReport } from '../../../../lessons/checker.ts';
import { lessonMachine, type LessonContext } from '../../../../lessons/lesson.machine.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { lessonView } from './lesson-view.ts';

type StateValue = Parameters<typeof lessonMachine.resolveState>[0]['value'];

function viewAt(value: StateValue, context: Partial<LessonContext> = {}) {
  const snapshot = lessonMachine.resolveState({
    value,
    context: {
      lesson: roundRobinBasics,
      baseUrl: '',
      stepIndex: 0,
      latest: null,
      baseline: null,
      report: null,
      countedFrom: 'step',
      hintsShown: [0, 0, 0],
      error: null,
      ...context,
    },
  });
  return lessonView(snapshot);
}

const halfWay: GoalReport = {
  met: false,
  progress: 0.5,
  detail: 'users-2 has answered 10 of 20 requests with 2xx since the step began (2 of 3 nodes done)',
};

describe('lessonView', () => {
  it.each([
    ['idle', 'ready'],
    ['preparing', 'preparing'],
    ['failed', 'failed'],
    ['disconnected', 'disconnected'],
    [{ running: 'intro' }, 'intro'],
    [{ running: { step: 'awaitingBaseline' } }, 'waiting'],
    [{ running: { step: 'checking' } }, 'checking'],
    [{ running: { step: 'demonstrating' } }, 'demonstrating'],
    [{ running: 'stepDone' }, 'done'],
    [{ running: 'complete' }, 'complete'],
  ] as Array<[StateValue, string]>)('%j is the phase %s', (value, phase) => {
    expect(viewAt(value).phase).toBe(phase);
  });

  it('offers "show me" only while the goal is being checked', () => {
    expect(viewAt({ running: { step: 'checking' } }).canShowMe).toBe(true);
    for (const value of [
      { running: { step: 'awaitingBaseline' } },
      { running: { step: 'demonstrating' } },
      { running: 'stepDone' },
      'idle',
    ] as StateValue[]) {
      expect(viewAt(value).canShowMe, JSON.stringify(value)).toBe(false);
    }
  });

  it('reveals the current step’s hints in order, and offers more until there are none', () => {
    const second = roundRobinBasics.steps[1];
    const view = viewAt({ running: { step: 'checking' } }, { stepIndex: 1, hintsShown: [3, 2, 0] });
    expect(view.step).toBe(second);
    expect(view.hints).toEqual(second.hints.slice(0, 2));
    expect(view.hintsLeft).toBe(1);
    expect(view.canHint).toBe(true);

    const all = viewAt({ running: { step: 'checking' } }, { stepIndex: 1, hintsShown: [0, 3, 0] });
    expect(all.hints).toEqual(second.hints);
    expect(all.canHint).toBe(false);
    expect(viewAt({ running: 'stepDone' }, { stepIndex: 1, hintsShown: [0, 1, 0] })).toMatchObject({
      canHint: false,
      hints: [second.hints[0]],
    });
  });

  it('passes the checker’s report and the last error through untouched', () => {
    const view = viewAt({ running: { step: 'checking' } }, { report: halfWay, error: 'POST /api/traffic answered 500: boom' });
    expect(view.report).toBe(halfWay);
    expect(view.error).toBe('POST /api/traffic answered 500: boom');
  });

  it('shows no report while the step waits for its baseline (the one kept from before a reconnection is stale)', () => {
    expect(viewAt({ running: { step: 'awaitingBaseline' } }, { report: halfWay }).report).toBeNull();
  });

  it('says the goal counts from the last config change while a step counts from one', () => {
    expect(viewAt({ running: { step: 'checking' } }).countsFromChange).toBe(false);
    expect(viewAt({ running: { step: 'checking' } }, { countedFrom: 'change' }).countsFromChange).toBe(true);
    expect(viewAt({ running: { step: 'demonstrating' } }, { countedFrom: 'change' }).countsFromChange).toBe(true);
    expect(viewAt({ running: 'stepDone' }, { countedFrom: 'change' }).countsFromChange).toBe(false);
  });

  it('knows the last step', () => {
    expect(viewAt({ running: 'stepDone' }, { stepIndex: 1 })).toMatchObject({ stepIndex: 1, stepCount: 3, isLastStep: false });
    expect(viewAt({ running: 'stepDone' }, { stepIndex: 2 }).isLastStep).toBe(true);
  });

  it('is busy while preparing the sandbox and while showing', () => {
    expect(viewAt('preparing').busy).toBe(true);
    expect(viewAt({ running: { step: 'demonstrating' } }).busy).toBe(true);
    expect(viewAt({ running: { step: 'checking' } }).busy).toBe(false);
  });
});
