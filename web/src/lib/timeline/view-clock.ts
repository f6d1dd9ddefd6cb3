/**
 * The view's clock: which moment the page shows. Live, it is now; otherwise it is a position in the
 * recent past that stands still (paused) or moves at `speed` times real time (replay, and slow motion
 * below 1x). It never runs ahead of now: a replay that catches up with live becomes live again. Only
 * the view moves: the engine and its traffic keep their own time. Pure, with `now` injected.
 */
export const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;
export type Speed = (typeof SPEEDS)[number];

export class ViewClock {
  readonly #now: () => number;
  #live = true;
  #playing = true;
  #speed: Speed = 1;
  /** Position at `#anchorAt`; the position moves from there while playing. */
  #anchorPosition = 0;
  #anchorAt = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  get live(): boolean {
    return this.#live;
  }

  /** Whether the view moves (live always does). */
  get playing(): boolean {
    return this.#live || this.#playing;
  }

  get speed(): Speed {
    return this.#speed;
  }

  /** The moment shown (browser ms): now when live. */
  position(): number {
    const now = this.#now();
    if (this.#live) return now;
    const moved = this.#playing ? (now - this.#anchorAt) * this.#speed : 0;
    return Math.min(now, this.#anchorPosition + moved);
  }

  /** How far the view is behind now (0 when live). */
  behindMs(): number {
    return this.#now() - this.position();
  }

  /** Whether a replay faster than real time has caught up with now (and should go live); slower ones never do. */
  caughtUp(): boolean {
    return !this.#live && this.#playing && this.#speed > 1 && this.position() >= this.#now();
  }

  /** Stops the view where it is (live: at now). */
  pause(): void {
    this.#anchor(this.position(), false);
  }

  /** Plays the view from where it is, at its speed; live stays live. */
  play(): void {
    if (!this.#live) this.#anchor(this.position(), true);
  }

  togglePlay(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /**
   * Plays at `speed` from the current position. Below 1x while live, the view leaves live and runs
   * behind it (slow motion); 1x and above while live stays live (the view cannot run ahead of now).
   */
  setSpeed(speed: Speed): void {
    if (!this.#live) this.#anchor(this.position(), this.#playing);
    else if (speed < 1) this.#anchor(this.#now(), true);
    this.#speed = speed;
  }

  /** Shows `position` (clamped to now), paused or playing as before; from live, paused. */
  seek(position: number): void {
    const playing = !this.#live && this.#playing;
    this.#anchor(Math.min(this.#now(), position), playing);
  }

  goLive(): void {
    this.#live = true;
    this.#playing = true;
  }

  #anchor(position: number, playing: boolean): void {
    this.#live = false;
    this.#playing = playing;
    this.#anchorPosition = position;
    this.#anchorAt = this.#now();
  }
}
