/**
 * Key popularity for the `{key}` path placeholder: keys 1..count drawn uniformly, or by Zipf's law,
 * where key k (its rank) is drawn in proportion to 1/k^s. Real caches and hash rings see Zipf-like
 * traffic (a few hot keys, a long tail), which is what makes hit ratios and hot spots worth watching.
 *
 * The Zipf sampler is the textbook one, written out because it is part of the lesson: precompute the
 * cumulative weights once (O(count)), then each draw is an inverse-CDF lookup by binary search
 * (O(log count)) on one uniform number from the injected random source.
 */
import { WeightedChoice } from './weighted.ts';

export interface KeysSpec {
  count: number;
  distribution: 'uniform' | 'zipf';
  s: number;
}

/** Draws a key number in 1..count. */
export type KeySampler = () => number;

export function keySampler(spec: KeysSpec, rng: () => number): KeySampler {
  const { count } = spec;
  if (spec.distribution === 'uniform') return () => 1 + Math.floor(rng() * count);
  const choice = new WeightedChoice(zipfWeights(count, spec.s));
  return () => 1 + choice.pick(rng);
}

/** The unnormalised Zipf weights 1/k^s for k = 1..count. */
export function zipfWeights(count: number, s: number): Float64Array {
  const weights = new Float64Array(count);
  for (let k = 1; k <= count; k++) weights[k - 1] = 1 / k ** s;
  return weights;
}

/** The probability of rank `k` under Zipf(count, s): (1/k^s) / H(count, s). */
export function zipfProbability(k: number, count: number, s: number): number {
  let harmonic = 0;
  for (let i = 1; i <= count; i++) harmonic += 1 / i ** s;
  return 1 / k ** s / harmonic;
}
