/**
 * What the lesson panel shows for one snapshot of the lesson machine (lessons/lesson.machine.ts):
 * which phase the lesson is in, the step, the hints revealed so far, which buttons do something,
 * and the checker's report. Pure, so every phase is tested without a page; the numbers are the
 * checker's (`report`), read from engine metrics, never counted here.
 */
import type { SnapshotFrom } from 'xstate';
import type { GoalReport } from '../../../../lessons/checker.ts';
import type { Lesson, LessonStep } from '../../../../lessons/format.ts';
import type { lessonMachine } from '../../../../lessons/lesson.machine.ts';

export type LessonSnapshot = SnapshotFrom<typeof lessonMachine>;

export type LessonPhase =
  /** Chosen, not started: START would replace the running sandbox. */
  | 'ready'
  /** Replacing the sandbox with the lesson's start config. */
  | 'preparing'
  /** The sandbox could not be prepared (`error` says why); START tries again. */
  | 'failed'
  /** The lesson's opening, before its first step. */
  | 'intro'
  /** A step has begun; its goal is checked once the engine's next metrics arrive. */
  | 'waiting'
  /** The goal is checked on every metrics tick. */
  | 'checking'
  /** "Show me" is applying the step's reference solution; the goal is still checked. */
  | 'demonstrating'
  /** The step's goal is met; NEXT goes on. */
  | 'done'
  | 'complete'
  /** The engine's event stream is down; the lesson waits for it. */
  | 'disconnected';

export interface LessonView {
  phase: LessonPhase;
  lesson: Lesson;
  /** The current (or just finished) step. */
  step: LessonStep;
  stepIndex: number;
  stepCount: number;
  isLastStep: boolean;
  /** The step's goal against the engine's latest metrics; null until the step has its baseline. */
  report: GoalReport | null;
  /** A config was applied during the step, so its goal counts from that change, not from the step's beginning. */
  countsFromChange: boolean;
  /** The current step's hints revealed so far, in order. */
  hints: string[];
  hintsLeft: number;
  canHint: boolean;
  canShowMe: boolean;
  /** The machine is doing something the learner waits for (preparing, showing). */
  busy: boolean;
  error: string | null;
}

const STEP_PHASES: ReadonlySet<LessonPhase> = new Set(['waiting', 'checking', 'demonstrating']);

export function lessonPhase(snapshot: LessonSnapshot): LessonPhase {
  if (snapshot.matches('idle')) return 'ready';
  if (snapshot.matches('preparing')) return 'preparing';
  if (snapshot.matches('failed')) return 'failed';
  if (snapshot.matches('disconnected')) return 'disconnected';
  if (snapshot.matches({ running: 'intro' })) return 'intro';
  if (snapshot.matches({ running: { step: 'awaitingBaseline' } })) return 'waiting';
  if (snapshot.matches({ running: { step: 'checking' } })) return 'checking';
  if (snapshot.matches({ running: { step: 'demonstrating' } })) return 'demonstrating';
  if (snapshot.matches({ running: 'stepDone' })) return 'done';
  return 'complete';
}

export function lessonView(snapshot: LessonSnapshot): LessonView {
  const { lesson, stepIndex, report, countedFrom, hintsShown, error } = snapshot.context;
  const phase = lessonPhase(snapshot);
  const step = lesson.steps[stepIndex];
  const shown = hintsShown[stepIndex] ?? 0;
  return {
    phase,
    lesson,
    step,
    stepIndex,
    stepCount: lesson.steps.length,
    isLastStep: stepIndex === lesson.steps.length - 1,
    // After a reconnection the machine keeps the old report until the new baseline: not shown, as
    // the step is about to count again from zero.
    report: phase === 'waiting' ? null : report,
    countsFromChange: countedFrom === 'change' && STEP_PHASES.has(phase),
    hints: step.hints.slice(0, shown),
    hintsLeft: step.hints.length - shown,
    canHint: STEP_PHASES.has(phase) && shown < step.hints.length,
    canShowMe: phase === 'checking',
    busy: phase === 'preparing' || phase === 'demonstrating',
    error,
  };
}

/** Phases in which the learner works on a step (the step, its goal and its hints are shown). */
export function isStepPhase(phase: LessonPhase): boolean {
  return STEP_PHASES.has(phase) || phase === 'done';
}
