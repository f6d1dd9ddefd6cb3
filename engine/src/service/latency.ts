/**
 * Samples a service's configured latency: fixed, uniform, normal (clipped at 0), log-normal, or a mix
 * of those (a long tail: most requests from one part, a few from a slow one). Takes the random source
 * as a parameter so a seeded run repeats exactly. The config holds every duration within what a timer
 * can hold; the unbounded draws (normal, log-normal) are clipped there too, since a longer wait would
 * fire at once.
 */
import { MAX_TIMER_MS } from '../config/limits.ts';
import type { LatencyConfig } from '../config/schema.ts';

export type LatencySampler = () => number;

type SingleLatencyConfig = Exclude<LatencyConfig, { distribution: 'mix' }>;

export function latencySampler(spec: LatencyConfig, rng: () => number): LatencySampler {
  if (typeof spec !== 'number' && spec.distribution === 'mix') return mixSampler(spec.of, rng);
  return singleSampler(spec, rng);
}

function singleSampler(spec: SingleLatencyConfig, rng: () => number): LatencySampler {
  if (typeof spec === 'number') return () => spec;
  switch (spec.distribution) {
    case 'uniform': {
      const { min, max } = spec;
      return () => min + (max - min) * rng();
    }
    case 'normal': {
      const { mean, stddev } = spec;
      return () => Math.min(MAX_TIMER_MS, Math.max(0, mean + stddev * standardNormal(rng)));
    }
    case 'lognormal': {
      const mu = Math.log(Math.max(spec.median, 1e-3));
      const { sigma } = spec;
      return () => Math.min(MAX_TIMER_MS, Math.exp(mu + sigma * standardNormal(rng)));
    }
  }
}

/**
 * One draw picks a part with probability weight / total weight, a second draws from that part. The
 * cumulative weights are summed once here, not per request.
 */
function mixSampler(parts: Array<{ weight: number; latency: SingleLatencyConfig }>, rng: () => number): LatencySampler {
  const total = parts.reduce((sum, part) => sum + part.weight, 0);
  let running = 0;
  const bounds = parts.map((part) => (running += part.weight) / total);
  const samplers = parts.map((part) => singleSampler(part.latency, rng));
  const last = samplers.length - 1;
  return () => {
    const u = rng();
    let i = 0;
    // `i < last` guards against the rounding of the final bound to just under 1.
    while (i < last && u >= bounds[i]) i++;
    return samplers[i]();
  };
}

/** Box-Muller: one standard normal draw from two uniform ones. */
function standardNormal(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The distribution in a few words, for the trace: `fixed 20 ms`, `uniform 10-30 ms`, `a mix: 99% fixed 20 ms, 1% log-normal ...`. */
export function describeLatency(spec: LatencyConfig): string {
  if (typeof spec !== 'number' && spec.distribution === 'mix') {
    const total = spec.of.reduce((sum, part) => sum + part.weight, 0);
    return `a mix: ${spec.of.map((part) => `${round(100 * (part.weight / total))}% ${describeSingle(part.latency)}`).join(', ')}`;
  }
  return describeSingle(spec);
}

function describeSingle(spec: SingleLatencyConfig): string {
  if (typeof spec === 'number') return `fixed ${round(spec)} ms`;
  switch (spec.distribution) {
    case 'uniform':
      return `uniform ${round(spec.min)}-${round(spec.max)} ms`;
    case 'normal':
      return `normal, mean ${round(spec.mean)} ms, sd ${round(spec.stddev)} ms`;
    case 'lognormal':
      return `log-normal, median ${round(spec.median)} ms, sigma ${spec.sigma}`;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
