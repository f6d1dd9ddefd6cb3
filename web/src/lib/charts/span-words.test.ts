import { expect, it } from 'vitest';
import { spanWords } from './span-words.ts';

it('says seconds under a minute (at least 1) and whole minutes from one', () => {
  expect(spanWords(0, 200)).toBe('1 s');
  expect(spanWords(0, 42_400)).toBe('42 s');
  expect(spanWords(0, 60_000)).toBe('1 min');
  expect(spanWords(10_000, 310_000)).toBe('5 min');
});
