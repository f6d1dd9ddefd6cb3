/**
 * The last N events, kept so a reconnecting client can resume from its `Last-Event-ID`. Bounded:
 * once it holds more than its capacity the oldest events go, so memory never grows with traffic.
 *
 * Events are held as JSON text, never as objects: 10k retained event graphs outlive the young
 * generation and cost the engine about a fifth of its chain throughput in GC (bench/README.md). New
 * events wait as objects in a small pending batch (at most `batchSize` of them, sealed at the latest
 * by the owner's next `seal()`, about one frame) and a batch is serialised with one `JSON.stringify`
 * call, which costs less per event than one call each: serialising was the engine's largest own cost
 * on the chain. Eviction is by whole batches, so the ring holds between `capacity - batchSize` and
 * `capacity` events.
 */
import type { EngineEvent } from '../events.ts';

interface Batch {
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** The events as the inside of a JSON array: `{...},{...}`. */
  json: string;
}

export interface HeldEvents {
  count: number;
  /** Pieces of the inside of a JSON array, to be joined with commas. */
  json: string[];
}

export class EventRing {
  readonly #batches: Batch[] = [];
  /** Index of the oldest batch still held in `#batches` (dropping from the front is amortised). */
  #head = 0;
  #pending: EngineEvent[] = [];
  #size = 0;

  constructor(
    readonly capacity: number,
    readonly batchSize = 256,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`ring batch size must be a positive integer, got ${batchSize}`);
  }

  /** Events held, pending ones included. */
  get size(): number {
    return this.#size + this.#pending.length;
  }

  get pending(): number {
    return this.#pending.length;
  }

  push(event: EngineEvent): void {
    this.#pending.push(event);
    if (this.#pending.length >= this.batchSize) this.seal();
  }

  /** Serialise the pending events as one batch and drop the oldest batches beyond capacity. */
  seal(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    const json = JSON.stringify(pending);
    this.#batches.push({ firstSeq: pending[0]!.seq, lastSeq: pending.at(-1)!.seq, count: pending.length, json: json.slice(1, -1) });
    this.#size += pending.length;
    while (this.#size > this.capacity && this.#head < this.#batches.length - 1) {
      this.#size -= this.#batches[this.#head]!.count;
      this.#head++;
    }
    // A single batch larger than the whole capacity (a tiny ring): keep only its newest events.
    if (this.#size > this.capacity) this.#trimOnlyBatch();
    if (this.#head > 64 && this.#head * 2 > this.#batches.length) {
      this.#batches.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** The held events with `seq > afterSeq`, oldest first. */
  after(afterSeq: number): HeldEvents {
    this.seal();
    const held: HeldEvents = { count: 0, json: [] };
    for (let i = this.#firstBatchEndingAfter(afterSeq); i < this.#batches.length; i++) {
      const batch = this.#batches[i]!;
      if (batch.firstSeq > afterSeq) {
        held.json.push(batch.json);
        held.count += batch.count;
      } else {
        // The resume point falls inside this batch: only its newer events (rare: once per reconnect).
        const newer = (JSON.parse(`[${batch.json}]`) as EngineEvent[]).filter((event) => event.seq > afterSeq);
        held.json.push(JSON.stringify(newer).slice(1, -1));
        held.count += newer.length;
      }
    }
    return held;
  }

  /** Binary search: seqs only increase, across batches and within them. */
  #firstBatchEndingAfter(afterSeq: number): number {
    let low = this.#head;
    let high = this.#batches.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#batches[mid]!.lastSeq > afterSeq) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  #trimOnlyBatch(): void {
    const batch = this.#batches[this.#head]!;
    const kept = (JSON.parse(`[${batch.json}]`) as EngineEvent[]).slice(-this.capacity);
    this.#batches[this.#head] = {
      firstSeq: kept[0]!.seq,
      lastSeq: kept.at(-1)!.seq,
      count: kept.length,
      json: JSON.stringify(kept).slice(1, -1),
    };
    this.#size = kept.length;
  }
}
