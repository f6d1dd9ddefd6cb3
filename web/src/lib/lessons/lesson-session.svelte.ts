/**
 * One lesson as the page runs it: the lesson machine (lessons/lesson.machine.ts) in an actor, seen
 * through the runes adapter, fed with every `metrics.tick` the page receives, every config the engine
 * applies (`config.applied`, then, for a lesson whose goals guard the config, the config itself as
 * `GET /api/config` reads it) and the state of the engine connection. The panel renders `view` and calls the methods; the session adds no rules
 * of its own, so what the machine tests prove is what the learner gets.
 */
import { createActor, fromPromise, type Subscription } from 'xstate';
import { fetchConfig, prepareSandbox } from '../../../../lessons/client.ts';
import { readsRunningConfig } from '../../../../lessons/checker.ts';
import type { Lesson, MetricsByNode } from '../../../../lessons/format.ts';
import { lessonMachine, type LessonInput } from '../../../../lessons/lesson.machine.ts';
import type { ConnectionStatus } from '../stream/event-stream.ts';
import { ActorState } from './actor-state.svelte.ts';
import { lessonMilestone } from './lesson-milestones.ts';
import { lessonView, type LessonView } from './lesson-view.ts';

export interface LessonSessionOptions {
  lesson: Lesson;
  /** Subscribes to the page's metrics ticks (`LabState.onMetricsTick`); returns the unsubscribe. */
  onMetricsTick(listener: (nodes: MetricsByNode) => void): () => void;
  /** Subscribes to the engine's `config.applied` events (`LabState.onConfigApplied`); returns the unsubscribe. */
  onConfigApplied(listener: () => void): () => void;
  /** Told when a step begins or its goal is met, in words (lesson-milestones.ts): the charts mark it. */
  onMilestone?(label: string): void;
  /** The engine's control origin: `''` (the default) for the page's own. */
  baseUrl?: string;
  /** The machine to run; tests hand in one whose sandbox actors stand in for the engine. */
  machine?: typeof lessonMachine;
  /**
   * Done before the lesson's sandbox replaces the running one (keeping the learner's): a failure
   * stops the start there, and the lesson says why, as for a sandbox that cannot be prepared.
   */
  beforePrepare?(): Promise<void>;
  /** Go on at this many steps done (the lesson machine's RESUME), the sandbox left as it is, instead of waiting for `start`. */
  resumeAt?: number;
  /** Reads the config the engine runs; by default `GET /api/config` on `baseUrl`. */
  readRunningConfig?(): Promise<unknown>;
}

export class LessonSession {
  readonly lesson: Lesson;
  readonly #state: ActorState<typeof lessonMachine>;
  readonly #stopTicks: () => void;
  readonly #stopConfigs: () => void;
  readonly #milestones: Subscription | undefined;
  /** Counts the reads of the running config, so an answer overtaken by a newer read (or by `stop`) is dropped. */
  #configReads = 0;
  readonly #readConfig: () => void;
  readonly view: LessonView = $derived.by(() => lessonView(this.#state.snapshot));

  constructor({
    lesson,
    onMetricsTick,
    onConfigApplied,
    onMilestone,
    baseUrl = '',
    machine = lessonMachine,
    beforePrepare,
    resumeAt,
    readRunningConfig = () => fetchConfig(baseUrl),
  }: LessonSessionOptions) {
    this.lesson = lesson;
    const logic = beforePrepare === undefined ? machine : withKeeping(machine, beforePrepare);
    const actor = createActor(logic, { input: { lesson, baseUrl } }).start();
    this.#state = new ActorState(actor);
    if (onMilestone !== undefined) {
      let before = lessonView(actor.getSnapshot());
      this.#milestones = actor.subscribe((snapshot) => {
        const after = lessonView(snapshot);
        const label = lessonMilestone(before, after);
        before = after;
        if (label !== undefined) onMilestone(label);
      });
    }
    this.#stopTicks = onMetricsTick((nodes) => this.#state.send({ type: 'METRICS', nodes }));
    const readsConfig = lesson.steps.some((step) => readsRunningConfig(step.goal));
    this.#readConfig = () => {
      if (!readsConfig) return;
      const read = ++this.#configReads;
      // Unread, a goal on the config says so; the next config applied (or reconnection) reads it again.
      // Judging the config takes the engine's schema: loaded here, for the lessons that need it, and kept
      // out of the page's first load.
      Promise.all([readRunningConfig(), import('../../../../lessons/config-goal.ts')]).then(
        ([config, { runningConfig }]) => read === this.#configReads && this.#state.send({ type: 'RUNNING_CONFIG', config: runningConfig(config) }),
        () => undefined,
      );
    };
    this.#stopConfigs = onConfigApplied(() => {
      this.#state.send({ type: 'CONFIG_APPLIED' });
      this.#readConfig();
    });
    this.#readConfig();
    if (resumeAt !== undefined) this.#state.send({ type: 'RESUME', stepIndex: resumeAt });
  }

  /** Replaces the running sandbox with the lesson's start config, then opens the lesson. */
  start(): void {
    this.#state.send({ type: 'START' });
  }

  next(): void {
    this.#state.send({ type: 'NEXT' });
  }

  hint(): void {
    this.#state.send({ type: 'HINT' });
  }

  showMe(): void {
    this.#state.send({ type: 'SHOW_ME' });
  }

  /** Back to the lesson's start (the sandbox is prepared again on the next `start`). */
  reset(): void {
    this.#state.send({ type: 'RESET' });
  }

  /** The page's event stream changed state: the lesson pauses while it is down. */
  connection(status: ConnectionStatus): void {
    if (status === 'open') {
      this.#state.send({ type: 'ENGINE_CONNECTED' });
      // The engine may have restarted with another config.
      this.#readConfig();
    }
    else if (status === 'reconnecting') this.#state.send({ type: 'ENGINE_DISCONNECTED' });
  }

  stop(): void {
    this.#configReads++;
    this.#stopTicks();
    this.#stopConfigs();
    this.#milestones?.unsubscribe();
    this.#state.stop();
  }
}

/** `machine` with `beforePrepare` done first in its preparing of the sandbox, unless a test replaced that. */
function withKeeping(machine: typeof lessonMachine, beforePrepare: () => Promise<void>): typeof lessonMachine {
  if (machine !== lessonMachine) return machine;
  return machine.provide({
    actors: {
      prepareSandbox: fromPromise<void, LessonInput>(async ({ input, signal }) => {
        await beforePrepare();
        await prepareSandbox(input.baseUrl, input.lesson, { signal });
      }),
    },
  });
}
