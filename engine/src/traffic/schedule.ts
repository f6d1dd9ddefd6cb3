/**
 * Open-loop send schedules as pure functions: given a rate curve, an arrival process and a random
 * source, the exact intended send times of a phase, in ms from its start.
 *
 * A shape is a target rate over time r(t), written as piecewise-linear segments (constant, ramp, spike
 * and bursts are all unions of flat or sloped pieces). Its integral N(t) is how many sends are due by
 * time t. Send number k is due when N(t) reaches its count c_k: c_k = k for even arrivals (one send at
 * the start, then one every 1/r), or c_k = E_1 + ... + E_k with exponential E_i of mean 1 for Poisson
 * arrivals. Mapping Poisson counts through N⁻¹ (time rescaling) gives a Poisson process of rate r(t),
 * so one solver serves every shape and both arrival kinds, and a ramp sends exactly its integral.
 */

/** A piece of the rate curve: from `start` to `end` (ms; end may be Infinity) the rate goes linearly from `from` to `to` (req/s). */
export interface RateSegment {
  start: number;
  end: number;
  from: number;
  to: number;
}

/** The segments of a curve in time order, the last one endless; `segment(i)` is undefined past it. */
export type RateCurve = (index: number) => RateSegment | undefined;

export type Arrivals = 'even' | 'poisson';

export const constantCurve =
  (rate: number): RateCurve =>
  (i) =>
    i === 0 ? { start: 0, end: Infinity, from: rate, to: rate } : undefined;

/** From `from` to `to` req/s linearly over `overMs`, then `to` for good. */
export const rampCurve =
  (from: number, to: number, overMs: number): RateCurve =>
  (i) =>
    i === 0 ? { start: 0, end: overMs, from, to } : i === 1 ? { start: overMs, end: Infinity, from: to, to } : undefined;

/** `base` req/s, then `peak` from `atMs` for `forMs`, then `base` again. */
export function spikeCurve(base: number, peak: number, atMs: number, forMs: number): RateCurve {
  const pieces: RateSegment[] = [
    ...(atMs > 0 ? [{ start: 0, end: atMs, from: base, to: base }] : []),
    { start: atMs, end: atMs + forMs, from: peak, to: peak },
    { start: atMs + forMs, end: Infinity, from: base, to: base },
  ];
  return (i) => pieces[i];
}

/** `rate` for `onMs`, then `offRate` for `offMs`, repeated without end (a burst starts the phase). */
export const burstsCurve =
  (rate: number, onMs: number, offMs: number, offRate = 0): RateCurve =>
  (i) => {
    const period = Math.floor(i / 2);
    const start = period * (onMs + offMs) + (i % 2 === 0 ? 0 : onMs);
    const r = i % 2 === 0 ? rate : offRate;
    return { start, end: start + (i % 2 === 0 ? onMs : offMs), from: r, to: r };
  };

/** The curve's rate at `t` ms (req/s). */
export function rateAt(curve: RateCurve, t: number): number {
  for (let i = 0; ; i++) {
    const s = curve(i);
    if (!s) return 0;
    if (t < s.end) return s.end === Infinity ? s.from : s.from + ((s.to - s.from) * (t - s.start)) / (s.end - s.start);
  }
}

/** How many sends the curve asks for in [0, t) ms: the integral of the rate (a real number). */
export function expectedCount(curve: RateCurve, t: number): number {
  let total = 0;
  for (let i = 0; ; i++) {
    const s = curve(i);
    if (!s || t <= s.start) return total;
    const until = Math.min(t, s.end);
    const rateAtUntil = s.end === Infinity ? s.from : s.from + ((s.to - s.from) * (until - s.start)) / (s.end - s.start);
    total += ((s.from + rateAtUntil) / 2) * ((until - s.start) / 1000);
  }
}

/**
 * The intended send times of one open-loop phase. `next()` returns the next time in ms from the phase
 * start (non-decreasing), or Infinity when the curve asks for nothing more. Draws from `rng` only for
 * Poisson arrivals, one uniform number per send.
 */
export class ArrivalSchedule {
  readonly #curve: RateCurve;
  readonly #arrivals: Arrivals;
  readonly #rng: () => number;
  /** The count at which the next send is due. */
  #due: number;
  #index = 0;
  /** N(t) at the start of segment #index. */
  #countAtStart = 0;

  constructor(curve: RateCurve, arrivals: Arrivals, rng: () => number) {
    this.#curve = curve;
    this.#arrivals = arrivals;
    this.#rng = rng;
    this.#due = arrivals === 'even' ? 0 : this.#gap();
  }

  next(): number {
    const at = this.#timeOfCount(this.#due);
    this.#due += this.#arrivals === 'even' ? 1 : this.#gap();
    return at;
  }

  /** An exponential gap of mean 1 (inverse CDF; 1 - u is in (0, 1], so the log is finite). */
  #gap(): number {
    return -Math.log(1 - this.#rng());
  }

  /** N⁻¹(count): walk forward to the segment where N reaches `count`, then solve inside it. */
  #timeOfCount(count: number): number {
    for (;;) {
      const s = this.#curve(this.#index);
      if (!s) return Infinity;
      const length = (s.end - s.start) / 1000;
      const inSegment = s.end === Infinity ? (s.from > 0 ? Infinity : 0) : ((s.from + s.to) / 2) * length;
      if (this.#countAtStart + inSegment > count) return s.start + 1000 * secondsToCount(s, length, count - this.#countAtStart);
      if (s.end === Infinity) return Infinity;
      this.#countAtStart += inSegment;
      this.#index++;
    }
  }
}

/**
 * Seconds into segment `s` (length `length` s) at which its integral reaches `m`: the root of
 * from·τ + (to - from)·τ²/(2·length) = m, written as 2m / (from + √(from² + 2(to - from)m/length))
 * so it stays exact when the slope is 0 and when `from` is 0.
 */
function secondsToCount(s: RateSegment, length: number, m: number): number {
  if (m <= 0) return 0;
  if (s.end === Infinity || s.to === s.from) return m / s.from;
  return (2 * m) / (s.from + Math.sqrt(s.from * s.from + (2 * (s.to - s.from) * m) / length));
}
