/**
 * Drawing maths for the balancer views, kept out of the components: arcs of a hash ring, runs of a
 * table strip, bar lengths that may go negative (smooth weighted round robin's current weights) and
 * sparklines. Positions on a ring are fractions of a turn (0 at the top, clockwise), so a 32-bit hash
 * `h` sits at `h / 2^32` and a Maglev slot `s` of `M` at `s / M`.
 */

export interface Run {
  id: string | null;
  /** Fractions of the whole, `from < to`, `to` at most 1. */
  from: number;
  to: number;
}

/**
 * Consecutive equal owners merged into runs. `owners[k]` owns `[k/n, (k+1)/n)`. On a ring
 * (`circular`), a run that wraps past the end is one run starting before 1 and ending after it
 * (`to > 1`), so an arc is never split at the top.
 */
export function ownerRuns(owners: readonly (string | null)[], circular = false): Run[] {
  const n = owners.length;
  const runs: Run[] = [];
  for (let k = 0; k < n; k++) {
    const last = runs[runs.length - 1];
    if (last && last.id === owners[k]) last.to = (k + 1) / n;
    else runs.push({ id: owners[k], from: k / n, to: (k + 1) / n });
  }
  if (circular && runs.length > 1 && runs[0].id === runs[runs.length - 1].id) {
    const first = runs.shift()!;
    runs[runs.length - 1].to = 1 + first.to;
  }
  return runs;
}

/** The point at `fraction` of a turn on a circle, 0 at the top, clockwise (SVG's y grows downwards). */
export function polar(cx: number, cy: number, r: number, fraction: number): { x: number; y: number } {
  const angle = fraction * 2 * Math.PI - Math.PI / 2;
  return { x: cx + r * Math.cos(angle), y: cy + r * Math.sin(angle) };
}

const round = (v: number) => Math.round(v * 100) / 100;

/** An SVG path of the arc from `from` to `to` (fractions of a turn, clockwise); a whole turn is two half arcs. */
export function arcPath(cx: number, cy: number, r: number, from: number, to: number): string {
  const span = to - from;
  if (span >= 1 - 1e-9) {
    const top = polar(cx, cy, r, 0);
    const bottom = polar(cx, cy, r, 0.5);
    return `M${round(top.x)},${round(top.y)} A${r},${r} 0 0 1 ${round(bottom.x)},${round(bottom.y)} A${r},${r} 0 0 1 ${round(top.x)},${round(top.y)}`;
  }
  const a = polar(cx, cy, r, from);
  const b = polar(cx, cy, r, to);
  return `M${round(a.x)},${round(a.y)} A${r},${r} 0 ${span > 0.5 ? 1 : 0} 1 ${round(b.x)},${round(b.y)}`;
}

/** Where a 32-bit hash lies on the ring, as a fraction of a turn. */
export function hashFraction(hash: number): number {
  return (hash >>> 0) / 2 ** 32;
}

export interface BarScale {
  /** Where 0 is, in px from the left. */
  zero: number;
  /** Left edge and width of the bar for `value`. */
  bar(value: number): { x: number; width: number };
}

/**
 * Bars that share one scale over `width` px and may be negative: 0 sits where the most negative
 * value leaves room for, so a target that just won (its current weight dropped below 0) shows left of
 * the line and the others right of it. All zero gives a scale of one unit.
 */
export function barScale(values: readonly number[], width: number): BarScale {
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  const span = max - min || 1;
  const unit = width / span;
  const zero = min < 0 ? -min * unit : 0;
  return {
    zero,
    bar(value) {
      const length = Math.abs(value) * unit;
      return { x: value < 0 ? zero - length : zero, width: length };
    },
  };
}

export interface SeriesPoint {
  t: number;
  v: number;
}

export interface SparkBox {
  width: number;
  height: number;
  t0: number;
  t1: number;
  /** The value drawn at the top; the bottom is 0. */
  vMax: number;
}

/** An SVG polyline path through `points` (time ascending) scaled into the box; empty for no points. */
export function sparklinePath(points: readonly SeriesPoint[], box: SparkBox): string {
  if (points.length === 0) return '';
  const span = box.t1 - box.t0 || 1;
  const top = box.vMax > 0 ? box.vMax : 1;
  const x = (t: number) => round(((t - box.t0) / span) * box.width);
  const y = (v: number) => round(box.height - (Math.min(Math.max(v, 0), top) / top) * box.height);
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t)},${y(p.v)}`).join(' ');
}

const NICE_STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** A round upper bound for an axis, at least `value` and within a quarter of it: 1, 1.2, 1.5, 2, ... 8 times a power of ten. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = NICE_STEPS.find((s) => s * power >= value * (1 - 1e-12)) ?? 10;
  return Math.round(step * power * 1e6) / 1e6;
}

/** A dash pattern per target for lines that may overlap, so colour is not the only way to tell them apart. */
const TARGET_DASHES = ['', '6 3', '2 2', '8 2 2 2'];

export function targetDash(index: number): string {
  return index < 0 ? '' : TARGET_DASHES[index % TARGET_DASHES.length];
}

/**
 * Short labels for a target list: the common prefix is dropped when what is left is short and still
 * tells them apart (`users-1`, `users-2` -> `1`, `2`); otherwise the ids stay whole.
 */
export function shortNames(ids: readonly string[]): Map<string, string> {
  let prefix = ids.length > 1 ? ids[0] : '';
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const short = ids.map((id) => id.slice(prefix.length));
  const usable = prefix !== '' && short.every((s) => s !== '' && s.length <= 4) && new Set(short).size === ids.length;
  return new Map(ids.map((id, i) => [id, usable ? short[i] : id]));
}
