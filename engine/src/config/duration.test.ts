/** Every duration goes through one check: at most the 2^31 - 1 ms a timer holds, since a longer timer fires at once. */
import { describe, expect, it } from 'vitest';
import { Duration, formatDuration, Milliseconds, parseDuration } from './duration.ts';
import { MAX_TIMER_MS } from './limits.ts';
// Every parse whose errors reach a person goes through validate.ts, which says zod's unlabelled checks in the config's words.
import './validate.ts';

const TOO_LONG = 'too long: at most 2147483647ms (24.8 days), the longest a timer can hold';

describe('Duration', () => {
  it.each<[string | number, number]>([
    ['40ms', 40],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [250, 250],
    [0, 0],
    [MAX_TIMER_MS, MAX_TIMER_MS],
    ['2147483647ms', MAX_TIMER_MS],
    ['2147483.647s', MAX_TIMER_MS],
    // Parts, larger units first, as Go and nginx write them.
    ['1m30s', 90_000],
    ['1h 30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5m30s', 120_000],
  ])('takes %j as %d ms', (value, ms) => {
    expect(Duration.parse(value)).toBe(ms);
  });

  it.each<[string | number, string]>([
    [MAX_TIMER_MS + 1, TOO_LONG],
    ['2147483648ms', TOO_LONG],
    ['2147483.648s', TOO_LONG],
    ['36000m', TOO_LONG],
    [3_000_000_000, TOO_LONG],
    [`${'9'.repeat(400)}ms`, TOO_LONG],
    ['4 sec', 'expected a duration like 40ms, 1.5s, 2m or 1m30s, got "4 sec"'],
    ['30s1m', 'expected a duration like 40ms, 1.5s, 2m or 1m30s, got "30s1m"'],
    ['1m1m', 'expected a duration like 40ms, 1.5s, 2m or 1m30s, got "1m1m"'],
    ['1m 30', 'expected a duration like 40ms, 1.5s, 2m or 1m30s, got "1m 30"'],
    ['', 'expected a duration like 40ms, 1.5s, 2m or 1m30s, got ""'],
    [-1, 'must be at least 0, got -1'],
  ])('refuses %j: %s', (value, message) => {
    expect(Duration.safeParse(value).error?.issues.map((i) => i.message)).toEqual([message]);
  });

  it('holds plain milliseconds (a fault latency) to the same limit', () => {
    expect(Milliseconds.parse(MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    expect(Milliseconds.safeParse(MAX_TIMER_MS + 1).error?.issues.map((i) => i.message)).toEqual([TOO_LONG]);
  });

  it('parses and formats', () => {
    expect(parseDuration('36000m')).toBe(2_160_000_000);
    expect(parseDuration(Number.NaN)).toBeUndefined();
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(120_000)).toBe('2m');
  });
});
