/**
 * A config's `scenario:` on a timeline: each step's fault starts `at` after the runner starts (when the
 * config is applied, which is when the engine's traffic starts, and the start of an `edgelab run`) and
 * ends `for` later, or stays until the end. A new config restarts the timeline from 0; clearing every
 * fault cancels the steps still to come. The faults go through the same controller as the API's, so a
 * headless run replays the same incident the lab shows.
 */
import type { ScenarioStep } from './spec.ts';

export interface StepHost {
  startStep(step: ScenarioStep, index: number): Promise<string>;
  endStep(id: string): Promise<void>;
  reportError(message: string): void;
}

export class ScenarioRunner {
  readonly #timers = new Set<NodeJS.Timeout>();
  #pending: number;
  #cancelled = false;

  constructor(steps: readonly ScenarioStep[], host: StepHost) {
    this.#pending = steps.length;
    steps.forEach((step, index) => {
      this.#after(step.at, async () => {
        this.#pending--;
        let id: string;
        try {
          id = await host.startStep(step, index);
        } catch (error) {
          host.reportError(`scenario[${index}] could not start: ${(error as Error).message}`);
          return;
        }
        if (step.for !== undefined && !this.#cancelled) this.#after(step.for, () => host.endStep(id));
      });
    });
  }

  /** Stop the timeline; resolves to how many steps had not started yet. Faults already running are left to the caller. */
  cancel(): number {
    this.#cancelled = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const pending = this.#pending;
    this.#pending = 0;
    return pending;
  }

  #after(ms: number, run: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#cancelled) void run();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}
