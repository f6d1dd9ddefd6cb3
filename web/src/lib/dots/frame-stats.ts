/**
 * The script time of recent frames, in a fixed ring (no allocation while recording), for the
 * frame-budget benchmark (`window.__edgelab.frameStats()`).
 */
export interface FrameStatsSnapshot {
  /** Recent per-frame script times in ms, oldest first. */
  samples: number[];
  frames: number;
  mean: number;
  p95: number;
  max: number;
}

export class FrameStats {
  readonly #ring: Float64Array;
  #next = 0;
  #count = 0;
  #total = 0;

  constructor(capacity = 240) {
    this.#ring = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#count = Math.min(this.#count + 1, this.#ring.length);
    this.#total++;
  }

  snapshot(): FrameStatsSnapshot {
    const n = this.#count;
    const start = (this.#next - n + this.#ring.length) % this.#ring.length;
    const samples = Array.from({ length: n }, (_, i) => this.#ring[(start + i) % this.#ring.length]);
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      samples,
      frames: this.#total,
      mean: n === 0 ? 0 : samples.reduce((a, b) => a + b, 0) / n,
      p95: n === 0 ? 0 : sorted[Math.min(n - 1, Math.ceil(n * 0.95) - 1)],
      max: n === 0 ? 0 : sorted[n - 1],
    };
  }
}
