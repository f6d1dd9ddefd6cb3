/**
 * The last N events, kept so a reconnecting client can resume from its `Last-Event-ID`. Fixed size:
 * pushing past capacity overwrites the oldest event, so memory never grows with traffic.
 */
import type { EngineEvent } from '../events.ts';

export class EventRing {
  readonly #slots: Array<EngineEvent | undefined>;
  /** Where the next event goes; once full, also where the oldest one is. */
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.#slots = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(event: EngineEvent): void {
    this.#slots[this.#next] = event;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** The held events with `seq > afterSeq`, oldest first (a binary search: seqs only increase). */
  after(afterSeq: number): EngineEvent[] {
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#at(mid).seq > afterSeq) high = mid;
      else low = mid + 1;
    }
    const events: EngineEvent[] = [];
    for (let i = low; i < this.#size; i++) events.push(this.#at(i));
    return events;
  }

  /** The `index`-th held event, 0 being the oldest. */
  #at(index: number): EngineEvent {
    return this.#slots[(this.#next - this.#size + index + this.capacity) % this.capacity]!;
  }
}
