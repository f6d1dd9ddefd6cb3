/**
 * Passive health: outlier detection on live traffic, after Envoy's. A target becomes an outlier when
 * its consecutive failures reach a threshold (the count fires once, exactly at the threshold, as
 * Envoy's `consecutive_5xx`), or when its failure rate over a sliding window reaches a threshold once
 * it has seen enough requests. An outlier is ejected (not picked) for `baseEjection × times ejected`,
 * capped at `maxEjection`, then returns by itself. Each `baseEjection` it then stays in forgives one
 * past ejection (Envoy lowers the multiplier once per healthy interval; we use the base time as the
 * interval). An ejection is refused when the share of targets already ejected has reached the cap,
 * except that one target may always be ejected: "if no hosts have been ejected, Envoy will eject the
 * host immediately" (Envoy's outlier documentation). Pure: the caller passes the time.
 */

export interface OutlierConfig {
  /** Failures in a row that make a target an outlier; 0 turns this rule off. */
  consecutiveFailures: number;
  /** The failure-rate rule, off when absent. */
  failureRate?: { percent: number; minRequests: number; windowMs: number };
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
}

/** Why a target is an outlier, with the numbers that decided it. */
export interface Outlier {
  reason: string;
  detail: Record<string, number>;
}

/** How long the `times`-th ejection lasts: base × times, capped (the cap is never below the base, as Envoy). */
export function ejectionTimeMs(times: number, config: OutlierConfig): number {
  return Math.min(config.baseEjectionMs * times, Math.max(config.maxEjectionMs, config.baseEjectionMs));
}

/**
 * May one more target be ejected, with `ejected` of `total` out already? Always when none is out;
 * otherwise only while the share out is below the cap (Envoy's `max_ejection_percent`).
 */
export function mayEject(ejected: number, total: number, maxPercent: number): boolean {
  return ejected === 0 || (100 * ejected) / total < maxPercent;
}

/** Requests and failures over a sliding window, kept in ten buckets (so it slides a tenth at a time). */
export class SlidingCounts {
  readonly #bucketMs: number;
  readonly #slots = new Array<number>(10).fill(-1);
  readonly #totals = new Array<number>(10).fill(0);
  readonly #failures = new Array<number>(10).fill(0);

  constructor(readonly windowMs: number) {
    this.#bucketMs = Math.max(1, windowMs / 10);
  }

  add(failed: boolean, now: number): void {
    const slot = Math.floor(now / this.#bucketMs);
    const i = slot % 10;
    if (this.#slots[i] !== slot) {
      this.#slots[i] = slot;
      this.#totals[i] = 0;
      this.#failures[i] = 0;
    }
    this.#totals[i]++;
    if (failed) this.#failures[i]++;
  }

  counts(now: number): { requests: number; failures: number } {
    const current = Math.floor(now / this.#bucketMs);
    let requests = 0;
    let failures = 0;
    for (let i = 0; i < 10; i++) {
      if (this.#slots[i] > current - 10) {
        requests += this.#totals[i];
        failures += this.#failures[i];
      }
    }
    return { requests, failures };
  }

  clear(): void {
    this.#slots.fill(-1);
    this.#totals.fill(0);
    this.#failures.fill(0);
  }
}

/** One target's outlier state at one balancer. */
export class TargetOutlier {
  consecutiveFailures = 0;
  timesEjected = 0;
  /** When the current ejection ends, or undefined when the target is in. */
  ejectedUntil: number | undefined;
  #returnedAt = Number.NEGATIVE_INFINITY;
  #window: SlidingCounts | undefined;

  /**
   * Count a finished request; returns why the target is now an outlier, or undefined. Answers that
   * arrive while it is ejected (requests sent before) are not counted.
   */
  record(failed: boolean, now: number, config: OutlierConfig): Outlier | undefined {
    if (this.ejectedUntil !== undefined) return undefined;
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    const threshold = config.consecutiveFailures;
    if (threshold > 0 && failed && this.consecutiveFailures === threshold) {
      return {
        reason: `${threshold} consecutive failures reached the threshold of ${threshold}`,
        detail: { consecutiveFailures: this.consecutiveFailures, threshold },
      };
    }
    const rate = config.failureRate;
    if (!rate) return undefined;
    if (this.#window?.windowMs !== rate.windowMs) this.#window = new SlidingCounts(rate.windowMs);
    this.#window.add(failed, now);
    const { requests, failures } = this.#window.counts(now);
    const percent = (100 * failures) / requests;
    if (!failed || requests < rate.minRequests || percent < rate.percent) return undefined;
    // Counted once: the next verdict needs a fresh window of requests.
    this.#window.clear();
    return {
      reason: `failure rate ${Math.round(percent)}% (${failures} of ${requests} in ${rate.windowMs} ms) reached ${rate.percent}%`,
      detail: {
        failures,
        requests,
        failurePercent: Math.round(percent * 10) / 10,
        thresholdPercent: rate.percent,
        windowMs: rate.windowMs,
      },
    };
  }

  /** Eject from `now`: the past ejections not yet forgiven count towards this one's length. */
  eject(now: number, config: OutlierConfig): { ejectionMs: number; timesEjected: number } {
    const forgiven = Math.floor((now - this.#returnedAt) / config.baseEjectionMs);
    this.timesEjected = Math.max(0, this.timesEjected - forgiven) + 1;
    const ejectionMs = ejectionTimeMs(this.timesEjected, config);
    this.ejectedUntil = now + ejectionMs;
    this.consecutiveFailures = 0;
    this.#window?.clear();
    return { ejectionMs, timesEjected: this.timesEjected };
  }

  /** Bring the target back if its ejection is over at `now`; true when it just came back. */
  returnIfDue(now: number): boolean {
    if (this.ejectedUntil === undefined || now < this.ejectedUntil) return false;
    this.#returnedAt = this.ejectedUntil;
    this.ejectedUntil = undefined;
    return true;
  }

  /** Requests and failures in the failure-rate window (zeros when the rule is off). */
  windowCounts(now: number): { requests: number; failures: number } {
    return this.#window?.counts(now) ?? { requests: 0, failures: 0 };
  }
}
