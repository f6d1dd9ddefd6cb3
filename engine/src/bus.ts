/**
 * The engine's event bus: stamps every event with a sequence number and a timestamp and hands it to
 * subscribers synchronously. Subscribers must be cheap (the data plane emits on its hot path) and must
 * never throw; the SSE stream buffers on its own side and never makes the engine wait.
 */
import type { EngineEvent, EngineEventBody } from './events.ts';

export type Listener = (event: EngineEvent) => void;

/** `performance.timeOrigin` is a getter that calls into C++: read it once, not on every event. */
const TIME_ORIGIN = performance.timeOrigin;

function wallClock(): number {
  return TIME_ORIGIN + performance.now();
}

export class EventBus {
  #seq = 0;
  #listeners: Listener[] = [];
  readonly #clock: () => number;

  /** `clock` returns wall-clock milliseconds; injected so tests can pin time. */
  constructor(clock: () => number = wallClock) {
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
