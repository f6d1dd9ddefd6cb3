/**
 * The timeline's memory: the stream items of the last `keepMs` (2 minutes), in the batches they
 * arrived in, each with its browser arrival time, so the page can show the past again while the
 * engine goes on. Bounded twice, by age and by item count, so memory stays flat however busy the
 * stream (at 60 req/s the count bound may cut the 2 minutes short; `oldest` says how far back it
 * reaches). Recording is an append; trimming drops whole batches from the front.
 */
import type { StreamItem } from '../stream/parse-batch.ts';

export interface RecordedBatch {
  /** Browser wall clock (ms) when the batch arrived. */
  at: number;
  items: readonly StreamItem[];
}

export const KEEP_MS = 120_000;
/** About 2 minutes of a 60 req/s flow through four hops (about 12 events a request). */
export const MAX_ITEMS = 90_000;

export class Recorder {
  readonly keepMs: number;
  readonly maxItems: number;
  #batches: RecordedBatch[] = [];
  /** Index of the oldest batch kept: the ones before it are dropped, and spliced off now and then. */
  #head = 0;
  #items = 0;

  constructor(options: { keepMs?: number; maxItems?: number } = {}) {
    this.keepMs = options.keepMs ?? KEEP_MS;
    this.maxItems = options.maxItems ?? MAX_ITEMS;
  }

  /** Keeps `items`, arrived at `at`; an `at` earlier than the last batch's counts as the last's (arrival order is the order). */
  record(items: readonly StreamItem[], at: number): void {
    if (items.length === 0) return;
    const last = this.#batches.at(-1);
    this.#batches.push({ at: last === undefined ? at : Math.max(at, last.at), items });
    this.#items += items.length;
    this.#trim(at);
  }

  /** Browser time of the oldest batch kept, undefined when empty. */
  get oldest(): number | undefined {
    return this.#batches[this.#head]?.at;
  }

  get newest(): number | undefined {
    return this.#head < this.#batches.length ? this.#batches.at(-1)?.at : undefined;
  }

  /** How many items are kept. */
  get size(): number {
    return this.#items;
  }

  /** The batches that arrived after `from` and at or before `to`, oldest first. */
  between(from: number, to: number): RecordedBatch[] {
    const start = this.#firstAfter(from);
    const end = this.#firstAfter(to);
    return this.#batches.slice(start, Math.max(start, end));
  }

  clear(): void {
    this.#batches = [];
    this.#head = 0;
    this.#items = 0;
  }

  /** Index of the first kept batch with `at` > `time` (binary search: arrival times never decrease). */
  #firstAfter(time: number): number {
    let low = this.#head;
    let high = this.#batches.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#batches[mid].at <= time) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #trim(now: number): void {
    const cutoff = now - this.keepMs;
    while (this.#head < this.#batches.length - 1 && (this.#batches[this.#head].at < cutoff || this.#items > this.maxItems)) {
      this.#items -= this.#batches[this.#head].items.length;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#batches.length) {
      this.#batches = this.#batches.slice(this.#head);
      this.#head = 0;
    }
  }
}
