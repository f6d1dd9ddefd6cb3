/**
 * Maps engine timestamps onto the browser's clock. Both are wall clocks, usually on the same machine,
 * but not necessarily in step: the offset is the smallest (arrival − event time) seen, i.e. the
 * fastest delivery, so an event is never placed in the browser's future. The minimum is taken over
 * a window (and the previous one), so the estimate recovers if either clock jumps.
 */
export class ClockSync {
  #offset: number | undefined;
  #windowMin = Infinity;
  #previousMin = Infinity;
  #windowStart = -Infinity;
  readonly #windowMs: number;

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  /** An event stamped `engineTs` arrived at `browserNow` (both ms since the epoch). */
  observe(engineTs: number, browserNow: number): void {
    if (!Number.isFinite(engineTs)) return;
    if (browserNow - this.#windowStart > this.#windowMs) {
      this.#previousMin = this.#windowMin;
      this.#windowMin = Infinity;
      this.#windowStart = browserNow;
    }
    const candidate = browserNow - engineTs;
    this.#windowMin = Math.min(this.#windowMin, candidate);
    this.#offset = Math.min(this.#windowMin, this.#previousMin);
  }

  /** The browser time at which the engine time `engineTs` happened; identity before any observation. */
  toBrowser(engineTs: number): number {
    return engineTs + (this.#offset ?? 0);
  }

  /** The engine time at browser time `browserTs` (the inverse of toBrowser). */
  toEngine(browserTs: number): number {
    return browserTs - (this.#offset ?? 0);
  }
}
