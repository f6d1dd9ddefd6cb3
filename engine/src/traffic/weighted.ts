/**
 * A weighted choice by inverse CDF: the cumulative weights are computed once, and each draw maps a
 * uniform number in [0, total) to the first index whose cumulative weight exceeds it, by binary
 * search. O(n) to build, O(log n) per draw, and exact: index i is drawn with probability w_i / total.
 * The request mix and the Zipf key popularity both draw through it.
 */
export class WeightedChoice {
  readonly #cumulative: Float64Array;
  readonly total: number;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new Error('a weighted choice needs at least one weight');
    this.#cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`weight ${i} is ${w}: expected a finite number ≥ 0`);
      sum += w;
      this.#cumulative[i] = sum;
    }
    if (sum <= 0) throw new Error('the weights sum to 0: nothing can be drawn');
    this.total = sum;
  }

  get size(): number {
    return this.#cumulative.length;
  }

  /** The index for a uniform draw `u` in [0, 1): the first i with cumulative[i] > u × total. */
  indexAt(u: number): number {
    const target = u * this.total;
    const cumulative = this.#cumulative;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  pick(rng: () => number): number {
    return this.indexAt(rng());
  }
}
