/** Test fixtures for pickers: candidates from a compact spec, and a seeded context. */
import type { Candidate, PickContext } from './picker.ts';

/**
 * `candidates('oxo', [5, 1, 1])`: one candidate per character, `o` eligible and `x` not, named
 * t1, t2, ... with the given weights (default 1) and in-flight counts (default 0), at 127.0.0.1:9001+.
 */
export function candidates(spec: string, weights: number[] = [], inFlight: number[] = []): Candidate[] {
  return [...spec].map((c, i) => ({
    id: `t${i + 1}`,
    weight: weights[i] ?? 1,
    inFlight: inFlight[i] ?? 0,
    eligible: c === 'o',
    address: `127.0.0.1:${9001 + i}`,
  }));
}

/** mulberry32: a small seeded generator, so random pickers repeat exactly in tests. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function context(options: { seed?: number; now?: () => number; key?: string } = {}): PickContext {
  return { now: options.now ?? (() => 0), rng: seededRng(options.seed ?? 1), ...(options.key !== undefined ? { key: options.key } : {}) };
}
