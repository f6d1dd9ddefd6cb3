/** Durations in configs: a number of milliseconds, or a string with a unit (`40ms`, `1.5s`, `2m`). */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;

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

/** The zod form of a duration: parses to milliseconds, with an error that shows the expected forms. */
export const Duration = z
  .union([z.number().nonnegative(), z.string()])
  .meta({ description: 'milliseconds, or a string with a unit: 40ms, 1.5s, 2m' })
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 40ms, 1.5s or 2m, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });
