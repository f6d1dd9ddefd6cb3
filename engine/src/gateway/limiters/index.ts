/**
 * The limiter registry: kebab-case id -> factory from a limit as the config writes it (durations in ms).
 * The config, the events, the UI and the lessons use these ids unchanged.
 */
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import { WINDOW_LOG_ENTRIES } from '../../config/gateway/rate-limit.ts';
import { concurrency } from './concurrency.ts';
import { fixedWindow } from './fixed-window.ts';
import { gcra } from './gcra.ts';
import { leakyBucket } from './leaky-bucket.ts';
import { DEFAULT_MAX_KEYS, keyedLimiter, type Limiter } from './limiter.ts';
import type { LimiterId } from './limiter-ids.ts';
import { slidingWindowCounter } from './sliding-window-counter.ts';
import { slidingWindowLog } from './sliding-window-log.ts';
import { tokenBucket } from './token-bucket.ts';

export { LIMITER_IDS, type LimiterId } from './limiter-ids.ts';

/** A limit of one algorithm, as the config's schema parses it. */
type SpecOf<Id extends LimiterId> = Extract<LimitSpec, { algorithm: Id }>;

export const LIMITERS: { [Id in LimiterId]: (spec: SpecOf<Id>) => Limiter } = {
  'token-bucket': (spec) => keyedLimiter(tokenBucket(spec), spec),
  'leaky-bucket': (spec) => keyedLimiter(leakyBucket(spec), spec),
  'fixed-window': (spec) => keyedLimiter(fixedWindow(spec), spec),
  // A log holds one time per request in the window, so by default it holds fewer keys (WINDOW_LOG_ENTRIES in all).
  'sliding-window-log': (spec) =>
    keyedLimiter(slidingWindowLog(spec), {
      maxKeys: spec.maxKeys ?? Math.max(1, Math.min(DEFAULT_MAX_KEYS, Math.floor(WINDOW_LOG_ENTRIES / spec.limit))),
    }),
  'sliding-window-counter': (spec) => keyedLimiter(slidingWindowCounter(spec), spec),
  gcra: (spec) => keyedLimiter(gcra(spec), spec),
  concurrency: (spec) => keyedLimiter(concurrency(spec), spec),
};

/** The limiter a config's limit asks for. */
export function createLimiter(spec: LimitSpec): Limiter {
  return (LIMITERS[spec.algorithm] as (spec: LimitSpec) => Limiter)(spec);
}
