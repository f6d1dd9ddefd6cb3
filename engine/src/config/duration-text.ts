/**
 * A duration as text, without the schema: what the engine's config check and the page's edits of a
 * config both read (the page must not take `1m30s` for something else than the engine does).
 */
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
/** One part of a duration, matched where the last ended: a number and its unit (`ms` tried before `m`), spaces after. */
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/y;
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

/**
 * Milliseconds from a number, or a string of one or more parts, each unit at most once and larger units
 * first, as Go and nginx write them: `40ms`, `1.5s`, `1m30s`, `1h 30m`. Undefined when it is not one.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  let ms = 0;
  let last = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return undefined;
    const order = UNIT_ORDER.indexOf(match[2] as Unit);
    if (order <= last) return undefined;
    last = order;
    ms += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  return last < 0 ? undefined : ms;
}

export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
