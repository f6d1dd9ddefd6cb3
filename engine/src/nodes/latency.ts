/**
 * Samples a service's configured latency: fixed, uniform, normal (clipped at 0) or log-normal.
 * Takes the random source as a parameter so a seeded run repeats exactly.
 */
import type { LatencyConfig } from '../config/schema.ts';

export type LatencySampler = () => number;

export function latencySampler(spec: LatencyConfig, rng: () => number): LatencySampler {
  if (typeof spec === 'number') return () => spec;
  switch (spec.distribution) {
    case 'uniform': {
      const { min, max } = spec;
      return () => min + (max - min) * rng();
    }
    case 'normal': {
      const { mean, stddev } = spec;
      return () => Math.max(0, mean + stddev * standardNormal(rng));
    }
    case 'lognormal': {
      const mu = Math.log(Math.max(spec.median, 1e-3));
      const { sigma } = spec;
      return () => Math.exp(mu + sigma * standardNormal(rng));
    }
  }
}

/** Box-Muller: one standard normal draw from two uniform ones. */
function standardNormal(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
