/**
 * Completions in the last second, counted in ten 100 ms buckets: a rate a person can read that
 * reacts within a tenth of a second and costs one increment per request. The window spans the
 * current, partly filled bucket and the nine before it.
 */
const BUCKET_MS = 100;
const BUCKETS = 10;

export class RateWindow {
  readonly #counts = new Float64Array(BUCKETS);
  /** The 100 ms slot (`floor(now / 100)`) each bucket is counting; a stale slot means zero. */
  readonly #slots = new Float64Array(BUCKETS).fill(-Infinity);

  record(nowMs: number): void {
    const slot = Math.floor(nowMs / BUCKET_MS);
    const bucket = slot % BUCKETS;
    if (this.#slots[bucket] !== slot) {
      this.#slots[bucket] = slot;
      this.#counts[bucket] = 0;
    }
    this.#counts[bucket]++;
  }

  perSecond(nowMs: number): number {
    const oldestSlot = Math.floor(nowMs / BUCKET_MS) - BUCKETS;
    let sum = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      if (this.#slots[bucket] > oldestSlot) sum += this.#counts[bucket];
    }
    return sum;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#slots.fill(-Infinity);
  }
}
