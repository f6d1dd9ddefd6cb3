import { describe, expect, it } from 'vitest';
import { formatCount, formatMs, formatRate, formatStageTime } from './format.ts';

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
