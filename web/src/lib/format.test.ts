import { describe, expect, it } from 'vitest';
import { formatCount, formatCountIn, formatMs, formatRate, formatStageTime } from './format.ts';

describe('format', () => {
  it.each([
    [0.42, '0.4 ms'],
    [3.25, '3.3 ms'],
    [53.4, '53 ms'],
    [1234, '1.23 s'],
    [12_345, '12.3 s'],
    [undefined, '–'],
    [NaN, '–'],
  ])('formatMs(%s) is %s', (ms, text) => expect(formatMs(ms)).toBe(text));

  it('separates thousands', () => expect(formatCount(1234567)).toBe('1,234,567'));
  it.each([
    [999, 4, '999'],
    [1285, 4, '1.3k'],
    [1285, 5, '1,285'],
    [12_345, 4, '12k'],
    [999_499, 4, '999k'],
    [999_500, 4, '1M'],
    [1_250_000, 4, '1.3M'],
    [123_456, 6, '123.5k'],
    [123_456, 4, '123k'],
    [undefined, 4, '–'],
  ])('formatCountIn(%s, %s) is %s', (n, chars, text) => expect(formatCountIn(n, chars)).toBe(text));
  it('keeps a decimal for slow rates only', () => {
    expect(formatRate(4)).toBe('4');
    expect(formatRate(2.5)).toBe('2.5');
    expect(formatRate(123.4)).toBe('123');
  });
});

it.each([
  [0.0004, '1 µs'],
  [0.012, '12 µs'],
  [0.4, '400 µs'],
  [3.21, '3.2 ms'],
  [undefined, '–'],
])('formatStageTime(%s) is %s', (ms, text) => expect(formatStageTime(ms)).toBe(text));
