/**
 * The counts behind one node's Prometheus duration histogram, fed per request with a bound search and
 * two additions, and read only when `/metrics` is scraped. (prom-client's own Histogram hashes the
 * label set on every observation: about 1.5% of the engine's CPU on the chain.)
 */

/** Seconds, from 1 ms (a cache hit on loopback) to 30 s (past any sane upstream timeout). */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class DurationBuckets {
  /** Observations per bucket, not cumulative; the last slot is beyond the last bound (`+Inf` only). */
  readonly #counts = new Float64Array(DURATION_BUCKETS_SECONDS.length + 1);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    let index = 0;
    while (index < DURATION_BUCKETS_SECONDS.length && seconds > DURATION_BUCKETS_SECONDS[index]!) index++;
    this.#counts[index]!++;
    this.count++;
    this.sum += seconds;
  }

  /** Cumulative counts per bound (`le`), as Prometheus reports them, then `+Inf`. */
  cumulative(): number[] {
    const out: number[] = [];
    let running = 0;
    for (const count of this.#counts) out.push((running += count));
    return out;
  }

  reset(): void {
    this.#counts.fill(0);
    this.count = 0;
    this.sum = 0;
  }
}
