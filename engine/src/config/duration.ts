/**
 * Durations in configs and fault bodies: a number of milliseconds, or a string with a unit (`40ms`,
 * `1.5s`, `2m`, `1h`, `1d`: hours and days for rate-limit windows). Every duration goes through one check, here: at most MAX_TIMER_MS, the longest delay a
 * Node.js timer holds (a longer one would fire after 1 ms, so `latency: 36000m` would answer at once).
 */
import { z } from 'zod';
import { MAX_TIMER_MS, TIMER_LIMIT_MESSAGE } from './limits.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Why `ms` cannot be a duration (too long for a timer), or undefined when it can. */
export function durationLimitError(ms: number): string | undefined {
  return ms > MAX_TIMER_MS ? `too long: ${TIMER_LIMIT_MESSAGE}` : undefined;
}

/** The zod form of a duration: parses to milliseconds, with an error that shows the expected forms or the limit. */
export const Duration = z
  .union([z.number().nonnegative().meta({ maximum: MAX_TIMER_MS }), z.string()])
  .meta({ description: `milliseconds, or a string with a unit: 40ms, 1.5s, 2m, 1h, 1d (${TIMER_LIMIT_MESSAGE})` })
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 40ms, 1.5s or 2m, got ${JSON.stringify(value)}` });
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
