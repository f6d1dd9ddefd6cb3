/**
 * A fault while it runs: its info, whether it still holds, and what it is holding back (hung or
 * delayed requests, armed resets, throttled or slow-closing responses). Ending it releases all of them
 * at once, so clearing a fault returns its node or edge to normal immediately: held requests go on,
 * armed resets are disarmed, throttled responses flush.
 */
import type { FaultInfo } from '../events.ts';

/** Something a fault holds back; `release` lets it go on (or disarms it) and is called at most once. */
export interface Held {
  release(): void;
}

export class ActiveFault {
  active = true;
  readonly #held = new Set<Held>();

  constructor(readonly info: FaultInfo) {}

  hold(held: Held): void {
    this.#held.add(held);
  }

  /** Forget `held` without releasing it (it finished, or its client left). */
  forget(held: Held): void {
    this.#held.delete(held);
  }

  /** How many requests or responses it is holding back now. */
  get holding(): number {
    return this.#held.size;
  }

  end(): void {
    if (!this.active) return;
    this.active = false;
    const held = [...this.#held];
    this.#held.clear();
    for (const h of held) h.release();
  }
}
