/**
 * One key's limiter state at any moment, rebuilt from the engine's decisions, for the drawing of each
 * algorithm (LimiterDrawing.svelte). Every decision carries the algorithm's own measure after it
 * (`level`: tokens, excess, count, TAT ahead of now, in flight); between decisions the state moves as
 * the engine's algorithm moves it with no request (engine/src/gateway/limiters/*.ts): a bucket refills
 * or drains at its rate, a fixed window empties at its clock-aligned boundary, a sliding log forgets
 * what left the window, the TAT stays where it is while now runs on. The shapes mirror the engine's
 * `LimiterView`, so a test can hold one against the other.
 *
 * Nothing is guessed. The windows that count past requests (the sliding log and counter) are drawn from
 * the requests this page saw, and only when those agree with the engine's count at the last decision
 * (events may be sampled for a slow page, and a page opened late missed the first ones); otherwise the
 * engine's last count is held and the drawing says so (`seen: false`). Concurrency's slots are the
 * engine's count when a slot was last taken (a decision) or given back (a request that ended says what
 * its release left: a `release` point), with that time; a request still in flight is told when it ends.
 */
import type { LimitPoint, LimitShape } from './limit-history.ts';

/** A limit's config as the drawings need it (the engine's `spec`: windows in ms). */
export interface DrawnShape extends LimitShape {
  burst?: number;
  delay?: number;
  nodelay?: boolean;
}

export type LimiterDrawing = { at: number; decidedAt: number } & (
  | { kind: 'token-bucket'; tokens: number; capacity: number; ratePerSecond: number }
  | { kind: 'leaky-bucket'; excess: number; burst: number; ratePerSecond: number; delay: number | 'nodelay' }
  | { kind: 'fixed-window'; windowStart: number; windowMs: number; count: number; limit: number }
  | { kind: 'sliding-window-log'; times: number[]; windowMs: number; limit: number; count: number; seen: boolean }
  | {
      kind: 'sliding-window-counter';
      windowStart: number;
      windowMs: number;
      /** Undefined when the requests seen do not add up to the engine's estimate (see the file comment). */
      previous: number | undefined;
      current: number | undefined;
      estimate: number;
      limit: number;
      seen: boolean;
    }
  | { kind: 'gcra'; tat: number; periodMs: number; toleranceMs: number }
  /** `counted`: what last told the count, a request decided or one that ended and gave its slot back. */
  | { kind: 'concurrency'; inUse: number; limit: number; counted: 'decided' | 'ended' }
);

/** Float slack when comparing an estimate the engine computed with one rebuilt here. */
const EPSILON = 1e-6;

/**
 * The state at `t` of the key whose decisions are `all` (decision order), from those of the shape's own
 * algorithm (a switch mid-traffic leaves the old one's last decisions in); undefined before the first.
 */
export function drawingAt(all: readonly LimitPoint[], shape: DrawnShape, t: number): LimiterDrawing | undefined {
  const points = all.filter((p) => p.limiter === shape.algorithm);
  const lastIndex = lastAtOrBefore(points, t);
  if (lastIndex < 0) return undefined;
  const last = points[lastIndex];
  const base = { at: t, decidedAt: last.ts };
  const rate = shape.rate ?? 0;
  const windowMs = shape.window ?? 0;
  const limit = shape.limit ?? last.quota;
  const elapsedS = (t - last.ts) / 1000;
  switch (shape.algorithm) {
    case 'token-bucket': {
      const capacity = shape.burst ?? Math.max(1, Math.ceil(rate));
      return { ...base, kind: 'token-bucket', tokens: Math.min(capacity, last.level + rate * elapsedS), capacity, ratePerSecond: rate };
    }
    case 'leaky-bucket': {
      // nginx keeps the rate in whole thousandths; a refused request's level is the excess it would have
      // made (one more than the bucket held, which it left as it was).
      const ratePerSecond = Math.floor(rate * 1000 + EPSILON) / 1000;
      const held = last.allowed ? last.level : Math.max(0, last.level - 1);
      const delay = shape.nodelay ? 'nodelay' : (shape.delay ?? 0);
      return { ...base, kind: 'leaky-bucket', excess: Math.max(0, held - ratePerSecond * elapsedS), burst: shape.burst ?? 0, ratePerSecond, delay };
    }
    case 'fixed-window': {
      const windowStart = windowStartOf(t, windowMs);
      const count = windowStartOf(last.ts, windowMs) === windowStart ? last.level : 0;
      return { ...base, kind: 'fixed-window', windowStart, windowMs, count, limit };
    }
    case 'sliding-window-log': {
      const seen = acceptedWhere(points, (ts) => ts > last.ts - windowMs && ts <= last.ts) === last.level;
      const times: number[] = [];
      for (const p of points) if (p.allowed && p.ts > t - windowMs && p.ts <= t) times.push(p.ts);
      return { ...base, kind: 'sliding-window-log', times, windowMs, limit, count: seen ? times.length : last.level, seen };
    }
    case 'sliding-window-counter': {
      const seen = Math.abs(counterEstimate(points, last.ts, windowMs).estimate - last.level) < EPSILON;
      const now = counterEstimate(points, t, windowMs);
      return {
        ...base,
        kind: 'sliding-window-counter',
        windowStart: windowStartOf(t, windowMs),
        windowMs,
        previous: seen ? now.previous : undefined,
        current: seen ? now.current : undefined,
        estimate: seen ? now.estimate : last.level,
        limit,
        seen,
      };
    }
    case 'gcra': {
      const periodMs = rate > 0 ? 1000 / rate : 0;
      return { ...base, kind: 'gcra', tat: Math.max(last.ts + last.level, t), periodMs, toleranceMs: periodMs * (shape.burst ?? 0) };
    }
    case 'concurrency':
      return { ...base, kind: 'concurrency', inUse: last.level, limit, counted: last.release ? 'ended' : 'decided' };
    default:
      return undefined;
  }
}

/** Where a window of `windowMs` starts around `t`: on multiples of it, as the engine aligns them. */
export function windowStartOf(t: number, windowMs: number): number {
  return windowMs > 0 ? Math.floor(t / windowMs) * windowMs : t;
}

/** `x / max` kept within 0..1 (a drawing's fill, sweep or position). */
export function fraction(x: number, max: number): number {
  return max > 0 ? Math.max(0, Math.min(1, x / max)) : 0;
}

/**
 * The GCRA time line, from now to its end: far enough to hold the tolerance, one period past it (where a
 * request's TAT would land) and the TAT; `x(ms ahead)` in 0..1 along it.
 */
export function gcraAxis(d: { at: number; tat: number; periodMs: number; toleranceMs: number }): { spanMs: number; x: (ahead: number) => number } {
  const spanMs = Math.max(d.toleranceMs + d.periodMs * 1.5, d.tat - d.at, 1);
  return { spanMs, x: (ahead) => fraction(ahead, spanMs) };
}

/** The sliding log's time axis: the window's length and a quarter more before it, ending at now. */
export function logAxis(at: number, windowMs: number): { from: number; x: (t: number) => number } {
  const from = at - windowMs * 1.25;
  return { from, x: (t) => fraction(t - from, at - from) };
}

/** Index of the last point decided at or before `t`, or -1. */
function lastAtOrBefore(points: readonly LimitPoint[], t: number): number {
  let i = points.length - 1;
  while (i >= 0 && points[i].ts > t) i--;
  return i;
}

/** Accepted requests decided at a time `within` says. */
function acceptedWhere(points: readonly LimitPoint[], within: (ts: number) => boolean): number {
  let n = 0;
  for (const p of points) if (p.allowed && within(p.ts)) n++;
  return n;
}

/** The sliding counter at `t` from the requests seen: the previous and current aligned windows' counts, weighted. */
function counterEstimate(points: readonly LimitPoint[], t: number, windowMs: number): { previous: number; current: number; estimate: number } {
  const start = windowStartOf(t, windowMs);
  const previous = acceptedWhere(points, (ts) => ts >= start - windowMs && ts < start);
  const current = acceptedWhere(points, (ts) => ts >= start && ts <= t);
  const weight = windowMs > 0 ? (windowMs - (t - start)) / windowMs : 0;
  return { previous, current, estimate: previous * weight + current };
}
