/** How numbers read on screen: milliseconds with sensible precision, counts with separators. */

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A stage's time: microseconds below a millisecond, where stages mostly live (`12 µs`, `0.4 ms` reads as `400 µs`). */
export function formatStageTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${Math.max(1, Math.round(ms * 1000))} µs`;
  return formatMs(ms);
}

/** A size as a person reads it: `512 B`, `12.4 kB`, `64.0 MB` (1 kB = 1024 B, as the config's sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A count in at most `chars` characters: exact while it fits (`1,285`), else rounded to thousands or
 * millions with one decimal while that fits (`1.3k`, `12k`, `1.3M`). For a box's narrow columns; the
 * exact number stays in the box's accessible name and its `data-value`.
 */
export function formatCountIn(n: number | undefined, chars: number): string {
  const exact = formatCount(n);
  if (exact.length <= chars || n === undefined) return exact;
  for (const [unit, size] of [['k', 1e3], ['M', 1e6], ['G', 1e9]] as const) {
    const scaled = n / size;
    if (scaled >= 999.5) continue;
    const oneDecimal = `${(Math.round(scaled * 10) / 10).toString()}${unit}`;
    if (oneDecimal.length <= chars) return oneDecimal;
    return `${Math.round(scaled)}${unit}`;
  }
  return exact;
}

export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '–';
  return perSecond < 10 ? perSecond.toFixed(1).replace(/\.0$/, '') : String(Math.round(perSecond));
}

const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Wall-clock time of day (ms since the epoch) as hh:mm:ss, local time. */
export function formatClock(ts: number): string {
  return CLOCK.format(ts);
}
