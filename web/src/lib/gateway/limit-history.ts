/**
 * The live drawing of a gateway's rate limits, from the engine's own decisions: every rate-limit step
 * of a `request.completed` carries, per limit, the key, whether it passed and what remained of the
 * quota (events.ts `LimitDecisionView`). This keeps the recent decisions per limit and key, picks the
 * key worth watching (the one refused most recently, else the busiest), and draws the quota left over
 * time as the algorithm itself would between decisions: a token bucket or GCRA refills at its rate, a
 * leaky bucket drains at its rate, a fixed window is full again at its boundary, the others hold their
 * last known value (nothing is guessed for them). Accepted and refused requests sit on the same axis.
 *
 * Each config starts its limits empty in the engine, so only the decisions of the newest config are
 * kept: every decision says the config generation it was made under, and `config.applied` says which
 * is newest. Either may come first (a new limiter's first requests can end before the event; a request
 * decided under the old config can end after it), so whichever names a newer generation drops the older
 * decisions, and a decision of an older one is left out. A concurrency limit's request also says, as it
 * ends, how many of the key's requests are still in flight after giving its slot back: that is a point
 * too (`release`), so the slots drawn are the engine's count at the last slot taken or given back.
 */
import type { LimitDecisionView, StageStep } from '../../../../engine/src/events.ts';

/** A limit's config as the chart needs it (the engine's `spec`). */
export interface LimitShape {
  algorithm: string;
  rate?: number;
  limit?: number;
  window?: number;
}

export interface LimitPoint {
  /** The algorithm that decided (`token-bucket`...): a switch mid-traffic mixes the old one's last decisions in. */
  limiter: string;
  /** When the engine decided, engine wall-clock ms (see decidedAt). */
  ts: number;
  allowed: boolean;
  remaining: number;
  quota: number;
  /** The algorithm's own measure after the decision (Decision.level: tokens, excess, count, TAT ahead, in flight). */
  level: number;
  /** How long an accepted request was made to wait (leaky-bucket); 0 otherwise. */
  delayMs: number;
  /** Not a decision: a concurrency slot given back as its request ended (`ts`); `level` is the key's requests still in flight after it. */
  release?: true;
}

/**
 * When the rate-limit step at `stepIndex` decided, engine wall-clock ms: the node received the request
 * `durationMs` before it completed (`ts`), and the stages before this one took their `ms`. Rounded to
 * the whole ms, as the limiters' clock (Date.now()) ticks; an estimate within about a ms.
 */
export function decidedAt(ts: number, durationMs: number, stages: readonly StageStep[], stepIndex: number): number {
  let at = ts - durationMs;
  for (let i = 0; i < stepIndex; i++) at += stages[i].ms;
  return Math.round(at);
}

/** Recent decisions by limit name, then key, of the newest config generation seen. */
export class LimitHistory {
  readonly #byLimit = new Map<string, Map<string, LimitPoint[]>>();
  #generation = 0;

  constructor(
    readonly keep = 200,
    readonly keysPerLimit = 50,
  ) {}

  /** The config generation whose decisions are kept; 0 until one is known. */
  get generation(): number {
    return this.#generation;
  }

  /** The engine applied config `generation`: older decisions go, this one's (which may have come first) stay. */
  configApplied(generation: number): void {
    if (generation > this.#generation) this.#enter(generation);
  }

  /**
   * The decisions of one request's rate-limit step: `decidedTs` when they were made, `endedTs` when the
   * request ended (its `request.completed`), where a concurrency slot it gave back is placed.
   */
  record(decidedTs: number, decisions: readonly LimitDecisionView[], endedTs: number): void {
    for (const d of decisions) {
      if (d.generation < this.#generation) continue;
      if (d.generation > this.#generation) this.#enter(d.generation);
      const points = this.#pointsOf(d.name, d.key);
      const { limiter, quota } = d;
      insertInOrder(points, { limiter, ts: decidedTs, allowed: d.allowed, remaining: d.remaining, quota, level: d.level, delayMs: d.delayMs });
      if (d.inFlightAfter !== undefined) {
        const level = d.inFlightAfter;
        insertInOrder(points, { limiter, ts: endedTs, allowed: true, remaining: quota - level, quota, level, delayMs: 0, release: true });
      }
      if (points.length > this.keep) points.splice(0, points.length - this.keep);
    }
  }

  /** The keys of a limit seen recently, with their points in decision order. */
  keysOf(limit: string): ReadonlyMap<string, readonly LimitPoint[]> {
    return this.#byLimit.get(limit) ?? new Map();
  }

  #enter(generation: number): void {
    this.#byLimit.clear();
    this.#generation = generation;
  }

  #pointsOf(limit: string, key: string): LimitPoint[] {
    let keys = this.#byLimit.get(limit);
    if (keys === undefined) this.#byLimit.set(limit, (keys = new Map()));
    let points = keys.get(key);
    if (points === undefined) {
      if (keys.size >= this.keysPerLimit) keys.delete(keys.keys().next().value as string);
      keys.set(key, (points = []));
    }
    return points;
  }
}

/**
 * Events come as requests end, not as they were decided: a slow accepted request lands after a quick
 * refusal decided later. Kept in time order, so "the last point before t" is one.
 */
function insertInOrder(points: LimitPoint[], point: LimitPoint): void {
  let at = points.length;
  while (at > 0 && points[at - 1].ts > point.ts) at--;
  points.splice(at, 0, point);
}

/** The key worth watching: the one refused most recently in the window, else the one with the most decisions in it. */
export function focusKey(keys: ReadonlyMap<string, readonly LimitPoint[]>, since: number): string | undefined {
  let refused: { key: string; ts: number } | undefined;
  let busiest: { key: string; n: number } | undefined;
  for (const [key, points] of keys) {
    let n = 0;
    for (const p of points) {
      if (p.ts < since || p.release) continue;
      n++;
      if (!p.allowed && (refused === undefined || p.ts > refused.ts)) refused = { key, ts: p.ts };
    }
    if (n > 0 && (busiest === undefined || n > busiest.n)) busiest = { key, n };
  }
  return refused?.key ?? busiest?.key;
}

/**
 * The quota left at `t`, from the last decision at or before it, as the algorithm moves between
 * decisions (see the file comment); undefined before the first decision.
 */
export function remainingAt(points: readonly LimitPoint[], shape: LimitShape, t: number): number | undefined {
  let last: LimitPoint | undefined;
  for (const p of points) {
    if (p.ts > t) break;
    last = p;
  }
  if (last === undefined) return undefined;
  const elapsedS = (t - last.ts) / 1000;
  switch (shape.algorithm) {
    case 'token-bucket':
    case 'gcra':
    case 'leaky-bucket':
      return Math.min(last.quota, last.remaining + (shape.rate ?? 0) * elapsedS);
    case 'fixed-window': {
      const windowMs = shape.window ?? 0;
      if (windowMs > 0 && Math.floor(t / windowMs) !== Math.floor(last.ts / windowMs)) return last.quota;
      return last.remaining;
    }
    default:
      return last.remaining;
  }
}

/** The chart of one key: the quota-left line as an SVG path, and the decisions as marks, over [from, to]. */
export function chartOf(
  points: readonly LimitPoint[],
  shape: LimitShape,
  from: number,
  to: number,
  size: { width: number; height: number },
): { line: string; marks: Array<{ x: number; allowed: boolean }>; quota: number } {
  const quota = points.at(-1)?.quota ?? shape.limit ?? 1;
  const x = (t: number) => ((t - from) / (to - from)) * size.width;
  const y = (r: number) => size.height - (Math.max(0, Math.min(quota, r)) / Math.max(1, quota)) * size.height;
  const steps = 120;
  let line = '';
  for (let i = 0; i <= steps; i++) {
    const t = from + ((to - from) * i) / steps;
    const r = remainingAt(points, shape, t);
    if (r === undefined) continue;
    line += `${line === '' ? 'M' : 'L'}${x(t).toFixed(1)},${y(r).toFixed(1)}`;
  }
  const marks = points.filter((p) => !p.release && p.ts >= from && p.ts <= to).map((p) => ({ x: x(p.ts), allowed: p.allowed }));
  return { line, marks, quota };
}
