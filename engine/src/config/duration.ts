/**
 * Durations in configs and fault bodies: a string with a unit (`40ms`, `1.5s`, `2m`, `1h`, `1d`: hours
 * and days for rate-limit windows), or several, larger first (`1m30s`, `1h 30m`; duration-text.ts). A
 * config document must write the unit (`latency: 40` could mean 40 ms or 40 s; only 0 needs none); the API bodies that forms fill in from fields labelled in ms
 * (faults, traffic) also take a number of milliseconds. Every duration goes through one check, here: at
 * most MAX_TIMER_MS, the longest delay a Node.js timer holds (a longer one would fire after 1 ms, so
 * `latency: 36000m` would answer at once).
 */
import { z } from 'zod';
import { MAX_TIMER_MS, TIMER_LIMIT_MESSAGE } from './limits.ts';

import { parseDuration } from './duration-text.ts';

export { formatDuration, parseDuration } from './duration-text.ts';

/** Why `ms` cannot be a duration (too long for a timer), or undefined when it can. */
export function durationLimitError(ms: number): string | undefined {
  return ms > MAX_TIMER_MS ? `too long: ${TIMER_LIMIT_MESSAGE}` : undefined;
}

export const DURATION_UNITS = 'ms, s, m, h or d';

let unitsRequired = false;

/**
 * Runs `check`, a parse of a config document, with a bare number other than 0 refused as a duration.
 * Parsing is synchronous, so the flag holds for exactly that parse.
 */
export function withUnitsRequired<T>(check: () => T): T {
  const before = unitsRequired;
  unitsRequired = true;
  try {
    return check();
  } finally {
    unitsRequired = before;
  }
}

/** The zod form of a duration: parses to milliseconds, with an error that shows the expected forms or the limit. */
export const Duration = z
  .union([z.number().nonnegative().meta({ maximum: MAX_TIMER_MS }), z.string()])
  .meta({
    description: `a string with a unit: 40ms, 1.5s, 2m, 1h, 1d, or parts larger first: 1m30s (${TIMER_LIMIT_MESSAGE}); a bare number only 0 (API bodies also take milliseconds)`,
  })
  .transform((value, ctx) => {
    if (unitsRequired && typeof value === 'number' && value !== 0) {
      ctx.addIssue({ code: 'custom', message: `${value} has no unit: write ${value}ms or ${value}s (a duration takes ${DURATION_UNITS})` });
      return z.NEVER;
    }
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 40ms, 1.5s, 2m or 1m30s, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    const tooLong = durationLimitError(ms);
    if (tooLong) {
      ctx.addIssue({ code: 'custom', message: tooLong });
      return z.NEVER;
    }
    return ms;
  });

/** A plain number of milliseconds (a fault's `ms` and `jitter`), held to the same limit as a Duration. */
export const Milliseconds = z
  .number()
  .nonnegative()
  .meta({ maximum: MAX_TIMER_MS })
  .superRefine((ms, ctx) => {
    const tooLong = durationLimitError(ms);
    if (tooLong) ctx.addIssue({ code: 'custom', message: tooLong });
  });
