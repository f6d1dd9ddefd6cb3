/**
 * A proxy cache's counts for its panel: how many requests got each `X-Cache` word since the cache was
 * made, and per second over the last minute, so the page draws the hit ratio over time from the
 * engine's numbers. The hit ratio counts as hits what was answered from the store without waiting on
 * the origin's body (HIT, STALE, COLLAPSED), over every request the cache looked up (BYPASS, a method
 * it never answers, is left out of both).
 */
import type { XCacheWord } from '../events.ts';

export const CACHE_WORDS: readonly XCacheWord[] = ['HIT', 'MISS', 'STALE', 'REVALIDATED', 'BYPASS', 'COLLAPSED'];
const HIT_WORDS: ReadonlySet<XCacheWord> = new Set(['HIT', 'STALE', 'COLLAPSED']);
/** Seconds of per-second history kept. */
export const HISTORY_SECONDS = 60;

/** One second of the history: its start (epoch seconds), the hits and the looked-up requests in it. */
export interface CacheSecond {
  at: number;
  hits: number;
  lookups: number;
}

export interface CacheCounts {
  /** Requests per X-Cache word since the cache was made. */
  words: Record<XCacheWord, number>;
  /** Hits over lookups since the cache was made (0 before any). */
  hitRatio: number;
  /** The last HISTORY_SECONDS seconds, oldest first; seconds without a lookup are left out. */
  history: CacheSecond[];
}

export class CacheTally {
  readonly #words = Object.fromEntries(CACHE_WORDS.map((w) => [w, 0])) as Record<XCacheWord, number>;
  /** Ring of seconds, indexed by epoch second modulo its length. */
  readonly #seconds: CacheSecond[] = Array.from({ length: HISTORY_SECONDS }, () => ({ at: -1, hits: 0, lookups: 0 }));

  count(word: XCacheWord, nowMs: number): void {
    this.#words[word]++;
    if (word === 'BYPASS') return;
    const at = Math.floor(nowMs / 1000);
    const slot = this.#seconds[at % HISTORY_SECONDS];
    if (slot.at !== at) {
      slot.at = at;
      slot.hits = 0;
      slot.lookups = 0;
    }
    slot.lookups++;
    if (HIT_WORDS.has(word)) slot.hits++;
  }

  /** Zero the words and the history. */
  reset(): void {
    for (const word of CACHE_WORDS) this.#words[word] = 0;
    for (const second of this.#seconds) {
      second.at = -1;
      second.hits = 0;
      second.lookups = 0;
    }
  }

  counts(nowMs: number): CacheCounts {
    const words = { ...this.#words };
    const hits = words.HIT + words.STALE + words.COLLAPSED;
    const lookups = hits + words.MISS + words.REVALIDATED;
    const now = Math.floor(nowMs / 1000);
    const history = this.#seconds
      .filter((s) => s.at > now - HISTORY_SECONDS && s.at <= now)
      .sort((a, b) => a.at - b.at)
      .map((s) => ({ ...s }));
    return { words, hitRatio: lookups === 0 ? 0 : hits / lookups, history };
  }
}
