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
 *
 * History is bounded in time too: above `requestEventsPerSecond` per-request events in the previous
 * second, the ring keeps a whole-request sample of them (1 request in N, N = rate / budget rounded up,
 * by request id: a kept request keeps every event, so a replayed trace is whole). Aggregate events are
 * always kept. So at any load the ring covers at least `capacity / requestEventsPerSecond` seconds
 * (5 s by default) instead of a fraction of a second, and the serialising it costs stays bounded (a
 * full copy of every event cost the engine chain about 6% at 1,200 requests a second: bench/README.md).
 * A resumed client is told how many events the sample left out (`sampledOutAfter`).
 */
import { isPerRequestEvent, type EngineEvent } from '../events.ts';
import { inRequestSample } from './request-sample.ts';

interface Batch {
  firstSeq: number;
  /** Seq of the last event the batch accounts for, held or sampled out. */
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
  /** Seq of the last event offered since the last seal, held or sampled out (0: none). */
  #pendingLastSeq = 0;
  #size = 0;
  /** Every event up to this seq has been evicted (or sampled out before it, or emitted before the ring was made): a resume from before it has a gap. */
  #evictedThrough = 0;
  /** The sample's second (`floor(ts / 1000)`), the per-request events offered in it, and 1-in-N for it. */
  #second = Number.NEGATIVE_INFINITY;
  #requestEventsThisSecond = 0;
  #oneIn = 1;
  /** Per-request events left out by the sample, since the ring was made. */
  #sampledOut = 0;

  /**
   * `heldAfter` is the seq of the last event emitted before the ring was made (the bus's `lastSeq`):
   * those events were never held, so a resume from before them counts them as lost, not as sampled out.
   */
  constructor(
    readonly capacity: number,
    readonly batchSize = 256,
    readonly requestEventsPerSecond = Number.POSITIVE_INFINITY,
    heldAfter = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`ring batch size must be a positive integer, got ${batchSize}`);
    if (!(requestEventsPerSecond > 0)) throw new RangeError(`ring request events per second must be positive, got ${requestEventsPerSecond}`);
    if (!Number.isInteger(heldAfter) || heldAfter < 0) throw new RangeError(`ring start must be a seq (a non-negative integer), got ${heldAfter}`);
    this.#evictedThrough = heldAfter;
    this.#pendingLastSeq = heldAfter;
  }

  /** Per-request events the sample left out since the ring was made. */
  get sampledOut(): number {
    return this.#sampledOut;
  }

  /** The sample in force: 1 request in this many keeps its events (1: every request). */
  get sampleOneIn(): number {
    return this.#oneIn;
  }

  /** Events with a seq up to this one are gone: a client resuming from before it missed them. */
  get evictedThrough(): number {
    return this.#evictedThrough;
  }

  /** Events held, pending ones included. */
  get size(): number {
    return this.#size + this.#pending.length;
  }

  get pending(): number {
    return this.#pending.length;
  }

  push(event: EngineEvent): void {
    this.#pendingLastSeq = event.seq;
    if (isPerRequestEvent(event) && !this.#keepsRequestEvent(event as Extract<EngineEvent, { rid: string }>)) {
      this.#sampledOut++;
      return;
    }
    this.#pending.push(event);
    if (this.#pending.length >= this.batchSize) this.seal();
  }

  /** Counts the per-request event in its second; false when the sample leaves its request out. */
  #keepsRequestEvent(event: Extract<EngineEvent, { rid: string }>): boolean {
    const second = Math.floor(event.ts / 1000);
    if (second !== this.#second) {
      // The previous second's rate sets this second's sample; after a quiet second, keep everything.
      const rate = second === this.#second + 1 ? this.#requestEventsThisSecond : 0;
      this.#oneIn = rate > this.requestEventsPerSecond ? Math.ceil(rate / this.requestEventsPerSecond) : 1;
      this.#second = second;
      this.#requestEventsThisSecond = 0;
    }
    this.#requestEventsThisSecond++;
    return this.#oneIn === 1 || inRequestSample(event.rid, this.#oneIn);
  }

  /**
   * How many events after `afterSeq`, up to `lastSeq` (the bus's last), neither held nor evicted: the
   * ones the sample left out. `heldCount` is what `after(afterSeq)` returned.
   */
  sampledOutAfter(afterSeq: number, lastSeq: number, heldCount: number): number {
    return lastSeq - Math.max(afterSeq, this.#evictedThrough) - heldCount;
  }

  /** Serialise the pending events as one batch and drop the oldest batches beyond capacity. */
  seal(): void {
    const pending = this.#pending;
    const lastSeq = this.#pendingLastSeq;
    if (pending.length === 0) {
      // Only sampled-out events since the last seal: the newest batch accounts for them, so they
      // count as evicted with it. (Before the first batch they stay sampled out until a batch is.)
      const newest = this.#batches.at(-1);
      if (newest !== undefined && newest.lastSeq < lastSeq) newest.lastSeq = lastSeq;
      return;
    }
    this.#pending = [];
    this.#batches.push({ firstSeq: pending[0]!.seq, lastSeq, count: pending.length, json: JSON.stringify(pending).slice(1, -1) });
    this.#size += pending.length;
    while (this.#size > this.capacity && this.#head < this.#batches.length - 1) {
      const evicted = this.#batches[this.#head]!;
      this.#size -= evicted.count;
      this.#evictedThrough = evicted.lastSeq;
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
        // None when the batch's newer events were all sampled out.
        if (newer.length === 0) continue;
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
    this.#evictedThrough = kept[0]!.seq - 1;
    this.#batches[this.#head] = {
      firstSeq: kept[0]!.seq,
      lastSeq: batch.lastSeq,
      count: kept.length,
      json: JSON.stringify(kept).slice(1, -1),
    };
    this.#size = kept.length;
  }
}
