import { describe, expect, it } from 'vitest';
import { byUrl, freshnessAt, freshnessWords, percent, purgeWords, ratioColumns, recentRatio } from './cache-panel.ts';

describe('freshnessAt', () => {
  const item = { ttl: 8, lifetime: 20 };

  it('is the engine’s ttl less the seconds since the poll, as a share of the lifetime', () => {
    expect(freshnessAt(item, 10_000, 10_000)).toEqual({ remaining: 8, fraction: 0.4, stale: false });
    expect(freshnessAt(item, 10_000, 12_500)).toEqual({ remaining: 5.5, fraction: 0.275, stale: false });
  });

  it('drains to empty and says stale past 0, counting how stale', () => {
    const f = freshnessAt(item, 10_000, 21_000);
    expect(f).toEqual({ remaining: -3, fraction: 0, stale: true });
    expect(freshnessWords(f)).toBe('stale 3 s');
    expect(freshnessWords(freshnessAt(item, 10_000, 10_400))).toBe('fresh 7.6 s');
    expect(freshnessWords(freshnessAt({ ttl: 45, lifetime: 60 }, 0, 0))).toBe('fresh 45 s');
  });

  it('takes a stale report as stale, and a clock before the poll as the poll', () => {
    expect(freshnessAt({ ttl: -2, lifetime: 20 }, 5000, 5000)).toMatchObject({ fraction: 0, stale: true });
    expect(freshnessAt(item, 10_000, 9_000).remaining).toBe(8);
    expect(freshnessAt({ ttl: 0, lifetime: 0 }, 0, 0)).toMatchObject({ fraction: 0, stale: true });
  });
});

describe('ratioColumns', () => {
  const history = [
    { at: 100, hits: 0, lookups: 2 },
    { at: 158, hits: 3, lookups: 4 },
    { at: 159, hits: 1, lookups: 1 },
  ];

  it('places each second on the last minute and scales to the busiest one, hits filled', () => {
    expect(ratioColumns(history, 159, 60)).toEqual([
      { at: 100, hits: 0, lookups: 2, x: 0, height: 0.5, hitHeight: 0 },
      { at: 158, hits: 3, lookups: 4, x: 58 / 60, height: 1, hitHeight: 0.75 },
      { at: 159, hits: 1, lookups: 1, x: 59 / 60, height: 0.25, hitHeight: 0.25 },
    ]);
  });

  it('leaves out seconds outside the window', () => {
    expect(ratioColumns(history, 170, 60).map((c) => c.at)).toEqual([158, 159]);
    expect(ratioColumns([], 170)).toEqual([]);
  });

  it('gives the recent ratio from the same seconds', () => {
    expect(recentRatio(history, 159, 10)).toBe(0.8);
    expect(recentRatio(history, 300, 10)).toBeUndefined();
    expect(percent(0.8)).toBe('80%');
    expect(percent(undefined)).toBe('–');
  });
});

describe('entries and purges', () => {
  it('keeps entries in URL order, numbers as numbers, whatever order the engine used', () => {
    const items = ['/orders/10', '/orders/2', '/a', '/orders/1'].map((url) => ({ host: 'edge', url }));
    expect(byUrl(items).map((i) => i.url)).toEqual(['/a', '/orders/1', '/orders/2', '/orders/10']);
  });

  it('says what a purge dropped', () => {
    expect(purgeWords(7, { prefix: '/' })).toBe('purged 7 entries (everything)');
    expect(purgeWords(2, { prefix: '/orders/' })).toBe('purged 2 entries (everything under /orders/)');
    expect(purgeWords(1, { url: '/orders/3' })).toBe('purged 1 entry (/orders/3)');
  });
});
