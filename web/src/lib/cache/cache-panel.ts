/**
 * The cache panel's maths, from the engine's report of a proxy's cache (`GET /api/topology`, polled):
 * how much freshness each stored response has left at this moment (the engine's ttl at the poll, less
 * the time since, so a bar drains smoothly between polls and says "stale" past 0), the hit ratio per
 * second as columns, the X-Cache counts in the order a learner reads them, and the entries in a stable
 * order (the engine lists them most recently used first, which would make rows jump at every poll).
 */
import type { XCacheWord } from '../api-types.ts';

/** How much freshness one stored response has left at a moment. */
export interface Freshness {
  /** Seconds of freshness left; negative once stale (by that many seconds). */
  remaining: number;
  /** Remaining over its lifetime, 0..1: the bar's fill. */
  fraction: number;
  stale: boolean;
}

/**
 * An entry's freshness at `now` (browser ms): its `ttl` as the engine reported it at `askedAt` (browser
 * ms, when the page asked), less the seconds gone since. A lifetime of 0 (stored only to revalidate) is stale at once.
 */
export function freshnessAt(item: { ttl: number; lifetime: number }, askedAt: number, now: number): Freshness {
  const remaining = item.ttl - Math.max(0, now - askedAt) / 1000;
  const fraction = item.lifetime > 0 ? Math.min(1, Math.max(0, remaining / item.lifetime)) : 0;
  return { remaining, fraction, stale: remaining <= 0 };
}

/** A freshness as the bar's label reads: `fresh 7.4 s`, `stale 3 s` (whole seconds once stale: it only grows). */
export function freshnessWords(f: Freshness): string {
  return f.stale ? `stale ${Math.floor(-f.remaining)} s` : `fresh ${f.remaining < 10 ? f.remaining.toFixed(1) : Math.round(f.remaining)} s`;
}

/** The X-Cache words as the panel lists them: answered here first, then what went upstream. */
export const WORD_ORDER: readonly XCacheWord[] = ['HIT', 'STALE', 'COLLAPSED', 'REVALIDATED', 'MISS', 'BYPASS'];

/** Answered from the store without waiting for the origin: what the hit ratio counts as hits (the engine's rule). */
export const ANSWERED_HERE: ReadonlySet<XCacheWord> = new Set(['HIT', 'STALE', 'COLLAPSED']);

export const WORD_MEANINGS: Record<XCacheWord, string> = {
  HIT: 'a fresh stored copy, answered here',
  STALE: 'a stale copy answered here while one background refresh goes upstream (stale-while-revalidate), or the origin failed (stale-if-error)',
  COLLAPSED: 'waited for another request fetching the same key, then answered from what it stored',
  REVALIDATED: 'the stored copy was stale: asked the origin with its validator, the origin said 304 Not Modified, the stored body was sent',
  MISS: 'nothing usable stored: forwarded to the origin',
  BYPASS: 'a method the cache never answers (POST, PUT...): forwarded',
};

/** One second of the hit-ratio chart. */
export interface RatioColumn {
  /** Epoch second. */
  at: number;
  hits: number;
  lookups: number;
  /** Left edge, 0..1 of the chart's width. */
  x: number;
  /** Column height (lookups against the busiest second shown), 0..1. */
  height: number;
  /** The hit part of that height, 0..1. */
  hitHeight: number;
}

/**
 * The engine's per-second history as columns over the `seconds` ending at `nowS` (epoch seconds): each
 * as high as its lookups against the busiest second, its hits filled. Seconds the engine left out
 * (no lookup) are gaps.
 */
export function ratioColumns(history: ReadonlyArray<{ at: number; hits: number; lookups: number }>, nowS: number, seconds = 60): RatioColumn[] {
  const shown = history.filter((s) => s.at > nowS - seconds && s.at <= nowS && s.lookups > 0);
  const busiest = Math.max(1, ...shown.map((s) => s.lookups));
  return shown.map((s) => ({
    at: s.at,
    hits: s.hits,
    lookups: s.lookups,
    x: (s.at - (nowS - seconds + 1)) / seconds,
    height: s.lookups / busiest,
    hitHeight: s.hits / busiest,
  }));
}

/** Hits over lookups in the last `seconds` of the history (undefined without a lookup in them). */
export function recentRatio(history: ReadonlyArray<{ at: number; hits: number; lookups: number }>, nowS: number, seconds: number): number | undefined {
  let hits = 0;
  let lookups = 0;
  for (const s of history) {
    if (s.at <= nowS - seconds || s.at > nowS) continue;
    hits += s.hits;
    lookups += s.lookups;
  }
  return lookups === 0 ? undefined : hits / lookups;
}

export function percent(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `${Math.round(ratio * 100)}%`;
}

/** Entries in a stable order: by host, then path with numbers compared as numbers (`/orders/2` before `/orders/10`). */
export function byUrl<T extends { host: string; url: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.host.localeCompare(b.host) || COLLATOR.compare(a.url, b.url));
}

const COLLATOR = new Intl.Collator('en', { numeric: true });

/** What a purge dropped, as the panel says it. */
export function purgeWords(purged: number, target: { prefix: string } | { url: string }): string {
  const what = 'url' in target ? target.url : target.prefix === '/' ? 'everything' : `everything under ${target.prefix}`;
  return `purged ${purged} ${purged === 1 ? 'entry' : 'entries'} (${what})`;
}
