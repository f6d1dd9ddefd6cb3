/**
 * The limiter ids, in a module that imports no limiter, so the config schema and the lab's page can
 * use them without bundling the limiters themselves (the registry is index.ts).
 */
export const LIMITER_IDS = [
  'token-bucket',
  'leaky-bucket',
  'fixed-window',
  'sliding-window-log',
  'sliding-window-counter',
  'gcra',
  'concurrency',
] as const;
export type LimiterId = (typeof LIMITER_IDS)[number];

/** The algorithms a shared store (Redis) runs; the others (sliding-window-log, concurrency) stay per instance. */
export const SHARED_ALGORITHMS = [
  'token-bucket',
  'leaky-bucket',
  'fixed-window',
  'sliding-window-counter',
  'gcra',
] as const satisfies readonly LimiterId[];
export type SharedAlgorithm = (typeof SHARED_ALGORITHMS)[number];
