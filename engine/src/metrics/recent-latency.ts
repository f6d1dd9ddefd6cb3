/**
 * The latency of the last few seconds only, beside the running totals: what a chart plots over time and
 * what a goal over a window ("p99 under 150 ms for 10 s") reads, where a summary since the start would
 * hide a change for minutes. Kept in one-second buckets (an HDR histogram each, recorded once per
 * request); the window is the current, partly filled second and the `seconds - 1` before it, merged
 * only when a snapshot asks and something changed.
 */
import type { RecentWindow } from '../events.ts';
import { LatencyHistogram, ZERO_LATENCY } from './latency-histogram.ts';

const BUCKET_MS = 1000;
export const RECENT_SECONDS = 5;

export class RecentLatency {
  readonly #buckets: LatencyHistogram[];
  /** The second (`floor(now / 1000)`) each bucket is counting; a stale one counts nothing. */
  readonly #slots: Float64Array;
  readonly #merged = new LatencyHistogram();
  /** The summary last computed, for the slot and record count it was computed at. */
  #cached: { slot: number; records: number; window: RecentWindow } | undefined;
  #records = 0;

  constructor(readonly seconds = RECENT_SECONDS) {
    if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`a recent window is a whole number of seconds, at least 1, got ${seconds}`);
    this.#buckets = Array.from({ length: seconds }, () => new LatencyHistogram());
    this.#slots = new Float64Array(seconds).fill(-Infinity);
  }

  record(durationMs: number, nowMs: number): void {
    const slot = Math.floor(nowMs / BUCKET_MS);
    const bucket = slot % this.seconds;
    if (this.#slots[bucket] !== slot) {
      this.#slots[bucket] = slot;
      this.#buckets[bucket]!.reset();
    }
    this.#buckets[bucket]!.record(durationMs);
    this.#records++;
  }

  /** Requests completed in the window and their latency (zeros when there were none). */
  window(nowMs: number): RecentWindow {
    const slot = Math.floor(nowMs / BUCKET_MS);
    const cached = this.#cached;
    if (cached !== undefined && cached.slot === slot && cached.records === this.#records) return cached.window;
    const merged = this.#merged;
    merged.reset();
    for (let bucket = 0; bucket < this.seconds; bucket++) {
      const counted = this.#slots[bucket]!;
      if (counted > slot - this.seconds && counted <= slot) merged.absorb(this.#buckets[bucket]!);
    }
    const window: RecentWindow = { seconds: this.seconds, requests: merged.count, latency: merged.count === 0 ? { ...ZERO_LATENCY } : merged.summary() };
    this.#cached = { slot, records: this.#records, window };
    return window;
  }

  reset(): void {
    for (const bucket of this.#buckets) bucket.reset();
    this.#slots.fill(-Infinity);
    this.#cached = undefined;
  }
}
