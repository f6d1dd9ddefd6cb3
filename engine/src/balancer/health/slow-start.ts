/**
 * Slow start, as Envoy's: a target that comes back takes a growing share of the traffic over a window
 * instead of all of it at once. Its weight is scaled by `max(minWeight, (elapsed / window)^(1 / aggression))`.
 * The balancer applies the factor by admission, so it works the same for every picker, round robin
 * (which ignores weights) included: at each pick a warming target stays eligible with probability
 * `factor`, so it gets about `factor` of its usual share. Hash pickers are left out, as in Envoy,
 * because a key must not change target while one warms up. Pure.
 */

export interface SlowStartConfig {
  windowMs: number;
  /** 1 ramps linearly; above 1 the weight rises faster at first. */
  aggression: number;
  /** The share a target starts at, in percent. */
  minWeightPercent: number;
}

/** The factor in (0, 1] applied to the weight `elapsedMs` after the target came back; 1 once the window is over. */
export function slowStartFactor(elapsedMs: number, config: SlowStartConfig): number {
  if (elapsedMs >= config.windowMs) return 1;
  const ramp = Math.pow(Math.max(0, elapsedMs) / config.windowMs, 1 / config.aggression);
  return Math.min(1, Math.max(config.minWeightPercent / 100, ramp));
}
