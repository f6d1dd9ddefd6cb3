/** Durations in configs: a number of milliseconds, or a string with a unit (`40ms`, `1.5s`, `2m`). */
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
