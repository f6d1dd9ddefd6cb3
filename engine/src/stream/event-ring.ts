/**
 * The last N events, kept so a reconnecting client can resume from its `Last-Event-ID`. Fixed size:
 * pushing past capacity overwrites the oldest event, so memory never grows with traffic. Events are
 * held as their JSON text: one flat string per event instead of a graph of small objects that
 * outlives the young generation, which cost the engine about a fifth of its throughput in GC
 * (bench/README.md, engine-chain).
 */
export interface HeldEvent {
  seq: number;
  json: string;
}

export class EventRing {
  readonly #slots: Array<HeldEvent | undefined>;
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

  push(event: HeldEvent): void {
    this.#slots[this.#next] = event;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** The held events with `seq > afterSeq`, oldest first (a binary search: seqs only increase). */
  after(afterSeq: number): HeldEvent[] {
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#at(mid).seq > afterSeq) high = mid;
      else low = mid + 1;
    }
    const events: HeldEvent[] = [];
    for (let i = low; i < this.#size; i++) events.push(this.#at(i));
    return events;
  }

  /** The `index`-th held event, 0 being the oldest. */
  #at(index: number): HeldEvent {
    return this.#slots[(this.#next - this.#size + index + this.capacity) % this.capacity]!;
  }
}
