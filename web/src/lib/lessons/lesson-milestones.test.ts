import { describe, expect, it } from 'vitest';
import { lessonMachine, type LessonContext } from '../../../../lessons/lesson.machine.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { lessonMilestone } from './lesson-milestones.ts';
import { lessonView } from './lesson-view.ts';

type StateValue = Parameters<typeof lessonMachine.resolveState>[0]['value'];

function viewAt(value: StateValue, stepIndex = 0) {
  const context: LessonContext = {
    lesson: roundRobinBasics,
    baseUrl: '',
    stepIndex,
    latest: null,
    baseline: null,
    report: null,
    countedFrom: 'step',
    hintsShown: [0, 0, 0],
    error: null,
  };
  return lessonView(lessonMachine.resolveState({ value, context }));
}

const first = roundRobinBasics.steps[0]!.title;
const second = roundRobinBasics.steps[1]!.title;
const count = roundRobinBasics.steps.length;

describe('lessonMilestone', () => {
  it('marks a step that begins, from the intro and from the step before', () => {
    expect(lessonMilestone(viewAt({ running: 'intro' }), viewAt({ running: { step: 'awaitingBaseline' } }))).toBe(`lesson step 1 of ${count} (${first}) began`);
    expect(lessonMilestone(viewAt({ running: 'stepDone' }, 0), viewAt({ running: { step: 'awaitingBaseline' } }, 1))).toBe(`lesson step 2 of ${count} (${second}) began`);
  });

  it("marks a step's goal met once", () => {
    expect(lessonMilestone(viewAt({ running: { step: 'checking' } }), viewAt({ running: 'stepDone' }))).toBe(`lesson step 1 of ${count} (${first}): goal met`);
    expect(lessonMilestone(viewAt({ running: 'stepDone' }), viewAt({ running: 'stepDone' }))).toBeUndefined();
  });

  it('marks nothing while a step goes on, on coming back to it after a lost connection, or outside the steps', () => {
    const same: Array<[StateValue, StateValue]> = [
      [{ running: { step: 'awaitingBaseline' } }, { running: { step: 'checking' } }],
      [{ running: { step: 'checking' } }, { running: { step: 'demonstrating' } }],
      ['disconnected', { running: { step: 'awaitingBaseline' } }],
      ['disconnected', { running: 'stepDone' }],
      ['idle', 'preparing'],
      ['preparing', { running: 'intro' }],
      [{ running: 'stepDone' }, { running: 'complete' }],
    ];
    for (const [before, after] of same) expect(lessonMilestone(viewAt(before), viewAt(after)), JSON.stringify([before, after])).toBeUndefined();
  });
});
