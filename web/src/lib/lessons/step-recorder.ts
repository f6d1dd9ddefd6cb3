/**
 * What a lesson step's account is drawn from (step-account.ts), kept while the step runs: the engine's
 * counts when it began (or, as the lesson machine counts, at the first tick after a config applied
 * during it), the latest counts, and the step's notable events. `finish` closes it when the goal is
 * met: later ticks and events belong to what the learner does next.
 */
import type { EngineEvent } from '../../../../engine/src/events.ts';
import type { MetricsByNode } from '../../../../lessons/format.ts';
import { isNotable, type NotableEvent } from './step-account.ts';

/** Far more than a step sees; the account lists the first few and counts the rest. */
const EVENTS_KEPT = 200;

export interface StepRecord {
  before: MetricsByNode;
  after: MetricsByNode;
  events: readonly NotableEvent[];
  /** The counts are from the last config applied during the step, not from its beginning. */
  sinceChange: boolean;
}

export class StepRecorder {
  #before: MetricsByNode | null;
  #latest: MetricsByNode | null;
  #events: NotableEvent[] = [];
  #recountAtNextTick = false;
  #sinceChange = false;
  #finished: StepRecord | null | undefined;

  /** `now`: the counts the page shows as the step begins, if it has any. */
  constructor(now: MetricsByNode | null = null) {
    this.#before = now;
    this.#latest = now;
  }

  /** A metrics tick (or a counts reset's snapshot). */
  tick(nodes: MetricsByNode): void {
    if (this.#finished !== undefined) return;
    if (this.#before === null || this.#recountAtNextTick) {
      this.#before = nodes;
      this.#recountAtNextTick = false;
    }
    this.#latest = nodes;
  }

  /** Any event that is not about one request; only the notable are kept. */
  event(event: EngineEvent): void {
    if (this.#finished !== undefined || !isNotable(event)) return;
    if (this.#events.length < EVENTS_KEPT) this.#events.push(event);
    if (event.type === 'config.applied') {
      // As the lesson machine does: count again from the first tick under the new config.
      this.#recountAtNextTick = true;
      this.#sinceChange = true;
    }
  }

  /** Closes the record (the same one on every later call); null when no counts ever arrived. */
  finish(): StepRecord | null {
    if (this.#finished === undefined) {
      this.#finished =
        this.#before === null || this.#latest === null
          ? null
          : { before: this.#before, after: this.#latest, events: this.#events, sinceChange: this.#sinceChange };
    }
    return this.#finished;
  }
}
