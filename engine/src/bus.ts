/**
 * The engine's event bus: stamps every event with a sequence number and a timestamp and hands it to
 * subscribers synchronously. Subscribers must be cheap (the data plane emits on its hot path) and must
 * never throw; the SSE stream buffers on its own side and never makes the engine wait.
 *
 * Seqs count from 1 in each engine run; `runId` names the run, so the stream's event ids
 * (`<runId>-<seq>`, stream/event-id.ts) stay unambiguous across restarts.
 */
import { randomBytes } from 'node:crypto';
import type { EngineEvent, EngineEventBody } from './events.ts';
import { isRunId } from './stream/event-id.ts';

export type Listener = (event: EngineEvent) => void;

/** `performance.timeOrigin` is a getter that calls into C++: read it once, not on every event. */
const TIME_ORIGIN = performance.timeOrigin;

function wallClock(): number {
  return TIME_ORIGIN + performance.now();
}

/** 8 random hex digits: two runs of one lab share a run id about once in four billion restarts. */
function newRunId(): string {
  return randomBytes(4).toString('hex');
}

export class EventBus {
  #seq = 0;
  #listeners: Listener[] = [];
  readonly #clock: () => number;

  /**
   * `clock` returns wall-clock milliseconds; `runId` names this run in event ids (lower-case letters
   * and digits, random by default). Both injected so tests can pin them.
   */
  constructor(
    clock: () => number = wallClock,
    readonly runId: string = newRunId(),
  ) {
    if (!isRunId(runId)) throw new RangeError(`a run id is 1 to 16 lower-case letters and digits, got "${runId}"`);
    this.#clock = clock;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  emit(body: EngineEventBody): EngineEvent {
    const event = body as EngineEvent;
    event.seq = ++this.#seq;
    event.ts = this.#clock();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }
}
