/**
 * Runs one lesson in the web app. The machine does no I/O of its own except through its two
 * actors (preparing the sandbox, "show me"), which the tests replace with `machine.provide`.
 *
 *   idle --START--> preparing --(sandbox ready)--> running.intro --NEXT--> running.step
 *   idle --RESUME--> running.step (at the step given) | running.complete
 *   running.step: awaitingBaseline --(first snapshot)--> checking <--SHOW_ME--> demonstrating
 *   running.step --METRICS [goalMet]--> running.stepDone --NEXT--> running.step (next) | running.complete
 *   running --ENGINE_DISCONNECTED--> disconnected --ENGINE_CONNECTED--> back where it was
 *
 * Preparing the sandbox applies the lesson's config, stops traffic, clears faults and resets every
 * node's counts (client.ts), so the lesson starts from zero; the page passes the engine's
 * `metrics.reset` snapshot on as METRICS.
 *
 * A step's baseline is the latest metrics snapshot when the step begins (or the first one after, if
 * none has arrived), so its goal counts only what happens during the step. After a disconnection the
 * step takes a new baseline: the engine may have restarted, and its old numbers no longer add up.
 * When the engine applies a config during a step (the learner's, or "show me"), the step counts again
 * from the first snapshot after it: a wrong attempt (a 429 where the goal wants none) is not held
 * against the fix that follows it. The sub-state does not change, so a solution being applied goes on.
 * The step keeps every tick since its baseline (`history`, the baseline first), stamped when it arrived
 * unless the event says: goals over a window ("p99 under 150 ms for 10 s") read it.
 */
import { assign, fromPromise, setup } from 'xstate';
import { checkGoal, type CountedFrom, type GoalReport, type RunningConfig } from './checker.ts';
import { applySolution, prepareSandbox } from './client.ts';
import type { Lesson, LessonAction, LessonStep, MetricsByNode, Snapshot } from './format.ts';

/** The most ticks a step keeps: ten minutes at one a second, far more than any window. */
const HISTORY_LIMIT = 600;

export interface LessonInput {
  lesson: Lesson;
  /** The engine's control origin; `''` in the browser for the page's own origin. */
  baseUrl: string;
}

export interface LessonContext extends LessonInput {
  /** Index into `lesson.steps` of the current (or just finished) step. */
  stepIndex: number;
  /** The newest metrics the engine reported; null before the first one and after a disconnection. */
  latest: MetricsByNode | null;
  /** When `latest` was taken, ms since the epoch. (This and `history` are optional for a context built by hand.) */
  latestAt?: number;
  /** The ticks since the baseline, oldest first (the baseline, then each one checked): windowed goals read them. */
  history?: Snapshot[];
  /** The metrics when the current step began: what its counter goals count from. */
  baseline: MetricsByNode | null;
  /** What the baseline marks: the step's beginning, or the latest config the engine applied during it. */
  countedFrom: CountedFrom;
  /** The current step's goal against the latest metrics; null until the step has a baseline. */
  report: GoalReport | null;
  /** How many hints of each step the learner has revealed, by step index. */
  hintsShown: number[];
  /** The last failure of preparing the sandbox or of "show me", for the learner to read. */
  error: string | null;
  /** The config the engine runs (`GET /api/config`), for goals on the config; undefined until the page has read it. */
  running?: RunningConfig;
}

export type LessonEvent =
  /** Prepare the sandbox and open the lesson (from `idle`, or again after a failed preparation). */
  | { type: 'START' }
  /** A metrics snapshot: the `nodes` of a `metrics.tick` event or of `GET /api/metrics`; `ts` defaults to its arrival. */
  | { type: 'METRICS'; nodes: MetricsByNode; ts?: number }
  /** Intro to the first step, or a finished step to the next one. */
  | { type: 'NEXT' }
  /** Reveal the current step's next hint. */
  | { type: 'HINT' }
  /** Apply the current step's reference solution to the engine (once the step has its baseline). */
  | { type: 'SHOW_ME' }
  /**
   * Go on with a lesson whose sandbox the engine still runs (the page was reloaded): straight to step
   * `stepIndex` (from 0; `steps.length` or more: the lesson's end), nothing prepared or applied, so the
   * learner's changes to the sandbox stay. The step takes its baseline as any step does.
   */
  | { type: 'RESUME'; stepIndex: number }
  /** Start the lesson over from `idle` (the next START prepares the sandbox again). */
  | { type: 'RESET' }
  /** The engine applied a config (`config.applied`): the current step counts again from the next snapshot. */
  | { type: 'CONFIG_APPLIED' }
  /** The config the engine runs, as `GET /api/config` answered (after each `config.applied`): what goals on the config read. */
  | { type: 'RUNNING_CONFIG'; config: RunningConfig }
  | { type: 'ENGINE_DISCONNECTED' }
  | { type: 'ENGINE_CONNECTED' };

export const lessonMachine = setup({
  types: {
    input: {} as LessonInput,
    context: {} as LessonContext,
    events: {} as LessonEvent,
  },
  actors: {
    prepareSandbox: fromPromise<void, LessonInput>(({ input, signal }) => prepareSandbox(input.baseUrl, input.lesson, { signal })),
    applySolution: fromPromise<void, { baseUrl: string; actions: LessonAction[] }>(({ input, signal }) =>
      applySolution(input.baseUrl, input.actions, { signal }),
    ),
  },
  guards: {
    hasSnapshot: ({ context }) => context.latest !== null,
    lacksBaseline: ({ context }) => context.baseline === null,
    goalMet: ({ context, event }) => event.type === 'METRICS' && context.baseline !== null && judge(context, event).met,
    hasMoreHints: ({ context }) => context.hintsShown[context.stepIndex] < currentStep(context).hints.length,
    isLastStep: ({ context }) => context.stepIndex === context.lesson.steps.length - 1,
    resumesPastEnd: ({ context, event }) => event.type === 'RESUME' && event.stepIndex >= context.lesson.steps.length,
  },
  actions: {
    recordSnapshot: assign(({ context, event }) =>
      event.type === 'METRICS' ? { latest: event.nodes, latestAt: event.ts ?? Date.now() } : { latest: context.latest },
    ),
    recordRunningConfig: assign(({ context, event }) => ({ running: event.type === 'RUNNING_CONFIG' ? event.config : context.running })),
    forgetSnapshot: assign({ latest: null, baseline: null, report: null, history: [] }),
    takeBaseline: assign(({ context }) => {
      const history = [{ ts: context.latestAt ?? Date.now(), nodes: context.latest! }];
      return {
        baseline: context.latest,
        history,
        report: checkGoal(currentStep(context).goal, context.latest!, context.latest!, context.countedFrom, history, context.running),
      };
    }),
    // The latest snapshot may predate the change (its ticks are a second apart): the next one is the baseline.
    countFromChange: assign({ latest: null, baseline: null, report: null, history: [], countedFrom: 'change' as const }),
    checkProgress: assign(({ context, event }) => {
      if (event.type !== 'METRICS' || !context.baseline) return { report: context.report };
      const history = withTick(context.history, event);
      return { history, report: checkGoal(currentStep(context).goal, event.nodes, context.baseline, context.countedFrom, history, context.running) };
    }),
    showNextHint: assign({
      hintsShown: ({ context }) => context.hintsShown.map((n, i) => (i === context.stepIndex ? n + 1 : n)),
    }),
    advanceStep: assign({
      stepIndex: ({ context }) => context.stepIndex + 1,
      baseline: null,
      report: null,
      history: [],
      countedFrom: 'step',
      error: null,
    }),
    recordError: assign({ error: (_, params: { error: unknown }) => describeError(params.error) }),
    clearError: assign({ error: null }),
    // The engine still runs the config it ran: only the lesson starts over.
    restart: assign(({ context }) => ({ ...initialContext(context), running: context.running })),
    resumeAt: assign({
      stepIndex: ({ context, event }) =>
        event.type === 'RESUME' ? Math.min(Math.max(0, Math.floor(event.stepIndex) || 0), context.lesson.steps.length - 1) : context.stepIndex,
    }),
  },
}).createMachine({
  id: 'lesson',
  context: ({ input }) => initialContext(input),
  initial: 'idle',
  on: {
    METRICS: { actions: 'recordSnapshot' },
    RUNNING_CONFIG: { actions: 'recordRunningConfig' },
    RESET: { target: '.idle', actions: 'restart' },
  },
  states: {
    idle: {
      on: {
        START: 'preparing',
        RESUME: [
          { guard: 'resumesPastEnd', target: 'running.complete', actions: 'resumeAt' },
          { target: 'running.step', actions: 'resumeAt' },
        ],
      },
    },
    preparing: {
      // A tick from before the sandbox was replaced must not become step 1's baseline.
      entry: ['clearError', 'forgetSnapshot'],
      invoke: {
        src: 'prepareSandbox',
        input: ({ context }) => ({ lesson: context.lesson, baseUrl: context.baseUrl }),
        // The sandbox's counts were reset as it was prepared: a tick that arrived meanwhile counts from before.
        onDone: { target: 'running', actions: 'forgetSnapshot' },
        onError: { target: 'failed', actions: { type: 'recordError', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    failed: {
      on: { START: 'preparing' },
    },
    running: {
      initial: 'intro',
      on: {
        ENGINE_DISCONNECTED: { target: 'disconnected', actions: 'forgetSnapshot' },
      },
      states: {
        intro: {
          on: { NEXT: 'step' },
        },
        step: {
          initial: 'awaitingBaseline',
          on: {
            METRICS: [
              { guard: 'lacksBaseline', actions: ['recordSnapshot', 'takeBaseline'] },
              { guard: 'goalMet', target: 'stepDone', actions: ['recordSnapshot', 'checkProgress'] },
              { actions: ['recordSnapshot', 'checkProgress'] },
            ],
            CONFIG_APPLIED: { actions: 'countFromChange' },
            HINT: { guard: 'hasMoreHints', actions: 'showNextHint' },
          },
          states: {
            awaitingBaseline: {
              always: { guard: 'hasSnapshot', target: 'checking', actions: 'takeBaseline' },
              on: {
                METRICS: { target: 'checking', actions: ['recordSnapshot', 'takeBaseline'] },
              },
            },
            checking: {
              on: { SHOW_ME: 'demonstrating' },
            },
            demonstrating: {
              entry: 'clearError',
              invoke: {
                src: 'applySolution',
                input: ({ context }) => ({ baseUrl: context.baseUrl, actions: currentStep(context).solution }),
                onDone: 'checking',
                onError: { target: 'checking', actions: { type: 'recordError', params: ({ event }) => ({ error: event.error }) } },
              },
            },
          },
        },
        stepDone: {
          on: {
            NEXT: [
              { guard: 'isLastStep', target: 'complete' },
              { target: 'step', actions: 'advanceStep' },
            ],
          },
        },
        complete: {},
        resume: { type: 'history', history: 'shallow' },
      },
    },
    disconnected: {
      on: { ENGINE_CONNECTED: 'running.resume' },
    },
  },
});

function initialContext({ lesson, baseUrl }: LessonInput): LessonContext {
  return {
    lesson,
    baseUrl,
    stepIndex: 0,
    latest: null,
    latestAt: 0,
    history: [],
    baseline: null,
    countedFrom: 'step',
    report: null,
    hintsShown: lesson.steps.map(() => 0),
    error: null,
  };
}

/** The current step's goal with `event`'s tick added to the step's history. */
function judge(context: LessonContext, event: { nodes: MetricsByNode; ts?: number }): GoalReport {
  return checkGoal(currentStep(context).goal, event.nodes, context.baseline!, context.countedFrom, withTick(context.history, event), context.running);
}

/** Every tick kept is from the step (or since its last config change), so the oldest can go. */
function withTick(history: readonly Snapshot[] = [], { nodes, ts }: { nodes: MetricsByNode; ts?: number }): Snapshot[] {
  return [...history.slice(-(HISTORY_LIMIT - 1)), { ts: ts ?? Date.now(), nodes }];
}

export function currentStep(context: Pick<LessonContext, 'lesson' | 'stepIndex'>): LessonStep {
  return context.lesson.steps[context.stepIndex];
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
