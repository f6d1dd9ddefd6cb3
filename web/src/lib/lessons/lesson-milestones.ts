/**
 * The moments of a lesson worth a mark on the charts' time axis: a step began (the learner went on to
 * it) and a step's goal was met (the engine's numbers said so). Read from two successive views of the
 * lesson machine, so the rules are the machine's: coming back from a lost engine connection to the
 * same step marks nothing, and neither does a reset.
 */
import { isStepPhase, type LessonView } from './lesson-view.ts';

/** What happened between `before` and `after`, in words for the marker's label; undefined: nothing to mark. */
export function lessonMilestone(before: LessonView | undefined, after: LessonView): string | undefined {
  const step = `lesson step ${after.stepIndex + 1} of ${after.stepCount} (${after.step.title})`;
  if (after.phase === 'done' && before?.phase !== 'done' && before?.phase !== 'disconnected') return `${step}: goal met`;
  if (!isStepPhase(after.phase) || after.phase === 'done') return undefined;
  const sameStep = before !== undefined && before.stepIndex === after.stepIndex && (isStepPhase(before.phase) || before.phase === 'disconnected');
  return sameStep ? undefined : `${step} began`;
}
